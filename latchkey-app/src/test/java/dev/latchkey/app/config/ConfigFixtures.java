package dev.latchkey.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Configurations and environments shared by the configuration tests. */
final class ConfigFixtures {
    static final String ACME_SECRET = "acme-s3cret-9f8e7d6c5b4a";
    static final String JIRA_SECRET = "jira-s3cret-1a2b3c4d5e6f";
    static final String DB_PASSWORD = "db-pa55word-0123456789";

    /** The smallest valid configuration: one tenant with one issuer; everything else defaults. */
    static final String MINIMAL = """
            tenants:
              acme:
                issuers:
                  - issuer: https://idp.example.com/realms/acme
                    audiences: [latchkey]
            """;

    /** A configuration that sets every key of the schema. */
    static final String FULL = """
            server:
              host: 0.0.0.0
              port: 9443
              publicUrl: https://auth.example.com/latchkey
              drainTimeout: 1500ms
              trustForwardedFor: true
            database:
              url: jdbc:postgresql://127.0.0.1:5432/latchkey
              user: latchkey
              password: ${DB_PASSWORD}
              poolSize: 25
            keys:
              keyset: file:/var/lib/latchkey/keyset.json
            development:
              allowInsecureHttp: false
              generateKeyset: false
            logging:
              level: debug
            refresh:
              deadline: 15s
              proactive: false
              window: 10m
              idleLimit: 12h
              ratePerSecond: 50
              concurrency: 8
            tenants:
              acme:
                issuers:
                  - issuer: https://idp.example.com/realms/acme
                    jwksUri: https://idp.example.com/realms/acme/certs
                    audiences: [latchkey, latchkey-api]
                    requiredScopes: [remote_agent]
                    algorithms: [ES256, EdDSA]
                    clockSkew: 5m
                identity:
                  linkVerifiedEmail: true
                  provisioning: jit
                  groupsClaim: roles
                  roleMapping:
                    latchkey-admins: [admin, auditor]
                    "CN=ops,OU=groups": operator
                apiKeys:
                  enabled: true
                  maxFailuresPerMinute: 50
                login:
                  issuer: https://idp.example.com/realms/acme
                  clientId: latchkey
                  clientSecret: ${ACME_SECRET}
                  scopes: [openid, email]
                cors:
                  allowedOrigins: [https://admin.example.com, "https://chat.example.com:8443"]
                services:
                  - id: chat-backend
                    clientId: chat-backend
                    scopes: [tokens:read, proxy]
                resources:
                  mcp:
                    url: https://mcp.example.com/mcp
                    authorization:
                      discovery: static
                      dynamicRegistration: false
                      scopes: [repo]
                      authorizationEndpoint: https://as.example.com/authorize
                      tokenEndpoint: https://as.example.com/token
                      clientId: latchkey-mcp
                      clientSecret: ${JIRA_SECRET}
                  graph:
                    url: https://graph.example.com
                    exchange:
                      type: obo
                      scopes: [https://graph.example.com/.default]
                      audience: https://graph.example.com
            """;

    private ConfigFixtures() {}

    /** The environment {@link #FULL} needs. */
    static Map<String, String> fullEnvironment() {
        return Map.of("ACME_SECRET", ACME_SECRET, "JIRA_SECRET", JIRA_SECRET, "DB_PASSWORD", DB_PASSWORD);
    }

    static ConfigLoader loader(Map<String, String> environment) {
        Map<String, String> copy = new HashMap<>(environment);
        return new ConfigLoader(name -> Optional.ofNullable(copy.get(name)));
    }

    static ConfigLoader loader() {
        return loader(fullEnvironment());
    }

    static LatchkeyConfig valid(LoadResult result) {
        assertThat(result).isInstanceOf(LoadResult.Loaded.class);
        return result.orElseThrow();
    }

    static List<ConfigProblem> problems(LoadResult result) {
        assertThat(result).isInstanceOf(LoadResult.Invalid.class);
        return ((LoadResult.Invalid) result).problems();
    }

    /** MINIMAL with one more tenant-level block, indented under {@code acme}. */
    static String minimalWith(String tenantYaml) {
        return MINIMAL + tenantYaml.indent(4);
    }
}
