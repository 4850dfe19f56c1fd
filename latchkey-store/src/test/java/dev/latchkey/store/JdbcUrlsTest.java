package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JdbcUrlsTest {

    @Test
    void forH2_plainUrl_addsPostgresCompatibility() {
        assertThat(JdbcUrls.forH2("jdbc:h2:file:./data/latchkey"))
                .startsWith("jdbc:h2:file:./data/latchkey;")
                .contains(";MODE=PostgreSQL", ";DATABASE_TO_LOWER=TRUE", ";DEFAULT_NULL_ORDERING=HIGH");
    }

    @Test
    void forH2_settingGivenInUrl_keepsIt() {
        String url = JdbcUrls.forH2("jdbc:h2:file:./data/latchkey;mode=PostgreSQL;AUTO_SERVER=TRUE");

        assertThat(url).startsWith("jdbc:h2:file:./data/latchkey;mode=PostgreSQL;AUTO_SERVER=TRUE");
        assertThat(url.toLowerCase(java.util.Locale.ROOT).split(";mode=", -1)).hasSize(2);
        assertThat(url).contains(";DATABASE_TO_LOWER=TRUE", ";DEFAULT_NULL_ORDERING=HIGH");
    }

    @Test
    void withoutPassword_passwordInParametersOrUserInfo_isMasked() {
        assertThat(JdbcUrls.withoutPassword("jdbc:postgresql://db:5432/lk?password=hunter2&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/lk?password=****&ssl=true");
        assertThat(JdbcUrls.withoutPassword("jdbc:postgresql://db/lk?user=a&PASSWORD=hunter2"))
                .isEqualTo("jdbc:postgresql://db/lk?user=a&PASSWORD=****");
        assertThat(JdbcUrls.withoutPassword("jdbc:h2:tcp://db/lk;USER=sa;PASSWORD=hunter2;MODE=PostgreSQL"))
                .isEqualTo("jdbc:h2:tcp://db/lk;USER=sa;PASSWORD=****;MODE=PostgreSQL");
        assertThat(JdbcUrls.withoutPassword("jdbc:postgresql://alice:hunter2@db/lk"))
                .isEqualTo("jdbc:postgresql://alice:****@db/lk");
    }

    @Test
    void withoutPassword_noPassword_isUnchanged() {
        assertThat(JdbcUrls.withoutPassword("jdbc:h2:file:./data/latchkey")).isEqualTo("jdbc:h2:file:./data/latchkey");
    }
}
