package dev.latchkey.app;

import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.app.config.SessionsConfig;
import dev.latchkey.app.config.TenantConfig;
import dev.latchkey.core.crypto.Cipher;
import dev.latchkey.core.identity.IdentityResolver;
import dev.latchkey.core.identity.UserDirectory;
import dev.latchkey.core.inbound.Authenticator;
import dev.latchkey.core.session.BrowserLogins;
import dev.latchkey.core.session.BrowserSessionAuthenticator;
import dev.latchkey.core.session.CrossOriginSessions;
import dev.latchkey.core.session.LoginClient;
import dev.latchkey.core.session.LoginProviders;
import dev.latchkey.core.session.RefreshTokenStore;
import dev.latchkey.core.session.SessionAccessTokens;
import dev.latchkey.core.session.SessionSettings;
import dev.latchkey.core.session.SessionTokenAuthenticator;
import dev.latchkey.core.signing.SigningKeys;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.server.SessionRoutes;
import dev.latchkey.store.JdbcBrowserSessionStore;
import dev.latchkey.store.JdbcLoginFlowStore;
import dev.latchkey.store.JdbcRefreshTokenStore;
import dev.latchkey.store.JdbcSessionCodeStore;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires Latchkey's own sessions (C4): the access tokens it signs with the deployment's key, the
 * refresh-token families and one-time codes in the database, the CORS policy from each tenant's
 * {@code cors.allowedOrigins}, and the hourly purge of dead families and expired codes.
 */
final class Sessions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);

    private final CrossOriginSessions crossOrigin;
    private final BrowserLogins logins;
    private final SessionAccessTokens accessTokens;
    private final RefreshTokenStore families;
    private final SessionRoutes.CorsPolicy cors;
    private final ScheduledExecutorService housekeeping;

    private Sessions(
            CrossOriginSessions crossOrigin,
            BrowserLogins logins,
            SessionAccessTokens accessTokens,
            RefreshTokenStore families,
            SessionRoutes.CorsPolicy cors,
            ScheduledExecutorService housekeeping) {
        this.crossOrigin = crossOrigin;
        this.logins = logins;
        this.accessTokens = accessTokens;
        this.families = families;
        this.cors = cors;
        this.housekeeping = housekeeping;
    }

    static Sessions wire(
            LatchkeyConfig config,
            Storage storage,
            SigningKeys keys,
            Cipher cipher,
            UserDirectory users,
            IdentityResolver identities,
            Clock clock) {
        SessionSettings settings = config.sessions().settings();
        SessionAccessTokens accessTokens =
                new SessionAccessTokens(keys, config.server().publicUrl(), settings.accessTokenLifetime(), clock);
        JdbcRefreshTokenStore families =
                new JdbcRefreshTokenStore(storage.database().dataSource());
        JdbcSessionCodeStore codes = new JdbcSessionCodeStore(storage.database().dataSource());
        CrossOriginSessions crossOrigin =
                new CrossOriginSessions(families, codes, accessTokens, users, cipher, storage.audit(), clock, settings);
        SessionRoutes.CorsPolicy cors = corsPolicy(config);
        JdbcLoginFlowStore loginFlows =
                new JdbcLoginFlowStore(storage.database().dataSource());
        JdbcBrowserSessionStore browserSessions =
                new JdbcBrowserSessionStore(storage.database().dataSource());
        SessionsConfig lifetimes = config.sessions();
        BrowserLogins logins = new BrowserLogins(
                new LoginProviders(loginClients(config)),
                loginFlows,
                browserSessions,
                identities,
                crossOrigin,
                cipher,
                storage.audit(),
                clock,
                config.server().publicUrl(),
                cors::allows,
                lifetimes.browserIdle(),
                lifetimes.browserAbsolute(),
                Thread.ofVirtual().name("latchkey-idp-refresh")::start);
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
                Thread.ofVirtual().name("latchkey-session-housekeeping").factory());
        var unused = housekeeping.scheduleWithFixedDelay(
                () -> {
                    try {
                        Instant now = clock.instant();
                        codes.purge(now.minusSeconds(3600));
                        loginFlows.purge(now);
                        browserSessions.purge(now, now.minus(lifetimes.browserIdle()));
                        families.purge(now.minus(settings.refreshAbsolute()), now.minus(settings.refreshIdle()));
                    } catch (RuntimeException e) {
                        LOG.atWarn().log("purging dead sessions failed: {}", e.getMessage());
                    }
                },
                1,
                60,
                TimeUnit.MINUTES);
        return new Sessions(crossOrigin, logins, accessTokens, families, cors, housekeeping);
    }

    /** Accepts Latchkey's own session tokens and browser session cookies in front of {@code authenticator}. */
    Authenticator authenticator(Authenticator authenticator, IdentityResolver identities) {
        return new BrowserSessionAuthenticator(
                new SessionTokenAuthenticator(authenticator, accessTokens, families, identities), logins, identities);
    }

    BrowserLogins logins() {
        return logins;
    }

    private static Map<TenantId, LoginClient> loginClients(LatchkeyConfig config) {
        Map<TenantId, LoginClient> clients = new HashMap<>();
        config.tenants()
                .forEach((id, tenant) -> tenant.login()
                        .ifPresent(login -> clients.put(
                                id,
                                new LoginClient(
                                        login.issuer(),
                                        login.clientId(),
                                        login.clientSecret().orElse(null),
                                        login.scopes(),
                                        login.formPost()))));
        return clients;
    }

    CrossOriginSessions crossOrigin() {
        return crossOrigin;
    }

    SessionRoutes.CorsPolicy cors() {
        return cors;
    }

    private static SessionRoutes.CorsPolicy corsPolicy(LatchkeyConfig config) {
        return new SessionRoutes.CorsPolicy() {
            @Override
            public boolean allows(TenantId tenant, String origin) {
                @Nullable TenantConfig tenantConfig = config.tenants().get(tenant);
                return tenantConfig != null && listed(tenantConfig, origin);
            }

            @Override
            public boolean allowsAnyTenant(String origin) {
                return config.tenants().values().stream().anyMatch(tenant -> listed(tenant, origin));
            }
        };
    }

    // Exact comparison of canonical origins: no suffix, prefix or pattern matching (C4-04).
    private static boolean listed(TenantConfig tenant, String origin) {
        return tenant.cors().allowedOrigins().stream()
                .anyMatch(allowed -> allowed.toLowerCase(Locale.ROOT).equals(origin));
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
    }
}
