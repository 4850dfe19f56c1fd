package dev.latchkey.app.config;

import static dev.latchkey.app.config.ConfigFixtures.MINIMAL;
import static dev.latchkey.app.config.ConfigFixtures.loader;
import static dev.latchkey.app.config.ConfigFixtures.minimalWith;
import static dev.latchkey.app.config.ConfigFixtures.problems;
import static dev.latchkey.app.config.ConfigFixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.tenant.TenantId;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule of the schema, broken once, is reported at the key that breaks it. */
class ConfigRulesTest {

    private static final String ACME = "tenants.acme.";
    private static final String HTTPS_HINT =
            "must use https (set development.allowInsecureHttp: true to allow http on loopback hosts)";

    static Stream<Arguments> brokenRules() {
        return Stream.of(
                rule(
                        "unknown top-level key",
                        "serverz: {}\n" + MINIMAL,
                        "serverz",
                        "unknown key 'serverz'; allowed keys here: server, database, keys, development, logging, refresh,"
                                + " sessions, tenants"),
                rule(
                        "refresh deadline too short",
                        "refresh: { deadline: 500ms }\n" + MINIMAL,
                        "refresh.deadline",
                        "must be between 1s and 2m"),
                rule(
                        "refresh window shorter than a run",
                        "refresh: { window: 10s }\n" + MINIMAL,
                        "refresh.window",
                        "must be between 30s and 1h"),
                rule(
                        "refresh idle limit too long",
                        "refresh: { idleLimit: 1000h }\n" + MINIMAL,
                        "refresh.idleLimit",
                        "must be between 1m and 720h"),
                rule(
                        "refresh rate zero",
                        "refresh: { ratePerSecond: 0 }\n" + MINIMAL,
                        "refresh.ratePerSecond",
                        "must be between 1 and 1000"),
                rule(
                        "refresh concurrency too high",
                        "refresh: { concurrency: 65 }\n" + MINIMAL,
                        "refresh.concurrency",
                        "must be between 1 and 64"),
                rule(
                        "refresh proactive not a boolean",
                        "refresh: { proactive: yes }\n" + MINIMAL,
                        "refresh.proactive",
                        "expected true or false, got text"),
                rule(
                        "refresh unknown key",
                        "refresh: { rate: 5 }\n" + MINIMAL,
                        "refresh.rate",
                        "allowed keys here: deadline, proactive, window, idleLimit, ratePerSecond, concurrency"),
                rule(
                        "unknown nested key",
                        "server: { prot: 1 }\n" + MINIMAL,
                        "server.prot",
                        "unknown key 'prot'; allowed keys here: host, port, publicUrl, drainTimeout"),
                rule(
                        "number expected",
                        "server: { port: eighty }\n" + MINIMAL,
                        "server.port",
                        "expected a whole number, got text"),
                rule(
                        "fractional port",
                        "server: { port: 80.5 }\n" + MINIMAL,
                        "server.port",
                        "expected a whole number, got a number"),
                rule(
                        "port too large",
                        "server: { port: 65536 }\n" + MINIMAL,
                        "server.port",
                        "must be between 0 and 65535"),
                rule("port negative", "server: { port: -1 }\n" + MINIMAL, "server.port", "must be between 0 and 65535"),
                rule("mapping expected", "server: 8080\n" + MINIMAL, "server", "expected a mapping, got a number"),
                rule("text expected", "server: { host: [a] }\n" + MINIMAL, "server.host", "expected text, got a list"),
                rule(
                        "duration without unit",
                        "server: { drainTimeout: \"10\" }\n" + MINIMAL,
                        "server.drainTimeout",
                        "expected a duration such as 500ms, 10s, 5m, 1h or 7d, got text without a unit"),
                rule(
                        "relative public URL",
                        "server: { publicUrl: /latchkey }\n" + MINIMAL,
                        "server.publicUrl",
                        "must be an absolute URL such as https://host.example.com/path"),
                rule(
                        "boolean expected",
                        "development: { allowInsecureHttp: yes }\n" + MINIMAL,
                        "development.allowInsecureHttp",
                        "expected true or false, got text"),
                rule(
                        "unsupported database",
                        "database: { url: \"jdbc:mysql://db/latchkey\" }\n" + MINIMAL,
                        "database.url",
                        "must be a jdbc:h2: or jdbc:postgresql: URL"),
                rule(
                        "password in database URL",
                        "database: { url: \"jdbc:postgresql://db/latchkey?user=a&password=b\" }\n" + MINIMAL,
                        "database.url",
                        "must not contain a password"),
                rule(
                        "pool size zero",
                        "database: { poolSize: 0 }\n" + MINIMAL,
                        "database.poolSize",
                        "must be between 1 and 1000"),
                rule(
                        "keyset scheme",
                        "keys: { keyset: ./keyset.json }\n" + MINIMAL,
                        "keys.keyset",
                        "must be file:<path> or env:<VARIABLE>"),
                rule(
                        "keyset variable unset",
                        "keys: { keyset: \"env:NO_SUCH_KEYSET\" }\n" + MINIMAL,
                        "keys.keyset",
                        "environment variable NO_SUCH_KEYSET is not set"),
                rule(
                        "log level",
                        "logging: { level: loud }\n" + MINIMAL,
                        "logging.level",
                        "must be one of trace, debug, info, warn, error"),
                rule("no tenants key", "server: {}\n", "tenants", "is required: configure at least one tenant"),
                rule("empty tenants", "tenants: {}\n", "tenants", "must configure at least one tenant"),
                rule(
                        "tenant id",
                        MINIMAL.replace("acme:", "Acme Corp:"),
                        "tenants.Acme Corp",
                        "tenant id must be 1-63 characters of a-z, 0-9, '-' or '_', starting with a letter or digit"),
                rule(
                        "tenant without authentication",
                        "tenants:\n  acme: {}\n",
                        "tenants.acme",
                        "the tenant cannot authenticate anyone: configure issuers, login or apiKeys.enabled: true"),
                rule(
                        "http issuer",
                        MINIMAL.replace("https://idp", "http://idp"),
                        ACME + "issuers[0].issuer",
                        HTTPS_HINT),
                rule(
                        "issuer with query",
                        MINIMAL.replace("realms/acme", "realms/acme?x=1"),
                        ACME + "issuers[0].issuer",
                        "must not contain a query"),
                rule(
                        "issuer missing",
                        "tenants:\n  acme:\n    issuers: [ { audiences: [a] } ]\n",
                        ACME + "issuers[0].issuer",
                        "is required"),
                rule(
                        "issuer with credentials",
                        MINIMAL.replace("https://idp", "https://u:p@idp"),
                        ACME + "issuers[0].issuer",
                        "must not contain a user name or password"),
                rule(
                        "audiences missing",
                        "tenants:\n  acme:\n    issuers: [ { issuer: \"https://idp.example.com\" } ]\n",
                        ACME + "issuers[0].audiences",
                        "is required"),
                rule(
                        "audiences empty",
                        MINIMAL.replace("[latchkey]", "[]"),
                        ACME + "issuers[0].audiences",
                        "must list at least one value"),
                rule(
                        "audience blank",
                        MINIMAL.replace("[latchkey]", "[\" \"]"),
                        ACME + "issuers[0].audiences[0]",
                        "must not be empty"),
                rule(
                        "http jwks",
                        minimalIssuer("jwksUri: http://idp.example.com/certs"),
                        ACME + "issuers[0].jwksUri",
                        HTTPS_HINT),
                rule(
                        "symmetric algorithm",
                        minimalIssuer("algorithms: [RS256, HS256]"),
                        ACME + "issuers[0].algorithms[1]",
                        "symmetric and unsigned algorithms are not allowed"),
                rule(
                        "none algorithm",
                        minimalIssuer("algorithms: [none]"),
                        ACME + "issuers[0].algorithms[0]",
                        "symmetric and unsigned algorithms are not allowed"),
                rule(
                        "unknown algorithm",
                        minimalIssuer("algorithms: [RSA256]"),
                        ACME + "issuers[0].algorithms[0]",
                        "unknown algorithm; allowed: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512,"
                                + " EdDSA"),
                rule(
                        "clock skew too large",
                        minimalIssuer("clockSkew: 301s"),
                        ACME + "issuers[0].clockSkew",
                        "must be at most 300s (5 minutes)"),
                rule(
                        "issuer listed twice",
                        MINIMAL + "      - { issuer: \"https://idp.example.com/realms/acme\"," + " audiences: [b] }\n",
                        ACME + "issuers[1].issuer",
                        "this issuer is already listed for the tenant"),
                rule(
                        "provisioning",
                        minimalWith("identity: { provisioning: auto }"),
                        ACME + "identity.provisioning",
                        "must be one of off, jit"),
                rule(
                        "login issuer http",
                        minimalWith("login: { issuer: \"http://idp.example.com\", clientId: c }"),
                        ACME + "login.issuer",
                        HTTPS_HINT),
                rule(
                        "login client id missing",
                        minimalWith("login: { issuer: \"https://idp.example.com\" }"),
                        ACME + "login.clientId",
                        "is required"),
                rule(
                        "login without openid",
                        minimalWith("login: { issuer: \"https://idp.example.com\", clientId: c, scopes: [email] }"),
                        ACME + "login.scopes",
                        "must include openid"),
                rule(
                        "wildcard origin",
                        minimalWith("cors: { allowedOrigins: [\"https://*.example.com\"] }"),
                        ACME + "cors.allowedOrigins[0]",
                        "wildcards are not allowed"),
                rule(
                        "star origin",
                        minimalWith("cors: { allowedOrigins: [\"*\"] }"),
                        ACME + "cors.allowedOrigins[0]",
                        "wildcards are not allowed"),
                rule(
                        "origin with path",
                        minimalWith("cors: { allowedOrigins: [\"https://admin.example.com/\"] }"),
                        ACME + "cors.allowedOrigins[0]",
                        "must be an origin without a path"),
                rule(
                        "null origin",
                        minimalWith("cors: { allowedOrigins: [\"null\"] }"),
                        ACME + "cors.allowedOrigins[0]",
                        "the null origin is not allowed"),
                rule(
                        "http origin",
                        minimalWith("cors: { allowedOrigins: [\"http://admin.example.com\"] }"),
                        ACME + "cors.allowedOrigins[0]",
                        HTTPS_HINT),
                rule(
                        "duplicate service id",
                        minimalWith("services: [ { id: a, clientId: x }, { id: a, clientId: y } ]"),
                        ACME + "services[1].id",
                        "another service of this tenant has the same id"),
                rule(
                        "service client id missing",
                        minimalWith("services: [ { id: a } ]"),
                        ACME + "services[0].clientId",
                        "is required"),
                rule(
                        "resource name",
                        minimalWith(
                                "resources: { \"-mcp\": { url: \"https://mcp.example.com\", exchange: { type: rfc8693 } } }"),
                        ACME + "resources.-mcp",
                        "resource name must be 1-128 characters"),
                rule(
                        "resource url http",
                        minimalWith(
                                "resources: { mcp: { url: \"http://mcp.example.com\", authorization: { dynamicRegistration: true } } }"),
                        ACME + "resources.mcp.url",
                        HTTPS_HINT),
                rule(
                        "resource url missing",
                        minimalWith("resources: { mcp: { authorization: { dynamicRegistration: true } } }"),
                        ACME + "resources.mcp.url",
                        "is required"),
                rule(
                        "resource with both",
                        minimalWith("resources: { mcp: { url: \"https://mcp.example.com\", authorization: {"
                                + " dynamicRegistration: true }, exchange: { type: rfc8693 } } }"),
                        ACME + "resources.mcp",
                        "configure either authorization or exchange, not both"),
                rule(
                        "resource with neither",
                        minimalWith("resources: { mcp: { url: \"https://mcp.example.com\" } }"),
                        ACME + "resources.mcp",
                        "configure how a token is obtained: authorization or exchange"),
                rule(
                        "discovery",
                        minimalWith(
                                "resources: { mcp: { url: \"https://mcp.example.com\", authorization: { discovery: magic,"
                                        + " dynamicRegistration: true } } }"),
                        ACME + "resources.mcp.authorization.discovery",
                        "must be one of rfc9728, rfc8414, oidc, static"),
                rule(
                        "static without endpoints",
                        minimalWith(
                                "resources: { mcp: { url: \"https://mcp.example.com\", authorization: { discovery: static,"
                                        + " clientId: c } } }"),
                        ACME + "resources.mcp.authorization.tokenEndpoint",
                        "is required with discovery: static"),
                rule(
                        "endpoint without static",
                        minimalWith(
                                "resources: { mcp: { url: \"https://mcp.example.com\", authorization: { clientId: c,"
                                        + " tokenEndpoint: \"https://as.example.com/token\" } } }"),
                        ACME + "resources.mcp.authorization.tokenEndpoint",
                        "is allowed only with discovery: static"),
                rule(
                        "client id for static",
                        minimalWith("resources: { mcp: { url: \"https://mcp.example.com\", authorization: {"
                                + " discovery: static, authorizationEndpoint: \"https://as.example.com/a\","
                                + " tokenEndpoint: \"https://as.example.com/t\" } } }"),
                        ACME + "resources.mcp.authorization.clientId",
                        "is required with discovery: static"),
                rule(
                        "secret without client id",
                        minimalWith("resources: { mcp: { url: \"https://mcp.example.com\", authorization: {"
                                + " clientSecret: s } } }"),
                        ACME + "resources.mcp.authorization.clientId",
                        "is required with clientSecret"),
                rule(
                        "dynamic registration",
                        minimalWith("resources: { mcp: { url: \"https://mcp.example.com\", authorization: {"
                                + " dynamicRegistration: true } } }"),
                        ACME + "resources.mcp.authorization.dynamicRegistration",
                        "RFC 7591 dynamic registration is not supported yet"),
                rule(
                        "issuer for oidc discovery",
                        minimalWith("resources: { mcp: { url: \"https://mcp.example.com\", authorization: {"
                                + " discovery: oidc, clientId: c } } }"),
                        ACME + "resources.mcp.authorization.issuer",
                        "is required with discovery: rfc8414 or oidc"),
                rule(
                        "reserved authorization parameter",
                        minimalWith("resources: { mcp: { url: \"https://mcp.example.com\", authorization: {"
                                + " clientId: c, authorizationParameters: { state: x } } } }"),
                        ACME + "resources.mcp.authorization.authorizationParameters.state",
                        "is set by Latchkey itself"),
                rule(
                        "public client with secret",
                        minimalWith("resources: { mcp: { url: \"https://mcp.example.com\", authorization: {"
                                + " clientId: c, clientSecret: s, clientAuthMethod: none } } }"),
                        ACME + "resources.mcp.authorization.clientAuthMethod",
                        "none means a public client"),
                rule(
                        "client id with registration",
                        minimalWith("resources: { mcp: { url: \"https://mcp.example.com\", authorization: {"
                                + " dynamicRegistration: true, clientId: c } } }"),
                        ACME + "resources.mcp.authorization.clientId",
                        "must not be set with dynamicRegistration: true"),
                rule(
                        "exchange type missing",
                        minimalWith(
                                "resources: { graph: { url: \"https://graph.example.com\", exchange: { scopes: [a] } } }"),
                        ACME + "resources.graph.exchange.type",
                        "is required: obo or rfc8693"),
                rule(
                        "obo without scopes",
                        minimalWith(
                                "resources: { graph: { url: \"https://graph.example.com\", exchange: { type: obo } } }"),
                        ACME + "resources.graph.exchange.scopes",
                        "On-Behalf-Of needs at least one scope"),
                rule(
                        "exchange without login client",
                        minimalWith(
                                "resources: { graph: { url: \"https://graph.example.com\", exchange: { type: rfc8693 } } }"),
                        ACME + "resources.graph.exchange",
                        "token exchange authenticates as the tenant's login client"),
                rule(
                        "secret of wrong type",
                        minimalWith("login: { issuer: \"https://idp.example.com\", clientId: c, clientSecret: 12345 }"),
                        ACME + "login.clientSecret",
                        "expected text or {file: path}, got a number"));
    }

    private static Arguments rule(String rule, String yaml, String path, String message) {
        return Arguments.of(rule, yaml, path, message);
    }

    private static String minimalIssuer(String line) {
        return MINIMAL + "        " + line + "\n";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenRules")
    void loadText_brokenRule_isReportedAtItsPath(String rule, String yaml, String path, String message) {
        List<ConfigProblem> problems = problems(loader().loadText(yaml));

        assertThat(problems).as(rule).anySatisfy(problem -> {
            assertThat(problem.path()).isEqualTo(path);
            assertThat(problem.message()).contains(message);
        });
    }

    @Test
    void loadText_manyProblems_areAllReported() {
        String yaml = """
                server: { port: 99999, color: blue }
                database: { url: "jdbc:oracle:thin:@db" }
                tenants:
                  acme:
                    issuers:
                      - issuer: http://idp.example.com
                        audiences: []
                        clockSkew: 10m
                    cors: { allowedOrigins: ["*"] }
                  Beta: { apiKeys: { enabled: true } }
                """;

        assertThat(problems(loader().loadText(yaml)))
                .extracting(ConfigProblem::path)
                .containsExactlyInAnyOrder(
                        "server.color",
                        "server.port",
                        "database.url",
                        "tenants.acme.issuers[0].issuer",
                        "tenants.acme.issuers[0].audiences",
                        "tenants.acme.issuers[0].clockSkew",
                        "tenants.acme.cors.allowedOrigins[0]",
                        "tenants.Beta");
    }

    @Test
    void loadText_httpOnLoopbackInDevelopment_isAccepted() {
        String yaml = "development: { allowInsecureHttp: true }\n"
                + MINIMAL.replace("https://idp.example.com", "http://localhost:8081")
                + """
                    login: { issuer: "http://127.0.0.1:8081/realms/acme", clientId: c }
                    cors: { allowedOrigins: ["http://[::1]:3000", "http://LOCALHOST:3000"] }
                    resources:
                      mcp: { url: "http://127.0.0.1:9000/mcp", authorization: { clientId: c } }
                """;

        LatchkeyConfig config = valid(loader().loadText(yaml));

        assertThat(config.tenant(TenantId.of("acme")).orElseThrow().cors().allowedOrigins())
                .containsExactly("http://[::1]:3000", "http://localhost:3000");
    }

    @Test
    void loadText_httpOnRemoteHostInDevelopment_isStillRejected() {
        String yaml = "development: { allowInsecureHttp: true }\n"
                + MINIMAL.replace("https://idp.example.com", "http://idp.example.com");

        assertThat(problems(loader().loadText(yaml)))
                .containsExactly(new ConfigProblem(
                        "tenants.acme.issuers[0].issuer",
                        "must use https (http is allowed only on loopback hosts: 127.0.0.1, ::1, localhost)"));
    }

    @Test
    void loadText_httpOnLoopbackWithoutDevelopment_isRejected() {
        String yaml = MINIMAL.replace("https://idp.example.com", "http://127.0.0.1:8081");

        assertThat(problems(loader().loadText(yaml)))
                .containsExactly(new ConfigProblem("tenants.acme.issuers[0].issuer", HTTPS_HINT));
    }

    @Test
    void loadText_corsOrigins_areNormalisedAsBrowsersSendThem() {
        LatchkeyConfig config = valid(loader().loadText(minimalWith(
                "cors: { allowedOrigins: [\"HTTPS://Admin.Example.com:443\", \"https://admin.example.com\"] }")));

        assertThat(config.tenant(TenantId.of("acme")).orElseThrow().cors().allowedOrigins())
                .containsExactly("https://admin.example.com");
    }

    @Test
    void loadText_literalSecrets_areAcceptedWithAWarningEach() {
        String yaml = "database: { password: hunter2 }\n"
                + minimalWith("login: { issuer: \"https://idp.example.com\", clientId: c, clientSecret: s3cret }");

        LoadResult result = loader().loadText(yaml);

        valid(result);
        assertThat(result.warnings())
                .extracting(ConfigProblem::path)
                .containsExactly("database.password", "tenants.acme.login.clientSecret");
        assertThat(result.warnings())
                .allSatisfy(warning ->
                        assertThat(warning.message()).contains("plain text").doesNotContain("hunter2", "s3cret"));
    }

    @Test
    void loadText_secretFromInterpolationDefault_isWarnedAboutAsLiteral() {
        LoadResult result = loader(Map.of()).loadText("database: { password: \"${DB_PW:-changeme}\" }\n" + MINIMAL);

        valid(result);
        assertThat(result.warnings()).extracting(ConfigProblem::path).containsExactly("database.password");
    }
}
