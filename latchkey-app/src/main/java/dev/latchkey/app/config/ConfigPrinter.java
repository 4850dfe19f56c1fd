package dev.latchkey.app.config;

import dev.latchkey.core.secret.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * Renders an effective configuration as YAML in the file's own schema, every default spelled out
 * and every {@link Secret} replaced by {@code ****} (security case C8-06: no secret in a config
 * dump). A keyset read from the environment shows only the variable's name.
 */
final class ConfigPrinter {
    static final String MASK = "****";

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            .enable(YAMLWriteFeature.INDENT_ARRAYS_WITH_INDICATOR)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ConfigPrinter() {}

    static String toYaml(LatchkeyConfig config) {
        ObjectNode root = NODES.objectNode();
        ServerConfig server = config.server();
        ObjectNode serverNode = root.putObject("server");
        serverNode.put("host", server.host());
        serverNode.put("port", server.port());
        serverNode.put("publicUrl", server.publicUrl().toString());
        serverNode.put("drainTimeout", duration(server.drainTimeout()));
        serverNode.put("trustForwardedFor", server.trustForwardedFor());

        DatabaseConfig database = config.database();
        ObjectNode databaseNode = root.putObject("database");
        databaseNode.put("url", database.url());
        database.user().ifPresent(user -> databaseNode.put("user", user));
        database.password().ifPresent(password -> databaseNode.put("password", MASK));
        databaseNode.put("poolSize", database.poolSize());

        root.putObject("keys").put("keyset", keyset(config.keys().keyset()));
        ObjectNode developmentNode = root.putObject("development");
        developmentNode.put("allowInsecureHttp", config.development().allowInsecureHttp());
        developmentNode.put("generateKeyset", config.development().generateKeyset());
        root.putObject("logging").put("level", config.logging().level().name());
        RefreshConfig refresh = config.refresh();
        ObjectNode refreshNode = root.putObject("refresh");
        refreshNode.put("deadline", duration(refresh.deadline()));
        refreshNode.put("proactive", refresh.proactive());
        refreshNode.put("window", duration(refresh.window()));
        refreshNode.put("idleLimit", duration(refresh.idleLimit()));
        refreshNode.put("ratePerSecond", refresh.ratePerSecond());
        refreshNode.put("concurrency", refresh.concurrency());
        SessionsConfig sessions = config.sessions();
        ObjectNode sessionsNode = root.putObject("sessions");
        sessionsNode.put("accessTokenLifetime", duration(sessions.accessTokenLifetime()));
        sessionsNode.put("refreshIdle", duration(sessions.refreshIdle()));
        sessionsNode.put("refreshAbsolute", duration(sessions.refreshAbsolute()));
        sessionsNode.put("reuseGrace", duration(sessions.reuseGrace()));
        sessionsNode.put("browserIdle", duration(sessions.browserIdle()));
        sessionsNode.put("browserAbsolute", duration(sessions.browserAbsolute()));

        ObjectNode tenantsNode = root.putObject("tenants");
        config.tenants().forEach((id, tenant) -> tenant(tenantsNode.putObject(id.value()), tenant));
        return YAML.writeValueAsString(root);
    }

    private static void tenant(ObjectNode node, TenantConfig tenant) {
        ArrayNode issuers = node.putArray("issuers");
        for (IssuerConfig issuer : tenant.issuers()) {
            ObjectNode issuerNode = issuers.addObject();
            issuerNode.put("issuer", issuer.issuer());
            if (issuer.isTemplate()) {
                texts(issuerNode, "allowedTenants", issuer.allowedTenants());
            }
            optionalUri(issuerNode, "jwksUri", issuer.jwksUri());
            texts(issuerNode, "audiences", issuer.audiences());
            texts(issuerNode, "requiredScopes", issuer.requiredScopes());
            texts(
                    issuerNode,
                    "algorithms",
                    issuer.algorithms().stream().map(SigningAlgorithm::jwsName).toList());
            issuerNode.put("clockSkew", duration(issuer.clockSkew()));
            issuer.introspection().ifPresent(introspection -> {
                ObjectNode introspectionNode = issuerNode.putObject("introspection");
                introspectionNode.put("endpoint", introspection.endpoint().toString());
                introspectionNode.put("clientId", introspection.clientId());
                introspectionNode.put("clientSecret", MASK);
            });
        }
        ObjectNode identity = node.putObject("identity");
        identity.put("linkVerifiedEmail", tenant.identity().linkVerifiedEmail());
        identity.put("provisioning", lower(tenant.identity().provisioning()));
        identity.put("groupsClaim", tenant.identity().groupsClaim());
        ObjectNode roleMapping = identity.putObject("roleMapping");
        tenant.identity().roleMapping().forEach((group, roles) -> texts(roleMapping, group, roles));
        tenant.identity().groupDirectory().ifPresent(directory -> {
            ObjectNode directoryNode = identity.putObject("groupDirectory");
            directoryNode.put("endpoint", directory.endpoint());
            directoryNode.put("tokenEndpoint", directory.tokenEndpoint().toString());
            directoryNode.put("clientId", directory.clientId());
            directoryNode.put("clientSecret", MASK);
            directoryNode.put("scope", directory.scope());
        });
        ObjectNode apiKeys = node.putObject("apiKeys");
        apiKeys.put("enabled", tenant.apiKeys().enabled());
        apiKeys.put("maxFailuresPerMinute", tenant.apiKeys().maxFailuresPerMinute());
        tenant.login().ifPresent(login -> {
            ObjectNode loginNode = node.putObject("login");
            loginNode.put("issuer", login.issuer().toString());
            loginNode.put("clientId", login.clientId());
            secret(loginNode, "clientSecret", login.clientSecret());
            texts(loginNode, "scopes", login.scopes());
            loginNode.put("responseMode", login.formPost() ? "form_post" : "query");
        });
        texts(node.putObject("cors"), "allowedOrigins", tenant.cors().allowedOrigins());
        ArrayNode services = node.putArray("services");
        for (ServiceConfig service : tenant.services()) {
            ObjectNode serviceNode = services.addObject();
            serviceNode.put("id", service.id());
            serviceNode.put("clientId", service.clientId());
            texts(serviceNode, "scopes", service.scopes());
        }
        ObjectNode resources = node.putObject("resources");
        tenant.resources().forEach((name, resource) -> resource(resources.putObject(name.value()), resource));
    }

    private static void resource(ObjectNode node, ResourceConfig resource) {
        node.put("url", resource.url().toString());
        switch (resource.access()) {
            case AuthorizationConfig authorization -> {
                ObjectNode a = node.putObject("authorization");
                a.put("discovery", lower(authorization.discovery()));
                a.put("dynamicRegistration", authorization.dynamicRegistration());
                texts(a, "scopes", authorization.scopes());
                optionalUri(a, "authorizationEndpoint", authorization.authorizationEndpoint());
                optionalUri(a, "tokenEndpoint", authorization.tokenEndpoint());
                authorization.clientId().ifPresent(clientId -> a.put("clientId", clientId));
                secret(a, "clientSecret", authorization.clientSecret());
                optionalUri(a, "issuer", authorization.issuer());
                optionalUri(a, "revocationEndpoint", authorization.revocationEndpoint());
                authorization.clientAuthMethod().ifPresent(method -> a.put("clientAuthMethod", lower(method)));
                optionalUri(a, "resourceIndicator", authorization.resourceIndicator());
                if (!authorization.authorizationParameters().isEmpty()) {
                    ObjectNode parameters = a.putObject("authorizationParameters");
                    authorization.authorizationParameters().forEach(parameters::put);
                }
                a.put("refreshSkew", authorization.refreshSkew().toSeconds() + "s");
            }
            case ExchangeConfig exchange -> {
                ObjectNode e = node.putObject("exchange");
                e.put("type", lower(exchange.type()));
                texts(e, "scopes", exchange.scopes());
                exchange.audience().ifPresent(audience -> e.put("audience", audience));
            }
        }
    }

    private static String keyset(KeysetSource source) {
        return switch (source) {
            case KeysetSource.FromFile file -> "file:" + file.path();
            case KeysetSource.FromEnvironment environment -> "env:" + environment.variable();
        };
    }

    private static void secret(ObjectNode node, String key, Optional<Secret> secret) {
        if (secret.isPresent()) {
            node.put(key, MASK);
        }
    }

    private static void optionalUri(ObjectNode node, String key, Optional<URI> uri) {
        uri.ifPresent(value -> node.put(key, value.toString()));
    }

    private static void texts(ObjectNode node, String key, List<String> values) {
        ArrayNode array = node.putArray(key);
        values.forEach(array::add);
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The largest whole unit, in the syntax the file accepts. */
    static String duration(Duration duration) {
        long millis = duration.toMillis();
        if (millis != 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis != 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
