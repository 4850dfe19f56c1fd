package dev.latchkey.store;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** What Latchkey does to JDBC URLs: makes H2 speak PostgreSQL's dialect, and masks passwords. */
final class JdbcUrls {
    // Parameters (PostgreSQL ?password=, H2 ;PASSWORD=) and user info (//user:secret@host).
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;]password=)[^&;]*");
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(//[^/:@]*:)[^/@]*@");

    /*
     * The same SQL runs on both databases: PostgreSQL compatibility, lower-case identifiers as
     * PostgreSQL folds them (so information_schema agrees), and NULLs sorted last as PostgreSQL does.
     */
    private static final Map<String, String> H2_COMPATIBILITY =
            Map.of("MODE", "PostgreSQL", "DATABASE_TO_LOWER", "TRUE", "DEFAULT_NULL_ORDERING", "HIGH");

    private JdbcUrls() {}

    static String withoutPassword(String url) {
        String masked = PASSWORD_PARAMETER.matcher(url).replaceAll("$1****");
        return USER_INFO_PASSWORD.matcher(masked).replaceAll("$1****@");
    }

    /** The H2 URL with every compatibility setting the URL does not set itself. */
    static String forH2(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        StringBuilder result = new StringBuilder(url);
        for (Map.Entry<String, String> setting : H2_COMPATIBILITY.entrySet()) {
            if (!lower.contains(";" + setting.getKey().toLowerCase(Locale.ROOT) + "=")) {
                result.append(';').append(setting.getKey()).append('=').append(setting.getValue());
            }
        }
        return result.toString();
    }
}
