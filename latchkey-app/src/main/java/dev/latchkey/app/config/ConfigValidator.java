package dev.latchkey.app.config;

import static java.util.Objects.requireNonNull;

import dev.latchkey.app.config.MappingReader.Element;
import dev.latchkey.app.config.MappingReader.UrlKind;
import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.identity.ClaimPath;
import dev.latchkey.core.identity.IdentityPolicy;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Walks a configuration tree against the schema of {@code docs/configuration.md} and builds the
 * records, reporting every problem it meets rather than stopping at the first. Development
 * settings are read first because they decide which URLs are acceptable. One instance serves one
 * load.
 */
final class ConfigValidator {
    static final List<String> TOP_KEYS =
            List.of("server", "database", "keys", "development", "logging", "refresh", "sessions", "tenants");
    static final List<String> SESSIONS_KEYS = List.of(
            "accessTokenLifetime", "refreshIdle", "refreshAbsolute", "reuseGrace", "browserIdle", "browserAbsolute");
    static final List<String> SERVER_KEYS = List.of("host", "port", "publicUrl", "drainTimeout", "trustForwardedFor");
    static final List<String> DATABASE_KEYS = List.of("url", "user", "password", "poolSize");
    static final List<String> KEYS_KEYS = List.of("keyset");
    static final List<String> DEVELOPMENT_KEYS = List.of("allowInsecureHttp", "generateKeyset");
    static final List<String> LOGGING_KEYS = List.of("level");
    static final List<String> REFRESH_KEYS =
            List.of("deadline", "proactive", "window", "idleLimit", "ratePerSecond", "concurrency");
    static final List<String> TENANT_KEYS =
            List.of("issuers", "identity", "apiKeys", "login", "cors", "services", "resources");
    static final List<String> ISSUER_KEYS = List.of(
            "issuer",
            "allowedTenants",
            "jwksUri",
            "audiences",
            "requiredScopes",
            "algorithms",
            "clockSkew",
            "introspection");
    static final List<String> INTROSPECTION_KEYS = List.of("endpoint", "clientId", "clientSecret");
    static final List<String> IDENTITY_KEYS =
            List.of("linkVerifiedEmail", "provisioning", "groupsClaim", "roleMapping", "groupDirectory");
    static final List<String> GROUP_DIRECTORY_KEYS =
            List.of("endpoint", "tokenEndpoint", "clientId", "clientSecret", "scope");
    static final List<String> API_KEYS_KEYS = List.of("enabled", "maxFailuresPerMinute");
    static final List<String> LOGIN_KEYS = List.of("issuer", "clientId", "clientSecret", "scopes", "responseMode");
    static final List<String> CORS_KEYS = List.of("allowedOrigins");
    static final List<String> SERVICE_KEYS = List.of("id", "clientId", "scopes");
    static final List<String> RESOURCE_KEYS = List.of("url", "authorization", "exchange");
    static final List<String> AUTHORIZATION_KEYS = List.of(
            "discovery",
            "dynamicRegistration",
            "scopes",
            "authorizationEndpoint",
            "tokenEndpoint",
            "clientId",
            "clientSecret",
            "issuer",
            "revocationEndpoint",
            "clientAuthMethod",
            "resourceIndicator",
            "authorizationParameters",
            "refreshSkew");
    // Parameters of an authorization request Latchkey sets itself (ResourceClient.RESERVED_PARAMETERS).
    static final java.util.Set<String> RESERVED_AUTHORIZATION_PARAMETERS =
            dev.latchkey.core.downstream.ResourceClient.RESERVED_PARAMETERS;
    static final List<String> EXCHANGE_KEYS = List.of("type", "scopes", "audience");

    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 8080;
    static final URI DEFAULT_PUBLIC_URL = URI.create("http://127.0.0.1:8080");
    static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);
    static final String DEFAULT_DATABASE_URL = "jdbc:h2:file:./data/latchkey";
    static final int DEFAULT_POOL_SIZE = 10;
    static final int MAX_POOL_SIZE = 1000;
    static final String DEFAULT_KEYSET = "file:./data/keyset.json";
    static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    static final int MAX_ROLE_MAPPING_GROUPS = 1000;

    // Entra directory (tenant) ids are GUIDs; "common", "organizations" and "consumers" are not tenants.
    private static final Pattern DIRECTORY_TENANT_ID =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final String SAMPLE_DIRECTORY_TENANT = "00000000-0000-0000-0000-000000000000";
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)[?&;:]password=|//[^/@]*:[^/@]*@");

    private final ValidationContext context;
    private final Function<String, Optional<String>> environment;

    ConfigValidator(ValidationContext context, Function<String, Optional<String>> environment) {
        this.context = context;
        this.environment = environment;
    }

    /** The configuration, or {@code null} when any problem was reported. */
    @Nullable
    LatchkeyConfig validate(JsonNode root) {
        MappingReader top = MappingReader.open(context, "", root, TOP_KEYS);
        if (top == null) {
            return null;
        }
        DevelopmentConfig development = development(top);
        context.allowInsecureHttp(development != null && development.allowInsecureHttp());
        ServerConfig server = server(top);
        DatabaseConfig database = database(top);
        KeysConfig keys = keys(top);
        LoggingConfig logging = logging(top);
        RefreshConfig refresh = refresh(top);
        SessionsConfig sessions = sessions(top);
        Map<TenantId, TenantConfig> tenants = tenants(top);
        if (!top.valid()
                || development == null
                || server == null
                || database == null
                || keys == null
                || logging == null
                || refresh == null
                || sessions == null
                || !context.problems.isEmpty()) {
            return null;
        }
        return new LatchkeyConfig(server, database, keys, development, logging, refresh, sessions, tenants);
    }

    private @Nullable DevelopmentConfig development(MappingReader top) {
        MappingReader m = top.mapping("development", DEVELOPMENT_KEYS);
        if (m == null) {
            return null;
        }
        boolean allowInsecureHttp = m.bool("allowInsecureHttp", false);
        boolean generateKeyset = m.bool("generateKeyset", false);
        if (allowInsecureHttp) {
            context.warning(
                    m.childPath("allowInsecureHttp"),
                    "insecure development mode: http URLs are accepted on loopback hosts; never use this in"
                            + " production");
        }
        if (generateKeyset) {
            context.warning(
                    m.childPath("generateKeyset"),
                    "a keyset file is generated when missing; in production create and back up the keyset"
                            + " with `latchkey keys`");
        }
        return m.valid() ? new DevelopmentConfig(allowInsecureHttp, generateKeyset) : null;
    }

    private @Nullable ServerConfig server(MappingReader top) {
        MappingReader m = top.mapping("server", SERVER_KEYS);
        if (m == null) {
            return null;
        }
        String host = m.text("host", DEFAULT_HOST);
        if (host.strip().contains(" ")) {
            m.problem("host", "must be a host name or an IP address");
        }
        int port = m.integer("port", DEFAULT_PORT, 0, 65_535);
        URI publicUrl = m.has("publicUrl") ? m.url("publicUrl", UrlKind.ANY_HTTP, false) : DEFAULT_PUBLIC_URL;
        if (publicUrl != null && publicUrl.getRawQuery() != null) {
            m.problem("publicUrl", "must not contain a query (?...)");
        }
        if (publicUrl != null
                && "http".equalsIgnoreCase(publicUrl.getScheme())
                && !MappingReader.isLoopback(requireNonNull(publicUrl.getHost()))) {
            context.warning(
                    m.childPath("publicUrl"),
                    "http on a non-loopback host: browsers will not send Latchkey's Secure session cookie; put"
                            + " Latchkey behind https");
        }
        Duration drainTimeout = m.duration("drainTimeout", DEFAULT_DRAIN_TIMEOUT);
        boolean trustForwardedFor = m.bool("trustForwardedFor", false);
        if (!m.valid() || publicUrl == null) {
            return null;
        }
        return new ServerConfig(host.strip(), port, publicUrl, drainTimeout, trustForwardedFor);
    }

    private @Nullable DatabaseConfig database(MappingReader top) {
        MappingReader m = top.mapping("database", DATABASE_KEYS);
        if (m == null) {
            return null;
        }
        String url = m.text("url", DEFAULT_DATABASE_URL).strip();
        if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
            m.problem("url", "must be a jdbc:h2: or jdbc:postgresql: URL");
        } else if (PASSWORD_PARAMETER.matcher(url).find()) {
            m.problem("url", "must not contain a password; set database.password (or LATCHKEY_DATABASE_PASSWORD)");
        }
        String user = m.optionalText("user");
        Secret password = m.secret("password");
        int poolSize = m.integer("poolSize", DEFAULT_POOL_SIZE, 1, MAX_POOL_SIZE);
        if (!m.valid()) {
            return null;
        }
        return new DatabaseConfig(url, Optional.ofNullable(user), Optional.ofNullable(password), poolSize);
    }

    private @Nullable KeysConfig keys(MappingReader top) {
        MappingReader m = top.mapping("keys", KEYS_KEYS);
        if (m == null) {
            return null;
        }
        String keyset = m.text("keyset", DEFAULT_KEYSET).strip();
        KeysetSource source = null;
        if (keyset.startsWith("file:")) {
            source = keysetFile(m, keyset.substring("file:".length()));
        } else if (keyset.startsWith("env:")) {
            source = keysetVariable(m, keyset.substring("env:".length()));
        } else if (m.valid()) {
            m.problem("keyset", "must be file:<path> or env:<VARIABLE>");
        }
        return m.valid() && source != null ? new KeysConfig(source) : null;
    }

    private @Nullable KeysetSource keysetFile(MappingReader m, String path) {
        if (path.isBlank()) {
            m.problem("keyset", "file: must be followed by a path");
            return null;
        }
        try {
            return new KeysetSource.FromFile(Path.of(path));
        } catch (InvalidPathException e) {
            m.problem("keyset", "is not a valid file path");
            return null;
        }
    }

    private @Nullable KeysetSource keysetVariable(MappingReader m, String variable) {
        if (!ENV_NAME.matcher(variable).matches()) {
            m.problem("keyset", "env: must be followed by an environment variable name");
            return null;
        }
        Optional<String> value = environment.apply(variable).filter(v -> !v.isBlank());
        if (value.isEmpty()) {
            m.problem("keyset", "environment variable " + variable + " is not set");
            return null;
        }
        return new KeysetSource.FromEnvironment(variable, Secret.of(value.get()));
    }

    private @Nullable LoggingConfig logging(MappingReader top) {
        MappingReader m = top.mapping("logging", LOGGING_KEYS);
        if (m == null) {
            return null;
        }
        LoggingConfig.Level level = m.choice("level", LoggingConfig.Level.INFO, names(LoggingConfig.Level.values()));
        return m.valid() ? new LoggingConfig(level) : null;
    }

    private @Nullable RefreshConfig refresh(MappingReader top) {
        MappingReader m = top.mapping("refresh", REFRESH_KEYS);
        if (m == null) {
            return null;
        }
        Duration deadline = durationWithin(
                m, "deadline", RefreshConfig.DEFAULT_DEADLINE, RefreshConfig.MIN_DEADLINE, RefreshConfig.MAX_DEADLINE);
        boolean proactive = m.bool("proactive", true);
        Duration window = durationWithin(
                m, "window", RefreshConfig.DEFAULT_WINDOW, RefreshConfig.MIN_WINDOW, RefreshConfig.MAX_WINDOW);
        Duration idleLimit = durationWithin(
                m,
                "idleLimit",
                RefreshConfig.DEFAULT_IDLE_LIMIT,
                RefreshConfig.MIN_IDLE_LIMIT,
                RefreshConfig.MAX_IDLE_LIMIT);
        int ratePerSecond =
                m.integer("ratePerSecond", RefreshConfig.DEFAULT_RATE_PER_SECOND, 1, RefreshConfig.MAX_RATE_PER_SECOND);
        int concurrency = m.integer("concurrency", RefreshConfig.DEFAULT_CONCURRENCY, 1, RefreshConfig.MAX_CONCURRENCY);
        if (!m.valid()) {
            return null;
        }
        return new RefreshConfig(deadline, proactive, window, idleLimit, ratePerSecond, concurrency);
    }

    private @Nullable SessionsConfig sessions(MappingReader top) {
        MappingReader m = top.mapping("sessions", SESSIONS_KEYS);
        if (m == null) {
            return null;
        }
        Duration accessTokenLifetime = durationWithin(
                m,
                "accessTokenLifetime",
                SessionsConfig.DEFAULT_ACCESS_TOKEN_LIFETIME,
                SessionsConfig.MIN_ACCESS_TOKEN_LIFETIME,
                SessionsConfig.MAX_ACCESS_TOKEN_LIFETIME);
        Duration refreshIdle = lifetime(m, "refreshIdle", SessionsConfig.DEFAULT_REFRESH_IDLE);
        Duration refreshAbsolute = lifetime(m, "refreshAbsolute", SessionsConfig.DEFAULT_REFRESH_ABSOLUTE);
        Duration reuseGrace = durationWithin(
                m, "reuseGrace", SessionsConfig.DEFAULT_REUSE_GRACE, Duration.ZERO, SessionsConfig.MAX_REUSE_GRACE);
        Duration browserIdle = lifetime(m, "browserIdle", SessionsConfig.DEFAULT_BROWSER_IDLE);
        Duration browserAbsolute = lifetime(m, "browserAbsolute", SessionsConfig.DEFAULT_BROWSER_ABSOLUTE);
        if (m.valid() && refreshIdle.compareTo(refreshAbsolute) > 0) {
            m.problem("refreshIdle", "must not exceed refreshAbsolute");
        }
        if (m.valid() && browserIdle.compareTo(browserAbsolute) > 0) {
            m.problem("browserIdle", "must not exceed browserAbsolute");
        }
        if (!m.valid()) {
            return null;
        }
        return new SessionsConfig(
                accessTokenLifetime, refreshIdle, refreshAbsolute, reuseGrace, browserIdle, browserAbsolute);
    }

    private static Duration lifetime(MappingReader m, String key, Duration defaultValue) {
        return durationWithin(m, key, defaultValue, SessionsConfig.MIN_LIFETIME, SessionsConfig.MAX_LIFETIME);
    }

    /** A duration between {@code min} and {@code max}, reported at its key otherwise. */
    private static Duration durationWithin(
            MappingReader m, String key, Duration defaultValue, Duration min, Duration max) {
        Duration value = m.duration(key, defaultValue);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            m.problem(key, "must be between " + ConfigPrinter.duration(min) + " and " + ConfigPrinter.duration(max));
            return defaultValue;
        }
        return value;
    }

    private Map<TenantId, TenantConfig> tenants(MappingReader top) {
        if (!top.has("tenants")) {
            top.problem("tenants", "is required: configure at least one tenant");
            return Map.of();
        }
        List<Map.Entry<String, JsonNode>> entries = top.entries("tenants");
        if (entries.isEmpty() && top.isMapping("tenants")) {
            top.problem("tenants", "must configure at least one tenant");
        }
        Map<TenantId, TenantConfig> tenants = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : entries) {
            String path = KeyPaths.child(top.childPath("tenants"), entry.getKey());
            TenantId id = null;
            try {
                id = TenantId.of(entry.getKey());
            } catch (IllegalArgumentException e) {
                top.problemAt(path, messageOf(e));
            }
            TenantConfig tenant = tenant(id, path, entry.getValue());
            if (id == null || tenant == null) {
                top.invalidate();
            } else {
                tenants.put(id, tenant);
            }
        }
        warnAboutSharedIssuers(tenants);
        return tenants;
    }

    private @Nullable TenantConfig tenant(@Nullable TenantId id, String path, JsonNode node) {
        MappingReader t = MappingReader.open(context, path, node, TENANT_KEYS);
        if (t == null) {
            return null;
        }
        List<IssuerConfig> issuers = new ArrayList<>();
        for (Element element : t.list("issuers")) {
            IssuerConfig issuer = issuer(element);
            if (issuer == null) {
                t.invalidate();
            } else if (issuers.stream().anyMatch(i -> i.issuer().equals(issuer.issuer()))) {
                t.problemAt(KeyPaths.child(element.path(), "issuer"), "this issuer is already listed for the tenant");
            } else {
                issuers.add(issuer);
            }
        }
        IdentityConfig identity = identity(t);
        ApiKeysConfig apiKeys = apiKeys(t);
        LoginConfig login = t.has("login") ? login(t) : null;
        if (t.has("login") && login == null) {
            t.invalidate();
        }
        CorsConfig cors = cors(t);
        List<ServiceConfig> services = services(t);
        Map<ResourceName, ResourceConfig> resources = resources(t, login);
        if (t.valid() && issuers.isEmpty() && login == null && apiKeys != null && !apiKeys.enabled()) {
            t.problemAt(
                    path, "the tenant cannot authenticate anyone: configure issuers, login or apiKeys.enabled: true");
        }
        if (!t.valid() || id == null || identity == null || apiKeys == null || cors == null) {
            return null;
        }
        return new TenantConfig(id, issuers, identity, apiKeys, Optional.ofNullable(login), cors, services, resources);
    }

    private @Nullable IssuerConfig issuer(Element element) {
        MappingReader m = MappingReader.open(context, element.path(), element.node(), ISSUER_KEYS);
        if (m == null) {
            return null;
        }
        String issuer = issuerIdentifier(m);
        List<String> allowedTenants = allowedTenants(m, issuer);
        URI jwksUri = m.url("jwksUri", UrlKind.SECURE, false);
        List<String> audiences = m.requiredTexts("audiences");
        List<String> requiredScopes = m.texts("requiredScopes", List.of());
        List<SigningAlgorithm> algorithms = algorithms(m);
        Duration clockSkew = m.duration("clockSkew", DEFAULT_CLOCK_SKEW);
        if (clockSkew.compareTo(IssuerConfig.MAX_CLOCK_SKEW) > 0) {
            m.problem("clockSkew", "must be at most 300s (5 minutes): a larger leeway accepts long-expired tokens");
        }
        IntrospectionConfig introspection = introspection(m, issuer);
        if (!m.valid() || issuer == null) {
            return null;
        }
        return new IssuerConfig(
                issuer,
                allowedTenants,
                Optional.ofNullable(jwksUri),
                audiences,
                requiredScopes,
                algorithms,
                clockSkew,
                Optional.ofNullable(introspection));
    }

    /**
     * The issuer identifier: an https URL without query, or an Entra multi-tenant template with
     * {@code {tenantid}} exactly once, in the path (never in the host), and no other brace.
     */
    private static @Nullable String issuerIdentifier(MappingReader m) {
        if (!m.has("issuer")) {
            m.url("issuer", UrlKind.ISSUER, true);
            return null;
        }
        String text = m.optionalText("issuer");
        if (text == null) {
            return null;
        }
        String path = m.childPath("issuer");
        String written = text.strip();
        if (written.indexOf('{') < 0 && written.indexOf('}') < 0) {
            URI uri = m.urlAt(path, written, UrlKind.ISSUER);
            return uri == null ? null : uri.toString();
        }
        String placeholder = IssuerConfig.TENANT_PLACEHOLDER;
        String rest = written.replace(placeholder, "");
        if (written.length() - rest.length() != placeholder.length()
                || rest.indexOf('{') >= 0
                || rest.indexOf('}') >= 0) {
            m.problem(
                    "issuer",
                    "the only placeholder allowed is {tenantid}, once (an Entra multi-tenant issuer such as"
                            + " https://login.microsoftonline.com/{tenantid}/v2.0)");
            return null;
        }
        URI sample = m.urlAt(path, written.replace(placeholder, SAMPLE_DIRECTORY_TENANT), UrlKind.ISSUER);
        if (sample == null) {
            return null;
        }
        if (sample.getRawPath() == null || !sample.getRawPath().contains(SAMPLE_DIRECTORY_TENANT)) {
            m.problem("issuer", "{tenantid} must be in the path of the issuer, not in its host");
            return null;
        }
        return written;
    }

    /**
     * The directory (tenant) ids a {@code {tenantid}} issuer accepts, lower-cased as Entra writes
     * them in {@code tid} and {@code iss}: required and non-empty with a template, so that a template
     * never means "any tenant"; refused without one.
     */
    private static List<String> allowedTenants(MappingReader m, @Nullable String issuer) {
        boolean template = issuer != null && issuer.contains(IssuerConfig.TENANT_PLACEHOLDER);
        if (!m.has("allowedTenants")) {
            if (template) {
                m.problem(
                        "allowedTenants",
                        "is required with {tenantid} in the issuer: list the directory (tenant) ids whose tokens"
                                + " are accepted (without it any Entra tenant would be)");
            }
            return List.of();
        }
        if (issuer != null && !template) {
            m.problem("allowedTenants", "applies only to an issuer containing {tenantid}");
            return List.of();
        }
        m.requiredTexts("allowedTenants");
        List<String> tenants = new ArrayList<>();
        for (Element element : m.list("allowedTenants")) {
            JsonNode node = element.node();
            if (!node.isString()) {
                continue;
            }
            String id = node.stringValue().strip().toLowerCase(Locale.ROOT);
            if (!DIRECTORY_TENANT_ID.matcher(id).matches()) {
                m.problemAt(
                        element.path(),
                        "must be a directory (tenant) id, a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47"
                                + " (common, organizations and consumers are not tenants)");
            } else if (!tenants.contains(id)) {
                tenants.add(id);
            }
        }
        return List.copyOf(tenants);
    }

    /** Where opaque tokens are introspected (RFC 7662), for an exact issuer only. */
    private @Nullable IntrospectionConfig introspection(MappingReader m, @Nullable String issuer) {
        if (!m.has("introspection")) {
            return null;
        }
        MappingReader i = m.mapping("introspection", INTROSPECTION_KEYS);
        if (i == null) {
            return null;
        }
        URI endpoint = i.url("endpoint", UrlKind.SECURE, true);
        String clientId = i.requiredText("clientId");
        Secret clientSecret = i.secret("clientSecret");
        if (clientSecret == null && !i.has("clientSecret")) {
            i.problem("clientSecret", "is required: the introspection endpoint is called with client_secret_basic");
        }
        if (issuer != null && issuer.contains(IssuerConfig.TENANT_PLACEHOLDER)) {
            i.problemAt(i.path(), "applies only to an exact issuer, not to one with {tenantid}");
        }
        if (!i.valid() || endpoint == null || clientSecret == null) {
            m.invalidate();
            return null;
        }
        return new IntrospectionConfig(endpoint, clientId, clientSecret);
    }

    private static List<SigningAlgorithm> algorithms(MappingReader m) {
        if (!m.has("algorithms")) {
            return SigningAlgorithm.DEFAULTS;
        }
        List<String> names = m.requiredTexts("algorithms");
        List<SigningAlgorithm> algorithms = new ArrayList<>();
        List<Element> elements = m.list("algorithms");
        for (int i = 0; i < elements.size(); i++) {
            JsonNode node = elements.get(i).node();
            if (!node.isString()) {
                continue;
            }
            String name = node.stringValue().strip();
            Optional<SigningAlgorithm> algorithm = SigningAlgorithm.byJwsName(name);
            if (algorithm.isPresent()) {
                if (!algorithms.contains(algorithm.get())) {
                    algorithms.add(algorithm.get());
                }
            } else if (name.toUpperCase(Locale.ROOT).startsWith("HS") || name.equalsIgnoreCase("none")) {
                m.problemAt(
                        elements.get(i).path(),
                        "symmetric and unsigned algorithms are not allowed (RFC 8725 §3.1); use one of "
                                + algorithmNames());
            } else if (!name.isEmpty()) {
                m.problemAt(elements.get(i).path(), "unknown algorithm; allowed: " + algorithmNames());
            }
        }
        return names.isEmpty() ? SigningAlgorithm.DEFAULTS : List.copyOf(algorithms);
    }

    private static String algorithmNames() {
        return String.join(
                ", ",
                Arrays.stream(SigningAlgorithm.values())
                        .map(SigningAlgorithm::jwsName)
                        .toList());
    }

    private @Nullable IdentityConfig identity(MappingReader t) {
        MappingReader m = t.mapping("identity", IDENTITY_KEYS);
        if (m == null) {
            return null;
        }
        boolean linkVerifiedEmail = m.bool("linkVerifiedEmail", false);
        IdentityConfig.Provisioning provisioning =
                m.choice("provisioning", IdentityConfig.Provisioning.OFF, names(IdentityConfig.Provisioning.values()));
        String groupsClaim = m.text("groupsClaim", "groups");
        try {
            ClaimPath.parse(groupsClaim);
        } catch (IllegalArgumentException e) {
            m.problem("groupsClaim", messageOf(e));
        }
        Map<String, List<String>> roleMapping = roleMapping(m);
        GroupDirectoryConfig groupDirectory = groupDirectory(m);
        if (!m.valid()) {
            t.invalidate();
            return null;
        }
        return new IdentityConfig(
                linkVerifiedEmail, provisioning, groupsClaim, roleMapping, Optional.ofNullable(groupDirectory));
    }

    /**
     * {@code groupDirectory: {endpoint, tokenEndpoint, clientId, clientSecret, scope}}: where Entra's
     * groups overage is resolved. The endpoint must contain {@code {oid}} and, like the token
     * endpoint, use https ({@code http} only on a loopback address with
     * development.allowInsecureHttp).
     */
    private @Nullable GroupDirectoryConfig groupDirectory(MappingReader m) {
        if (!m.has("groupDirectory")) {
            return null;
        }
        MappingReader g = m.mapping("groupDirectory", GROUP_DIRECTORY_KEYS);
        if (g == null) {
            return null;
        }
        String endpoint = g.requiredText("endpoint");
        if (g.has("endpoint") && !endpoint.isEmpty()) {
            groupDirectoryEndpoint(g, endpoint);
        }
        URI tokenEndpoint = g.url("tokenEndpoint", UrlKind.SECURE, true);
        String clientId = g.requiredText("clientId");
        Secret clientSecret = g.secret("clientSecret");
        if (clientSecret == null && !g.has("clientSecret")) {
            g.problem("clientSecret", "is required: the directory's token is obtained with client credentials");
        }
        String scope = g.text("scope", GroupDirectoryConfig.DEFAULT_SCOPE);
        if (scope.isBlank()) {
            g.problem("scope", "must not be blank");
        }
        if (!g.valid() || tokenEndpoint == null || clientSecret == null) {
            m.invalidate();
            return null;
        }
        return new GroupDirectoryConfig(endpoint.strip(), tokenEndpoint, clientId, clientSecret, scope);
    }

    private static void groupDirectoryEndpoint(MappingReader g, String endpoint) {
        String path = g.childPath("endpoint");
        if (!endpoint.contains(GroupDirectoryConfig.OBJECT_ID_PLACEHOLDER)) {
            g.problemAt(path, "must contain {oid}, which stands for the user's object id");
            return;
        }
        URI sample = g.urlAt(
                path,
                endpoint.replace(GroupDirectoryConfig.OBJECT_ID_PLACEHOLDER, "00000000-0000-0000-0000-000000000000"),
                UrlKind.SECURE);
        // The directory client trusts only loopback IP literals over http: a name could resolve elsewhere.
        if (sample != null
                && "http".equalsIgnoreCase(sample.getScheme())
                && "localhost".equalsIgnoreCase(sample.getHost())) {
            g.problemAt(path, "must name a loopback address (127.0.0.1 or [::1]) to use http, not localhost");
        }
    }

    /**
     * {@code roleMapping: { "<group value>": [role, ...] }}: what the administrator grants; checked
     * against the same rules as {@link IdentityPolicy#withRoleMapping}, reported per entry.
     */
    private static Map<String, List<String>> roleMapping(MappingReader m) {
        Map<String, List<String>> mapping = new LinkedHashMap<>();
        List<Map.Entry<String, JsonNode>> entries = m.entries("roleMapping");
        if (entries.size() > MAX_ROLE_MAPPING_GROUPS) {
            m.problem("roleMapping", "must map at most " + MAX_ROLE_MAPPING_GROUPS + " groups");
            return Map.of();
        }
        String mappingPath = m.childPath("roleMapping");
        for (Map.Entry<String, JsonNode> entry : entries) {
            String entryPath = KeyPaths.child(mappingPath, entry.getKey());
            JsonNode value = entry.getValue();
            List<String> roles = new ArrayList<>();
            if (value != null && value.isString()) {
                roles.add(value.stringValue());
            } else if (value != null && value.isArray() && value.isEmpty()) {
                m.problemAt(entryPath, "must list at least one role");
                continue;
            } else if (value != null && value.isArray()) {
                @Nullable JsonNode notText = null;
                for (JsonNode role : value) {
                    if (role.isString()) {
                        roles.add(role.stringValue());
                    } else if (notText == null) {
                        notText = role;
                    }
                }
                if (notText != null) {
                    m.problemAt(
                            entryPath,
                            "expected a list of role names, got a list containing " + MappingReader.kind(notText));
                    continue;
                }
            } else {
                m.problemAt(
                        entryPath,
                        "expected a role name or a list of role names, got "
                                + (value == null ? "nothing" : MappingReader.kind(value)));
                continue;
            }
            try {
                IdentityPolicy.defaults().withRoleMapping(Map.of(entry.getKey(), roles));
            } catch (IllegalArgumentException e) {
                m.problemAt(entryPath, messageOf(e));
                continue;
            }
            mapping.put(entry.getKey(), roles.stream().distinct().toList());
        }
        return mapping;
    }

    private static @Nullable ApiKeysConfig apiKeys(MappingReader t) {
        MappingReader m = t.mapping("apiKeys", API_KEYS_KEYS);
        if (m == null) {
            return null;
        }
        boolean enabled = m.bool("enabled", false);
        int maxFailuresPerMinute = m.integer(
                "maxFailuresPerMinute",
                ApiKeysConfig.DEFAULT_MAX_FAILURES_PER_MINUTE,
                1,
                ApiKeysConfig.MAX_FAILURES_LIMIT);
        if (!m.valid()) {
            t.invalidate();
            return null;
        }
        return new ApiKeysConfig(enabled, maxFailuresPerMinute);
    }

    private @Nullable LoginConfig login(MappingReader t) {
        MappingReader m = t.mapping("login", LOGIN_KEYS);
        if (m == null) {
            return null;
        }
        URI issuer = m.url("issuer", UrlKind.ISSUER, true);
        String clientId = m.requiredText("clientId");
        Secret clientSecret = m.secret("clientSecret");
        List<String> scopes = m.texts("scopes", LoginConfig.DEFAULT_SCOPES);
        if (m.has("scopes") && !scopes.contains("openid") && m.valid()) {
            m.problem("scopes", "must include openid: browser login is OpenID Connect");
        }
        boolean formPost =
                m.choice("responseMode", LoginConfig.ResponseMode.QUERY, names(LoginConfig.ResponseMode.values()))
                        == LoginConfig.ResponseMode.FORM_POST;
        if (!m.valid() || issuer == null) {
            return null;
        }
        return new LoginConfig(issuer, clientId, Optional.ofNullable(clientSecret), scopes, formPost);
    }

    private @Nullable CorsConfig cors(MappingReader t) {
        MappingReader m = t.mapping("cors", CORS_KEYS);
        if (m == null) {
            return null;
        }
        List<String> origins = new ArrayList<>();
        for (Element element : m.list("allowedOrigins")) {
            String origin = origin(m, element);
            if (origin != null && !origins.contains(origin)) {
                origins.add(origin);
            }
        }
        if (!m.valid()) {
            t.invalidate();
            return null;
        }
        return new CorsConfig(origins);
    }

    /**
     * An exact origin, normalised as browsers send it in {@code Origin}: lower-case scheme and host,
     * default port omitted. Wildcards and {@code null} would let any site read responses meant for
     * the tenant (Fetch Standard, CORS protocol).
     */
    private static @Nullable String origin(MappingReader m, Element element) {
        String path = element.path();
        if (!element.node().isString() || element.node().stringValue().isBlank()) {
            m.problemAt(
                    path,
                    "expected an origin such as https://admin.example.com, got " + MappingReader.kind(element.node()));
            return null;
        }
        String text = element.node().stringValue().strip();
        if (text.contains("*")) {
            m.problemAt(path, "wildcards are not allowed; list each exact origin, such as https://admin.example.com");
            return null;
        }
        if (text.equalsIgnoreCase("null")) {
            m.problemAt(path, "the null origin is not allowed");
            return null;
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            m.problemAt(path, "is not a valid origin; write scheme://host[:port], such as https://admin.example.com");
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || !(scheme.equals("https") || scheme.equals("http"))) {
            m.problemAt(path, "is not a valid origin; write scheme://host[:port], such as https://admin.example.com");
            return null;
        }
        if (!uri.getRawPath().isEmpty()
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null
                || uri.getRawUserInfo() != null) {
            m.problemAt(path, "must be an origin without a path, such as https://admin.example.com");
            return null;
        }
        if (scheme.equals("http") && !m.insecureAllowed(host)) {
            m.problemAt(path, m.httpsRequired());
            return null;
        }
        int port = uri.getPort();
        boolean defaultPort =
                port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    private List<ServiceConfig> services(MappingReader t) {
        List<ServiceConfig> services = new ArrayList<>();
        Map<String, String> idPaths = new HashMap<>();
        Map<String, String> clientIdPaths = new HashMap<>();
        for (Element element : t.list("services")) {
            MappingReader m = MappingReader.open(context, element.path(), element.node(), SERVICE_KEYS);
            if (m == null) {
                t.invalidate();
                continue;
            }
            String id = m.requiredText("id");
            String clientId = m.requiredText("clientId");
            List<String> scopes = m.texts("scopes", List.of());
            if (!id.isEmpty() && idPaths.putIfAbsent(id, m.childPath("id")) != null) {
                m.problem("id", "another service of this tenant has the same id (" + idPaths.get(id) + ")");
            }
            if (!clientId.isEmpty() && clientIdPaths.putIfAbsent(clientId, m.childPath("clientId")) != null) {
                m.problem(
                        "clientId",
                        "another service of this tenant has the same clientId (" + clientIdPaths.get(clientId) + ")");
            }
            if (m.valid()) {
                services.add(new ServiceConfig(id, clientId, scopes));
            } else {
                t.invalidate();
            }
        }
        return services;
    }

    private Map<ResourceName, ResourceConfig> resources(MappingReader t, @Nullable LoginConfig login) {
        Map<ResourceName, ResourceConfig> resources = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : t.entries("resources")) {
            String path = KeyPaths.child(t.childPath("resources"), entry.getKey());
            ResourceName name = null;
            try {
                name = ResourceName.of(entry.getKey());
            } catch (IllegalArgumentException e) {
                t.problemAt(path, messageOf(e));
            }
            ResourceConfig resource = resource(name, path, entry.getValue(), t.has("login"), login);
            if (name == null || resource == null) {
                t.invalidate();
            } else {
                resources.put(name, resource);
            }
        }
        return resources;
    }

    private @Nullable ResourceConfig resource(
            @Nullable ResourceName name, String path, JsonNode node, boolean hasLogin, @Nullable LoginConfig login) {
        MappingReader m = MappingReader.open(context, path, node, RESOURCE_KEYS);
        if (m == null) {
            return null;
        }
        URI url = m.url("url", UrlKind.SECURE, true);
        ResourceAccess access = null;
        boolean hasAuthorization = m.has("authorization");
        boolean hasExchange = m.has("exchange");
        if (hasAuthorization && hasExchange) {
            m.problemAt(path, "configure either authorization or exchange, not both");
        } else if (!hasAuthorization && !hasExchange) {
            m.problemAt(path, "configure how a token is obtained: authorization or exchange");
        } else if (hasAuthorization) {
            access = authorization(m);
        } else {
            access = exchange(m, hasLogin, login);
        }
        if (!m.valid() || name == null || url == null || access == null) {
            return null;
        }
        return new ResourceConfig(name, url, access);
    }

    private @Nullable AuthorizationConfig authorization(MappingReader resource) {
        MappingReader m = resource.mapping("authorization", AUTHORIZATION_KEYS);
        if (m == null) {
            return null;
        }
        AuthorizationConfig.Discovery discovery = m.choice(
                "discovery", AuthorizationConfig.Discovery.RFC9728, names(AuthorizationConfig.Discovery.values()));
        boolean dynamicRegistration = m.bool("dynamicRegistration", false);
        List<String> scopes = m.texts("scopes", List.of());
        URI authorizationEndpoint = m.url("authorizationEndpoint", UrlKind.SECURE, false);
        URI tokenEndpoint = m.url("tokenEndpoint", UrlKind.SECURE, false);
        String clientId = m.optionalText("clientId");
        Secret clientSecret = m.secret("clientSecret");
        URI issuer = m.url("issuer", UrlKind.SECURE, false);
        URI revocationEndpoint = m.url("revocationEndpoint", UrlKind.SECURE, false);
        URI resourceIndicator = m.url("resourceIndicator", UrlKind.SECURE, false);
        AuthorizationConfig.ClientAuthMethod clientAuthMethod = m.has("clientAuthMethod")
                ? m.choice(
                        "clientAuthMethod",
                        AuthorizationConfig.ClientAuthMethod.CLIENT_SECRET_BASIC,
                        names(AuthorizationConfig.ClientAuthMethod.values()))
                : null;
        Map<String, String> parameters = m.textMap("authorizationParameters");
        for (String parameter : parameters.keySet()) {
            if (RESERVED_AUTHORIZATION_PARAMETERS.contains(parameter)) {
                m.problemAt(
                        KeyPaths.child(m.childPath("authorizationParameters"), parameter),
                        "is set by Latchkey itself and cannot be configured");
            }
        }
        Duration refreshSkew = m.duration("refreshSkew", AuthorizationConfig.DEFAULT_REFRESH_SKEW);
        boolean isStatic = discovery == AuthorizationConfig.Discovery.STATIC;
        boolean needsIssuer =
                discovery == AuthorizationConfig.Discovery.RFC8414 || discovery == AuthorizationConfig.Discovery.OIDC;
        if (needsIssuer && !m.has("issuer")) {
            m.problem("issuer", "is required with discovery: rfc8414 or oidc (its metadata is discovered from it)");
        }
        if (!isStatic && m.has("revocationEndpoint")) {
            m.problem("revocationEndpoint", "is allowed only with discovery: static (otherwise it is discovered)");
        }
        if (clientAuthMethod == AuthorizationConfig.ClientAuthMethod.NONE && m.has("clientSecret")) {
            m.problem("clientAuthMethod", "none means a public client: remove clientSecret");
        }
        if (clientAuthMethod != null
                && clientAuthMethod != AuthorizationConfig.ClientAuthMethod.NONE
                && !m.has("clientSecret")) {
            m.problem(
                    "clientSecret",
                    "is required with clientAuthMethod "
                            + clientAuthMethod.name().toLowerCase(Locale.ROOT));
        }
        if (dynamicRegistration) {
            m.problem(
                    "dynamicRegistration",
                    "RFC 7591 dynamic registration is not supported yet: register Latchkey at the"
                            + " authorization server and configure clientId (and clientSecret)");
        }
        for (String endpoint : List.of("authorizationEndpoint", "tokenEndpoint")) {
            if (isStatic && !m.has(endpoint)) {
                m.problem(endpoint, "is required with discovery: static");
            } else if (!isStatic && m.has(endpoint)) {
                m.problem(endpoint, "is allowed only with discovery: static (otherwise it is discovered)");
            }
        }
        if (dynamicRegistration) {
            if (isStatic) {
                m.problem("dynamicRegistration", "needs discovery (rfc9728, rfc8414 or oidc), not static");
            }
            if (m.has("clientId")) {
                m.problem("clientId", "must not be set with dynamicRegistration: true (the client is registered)");
            }
            if (m.has("clientSecret")) {
                m.problem("clientSecret", "must not be set with dynamicRegistration: true (the client is registered)");
            }
        } else if (isStatic && !m.has("clientId")) {
            m.problem("clientId", "is required with discovery: static");
        } else if (!m.has("clientId") && m.has("clientSecret")) {
            m.problem("clientId", "is required with clientSecret");
        }
        if (!m.valid()) {
            resource.invalidate();
            return null;
        }
        return new AuthorizationConfig(
                discovery,
                dynamicRegistration,
                scopes,
                Optional.ofNullable(authorizationEndpoint),
                Optional.ofNullable(tokenEndpoint),
                Optional.ofNullable(clientId),
                Optional.ofNullable(clientSecret),
                Optional.ofNullable(issuer),
                Optional.ofNullable(revocationEndpoint),
                Optional.ofNullable(clientAuthMethod),
                Optional.ofNullable(resourceIndicator),
                parameters,
                refreshSkew);
    }

    private @Nullable ExchangeConfig exchange(MappingReader resource, boolean hasLogin, @Nullable LoginConfig login) {
        MappingReader m = resource.mapping("exchange", EXCHANGE_KEYS);
        if (m == null) {
            return null;
        }
        ExchangeConfig.Type type = null;
        if (m.has("type")) {
            type = m.choice("type", ExchangeConfig.Type.OBO, names(ExchangeConfig.Type.values()));
        } else {
            m.problem("type", "is required: obo or rfc8693");
        }
        List<String> scopes = m.texts("scopes", List.of());
        String audience = m.optionalText("audience");
        if (type == ExchangeConfig.Type.OBO && scopes.isEmpty()) {
            m.problem("scopes", "On-Behalf-Of needs at least one scope, such as https://graph.example.com/.default");
        }
        if (!hasLogin || (login != null && login.clientSecret().isEmpty())) {
            m.problemAt(
                    m.path(),
                    "token exchange authenticates as the tenant's login client: configure login.clientId and"
                            + " login.clientSecret");
        }
        if (!m.valid() || type == null) {
            resource.invalidate();
            return null;
        }
        return new ExchangeConfig(type, scopes, Optional.ofNullable(audience));
    }

    /**
     * Two tenants trusting one issuer cannot be told apart by the token alone; requests must then
     * name their tenant, so say so at start.
     */
    private void warnAboutSharedIssuers(Map<TenantId, TenantConfig> tenants) {
        Map<String, TenantId> firstTenant = new HashMap<>();
        for (TenantConfig tenant : tenants.values()) {
            for (int i = 0; i < tenant.issuers().size(); i++) {
                String issuer = tenant.issuers().get(i).issuer();
                TenantId other = firstTenant.putIfAbsent(issuer, tenant.id());
                if (other != null) {
                    context.warning(
                            "tenants." + tenant.id() + ".issuers[" + i + "].issuer",
                            "tenant " + other + " trusts the same issuer; requests with its tokens must name their"
                                    + " tenant in X-Tenant-Id");
                }
            }
        }
    }

    private static <E extends Enum<E>> Map<String, E> names(E[] values) {
        Map<String, E> names = new LinkedHashMap<>();
        for (E value : values) {
            names.put(value.name().toLowerCase(Locale.ROOT), value);
        }
        return names;
    }

    private static String messageOf(IllegalArgumentException e) {
        String message = e.getMessage();
        return message == null ? "is not valid" : message;
    }
}
