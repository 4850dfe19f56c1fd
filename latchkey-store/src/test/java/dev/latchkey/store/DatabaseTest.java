package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.health.HealthCheck;
import dev.latchkey.core.secret.Secret;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Opening, failing to open, health and recovery of a {@link Database}. */
class DatabaseTest {
    private static final Duration FAST_FAIL = Duration.ofMillis(500);

    @Test
    void open_postgresDown_throwsNamingUrlWithoutPassword() throws IOException {
        String url = "jdbc:postgresql://127.0.0.1:" + freePort() + "/latchkey?password=hunter2&ssl=false";
        DatabaseSettings settings = DatabaseSettings.of(url)
                .withCredentials("latchkey", Secret.of("hunter2"))
                .withConnectionTimeout(FAST_FAIL);

        assertThatThrownBy(() -> Database.open(settings))
                .isInstanceOf(DatabaseUnavailableException.class)
                .hasMessageStartingWith(
                        "database " + url.replace("hunter2", "****") + " is unavailable: cannot connect")
                .hasMessageContaining("SQLState 08")
                .hasMessageNotContaining("hunter2")
                .hasNoCause();
    }

    @Test
    void healthCheck_openDatabase_isUp() {
        try (TestDatabase database = TestDatabase.h2()) {
            HealthCheck check = database.database().healthCheck();

            assertThat(check.name()).isEqualTo("database");
            assertThat(check.check()).isEqualTo(HealthCheck.Status.up("SELECT 1 answered"));
        }
    }

    @Test
    void healthCheck_closedPool_isDownWithoutSecrets() {
        try (TestDatabase database = TestDatabase.postgres()) {
            DatabaseSettings settings = database.settings().withCredentials("postgres", Secret.of("s3cret-pw"));
            Database other = Database.open(settings);
            other.close();

            HealthCheck.Status status = other.healthCheck().check();

            assertThat(status.healthy()).isFalse();
            assertThat(status.detail()).doesNotContain("s3cret-pw").doesNotContain("jdbc:");
        }
    }

    @Test
    void healthCheck_timeoutOverTwoSeconds_isRejected() {
        try (TestDatabase database = TestDatabase.h2()) {
            assertThatThrownBy(() -> new DatabaseHealthCheck(database.dataSource(), Duration.ofSeconds(3)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void pool_postgresConnectionsCutThenBack_failsCleanlyThenRecovers() {
        int poolSize = 2;
        try (TestDatabase postgres = TestDatabase.postgres();
                TcpProxy proxy = proxyTo(postgres.settings().url())) {
            String viaProxy = postgres.settings().url().replaceFirst("//[^/]+/", "//127.0.0.1:" + proxy.port() + "/");
            DatabaseSettings settings = DatabaseSettings.of(viaProxy)
                    .withCredentials("postgres", null)
                    .withPoolSize(poolSize)
                    .withConnectionTimeout(FAST_FAIL);
            GrantKey key = GrantKey.of("acme", "alice", "github-mcp");
            try (Database database = Database.open(settings)) {
                JdbcSealedTokenStore store = new JdbcSealedTokenStore(database.dataSource());
                HealthCheck health = database.healthCheck();
                store.compareAndSet(key, 0, Ciphertext.of(new byte[] {1, 2, 3}), null);

                proxy.cut();

                assertThat(health.check().healthy()).isFalse();
                assertThatThrownBy(() -> store.find(key))
                        .isInstanceOf(StoreUnavailableException.class)
                        .hasMessageMatching("token store find failed \\(SQLState 08[0-9]{3}\\)");

                proxy.restore();

                // Each failed borrow evicts one broken connection; the pool has no more than poolSize.
                List<HealthCheck.Status> attempts = new ArrayList<>();
                do {
                    attempts.add(health.check());
                } while (!attempts.getLast().healthy() && attempts.size() <= poolSize);
                assertThat(attempts.getLast()).isEqualTo(HealthCheck.Status.up("SELECT 1 answered"));
                assertThat(store.find(key)).map(row -> row.version()).contains(1L);
            }
        }
    }

    private static TcpProxy proxyTo(String postgresUrl) {
        Matcher hostPort = Pattern.compile("//([^/:]+)(?::(\\d+))?/").matcher(postgresUrl);
        assertThat(hostPort.find()).isTrue();
        return TcpProxy.to(hostPort.group(1), hostPort.group(2) == null ? 5432 : Integer.parseInt(hostPort.group(2)));
    }

    @Test
    void settings_toString_masksPassword() {
        DatabaseSettings settings = DatabaseSettings.of("jdbc:postgresql://db/latchkey?user=x&password=hunter2")
                .withCredentials("latchkey", Secret.of("hunter2"));

        assertThat(settings.toString()).doesNotContain("hunter2").contains("password=****");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
