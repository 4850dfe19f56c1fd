package dev.latchkey.core.session;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseMode;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Identifier;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Tokens;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.LogoutTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditLog;
import dev.latchkey.core.crypto.AssociatedData;
import dev.latchkey.core.crypto.Cipher;
import dev.latchkey.core.crypto.DecryptionFailedException;
import dev.latchkey.core.downstream.ClientIdentity;
import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.identity.IdentityResolver;
import dev.latchkey.core.identity.Principal;
import dev.latchkey.core.identity.Resolution;
import dev.latchkey.core.identity.TokenIdentity;
import dev.latchkey.core.resource.WebOrigin;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Browser login as a backend-for-frontend (DESIGN.md C3): OpenID Connect authorization code with
 * PKCE (S256), {@code state}, {@code nonce} and the RFC 9207 {@code iss} check, the ID token
 * validated by Nimbus (signature with the provider's keys, {@code iss}, {@code aud}/{@code azp},
 * {@code exp}, {@code nonce}, and an {@code iat} no older than the login). The pending login is
 * single use, expires after ten minutes, is stored under the hash of its state with its secrets
 * sealed, and is bound to the browser that started it through a pre-login cookie (login CSRF,
 * C3-02). A login yields a new random session id (never one the browser brought, C3-11); the
 * browser gets only that id, the IdP's tokens stay sealed on the server. Logging out ends the
 * session and every refresh-token family that came from it; a back-channel logout token (validated
 * per OIDC Back-Channel Logout §2.6) ends every session of its {@code sid} or {@code sub}.
 *
 * <p>Thread-safe; the stores decide races (one callback per state).
 */
public final class BrowserLogins {
    /** How long a browser has to come back from the provider. */
    public static final Duration LOGIN_LIFETIME = Duration.ofMinutes(10);
    /** Most logins pending per tenant at once (C3-18). */
    public static final int MAX_PENDING_PER_TENANT = 10_000;

    private static final String LOGIN_PURPOSE = "latchkey.login_flow.v1";
    private static final String SESSION_PURPOSE = "latchkey.browser_session.v1";
    private static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);
    private static final Duration IDP_REFRESH_SKEW = Duration.ofSeconds(60);
    private static final Duration IDP_REFRESH_CLAIM = Duration.ofSeconds(30);
    private static final Duration MAX_ID_TOKEN_AGE = Duration.ofMinutes(15);
    private static final Pattern OAUTH_ERROR = Pattern.compile("[a-z_]{1,40}");
    private static final Pattern SESSION_FORM = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}\\.[A-Za-z0-9_-]{43}");
    private static final int TIMEOUT_MILLIS = 10_000;

    private final LoginProviders providers;
    private final LoginFlowStore flows;
    private final BrowserSessionStore sessions;
    private final IdentityResolver identities;
    private final CrossOriginSessions crossOrigin;
    private final Cipher cipher;
    private final AuditLog audit;
    private final Clock clock;
    private final URI publicUrl;
    private final Panels panels;
    private final Duration idleLimit;
    private final Duration absoluteLimit;
    private final Executor background;

    /** Which origins besides Latchkey's own a tenant's users may be sent back to (its panels). */
    public interface Panels {
        boolean allows(TenantId tenant, String origin);
    }

    public BrowserLogins(
            LoginProviders providers,
            LoginFlowStore flows,
            BrowserSessionStore sessions,
            IdentityResolver identities,
            CrossOriginSessions crossOrigin,
            Cipher cipher,
            AuditLog audit,
            Clock clock,
            URI publicUrl,
            Panels panels,
            Duration idleLimit,
            Duration absoluteLimit,
            Executor background) {
        this.providers = providers;
        this.flows = flows;
        this.sessions = sessions;
        this.identities = identities;
        this.crossOrigin = crossOrigin;
        this.cipher = cipher;
        this.audit = audit;
        this.clock = clock;
        this.publicUrl = publicUrl;
        this.panels = panels;
        this.idleLimit = idleLimit;
        this.absoluteLimit = absoluteLimit;
        this.background = background;
    }

    /** Latchkey's callback for the tenant's login, registered at the provider. */
    public URI callbackUri(TenantId tenant) {
        return under("/auth/" + tenant.value() + "/callback");
    }

    /** Where the provider sends the browser after an RP-initiated logout. */
    public URI loggedOutUri(TenantId tenant) {
        return under("/auth/" + tenant.value() + "/logged-out");
    }

    /**
     * Starts a login.
     *
     * @param returnTo where to send the browser afterwards (C3-09: only Latchkey's origin or the
     *     tenant's panel origins; anything else is refused)
     */
    public LoginOutcome start(TenantId tenant, @Nullable String returnTo) {
        if (!providers.configured(tenant)) {
            return new LoginOutcome.Failed("invalid_request", "this tenant has no browser login");
        }
        Optional<URI> target = returnTo == null ? Optional.of(under("/")) : acceptableReturn(tenant, returnTo);
        if (target.isEmpty()) {
            audit(tenant, null, "login.start", "invalid_return_to");
            return new LoginOutcome.Failed("invalid_request", "return_to is not an allowed address of this tenant");
        }
        Instant now = clock.instant();
        if (flows.pending(tenant, now) >= MAX_PENDING_PER_TENANT) {
            audit(tenant, null, "login.start", "too_many_pending");
            return new LoginOutcome.TooMany(Duration.ofMinutes(1));
        }
        LoginProviders.Provider provider;
        try {
            provider = providers.provider(tenant);
        } catch (LoginProviders.ProviderUnavailableException e) {
            audit(tenant, null, "login.start", "provider_unavailable");
            return new LoginOutcome.Unavailable(Duration.ofSeconds(15));
        }
        Flow flow = new Flow(
                Secret.of(tenant.value() + "." + new State(32).getValue()),
                Secret.of(new Nonce(32).getValue()),
                Secret.of(new CodeVerifier().getValue()),
                target.get());
        Secret binding = Secret.of(new Identifier(32).getValue());
        flows.put(new PendingLogin(
                tenant,
                flow.state().sha256(),
                binding.sha256(),
                cipher.seal(flow.encode(), flowContext(tenant, flow.state().sha256())),
                now.plus(LOGIN_LIFETIME)));
        LoginClient client = provider.client();
        AuthenticationRequest.Builder request = new AuthenticationRequest.Builder(
                        ResponseType.CODE,
                        new Scope(client.scopes().toArray(String[]::new)),
                        new ClientID(client.clientId()),
                        callbackUri(tenant))
                .endpointURI(provider.metadata().getAuthorizationEndpointURI())
                .state(new State(flow.state().reveal()))
                .nonce(new Nonce(flow.nonce().reveal()))
                .codeChallenge(new CodeVerifier(flow.verifier().reveal()), CodeChallengeMethod.S256);
        if (client.formPost()) {
            request.responseMode(ResponseMode.FORM_POST);
        }
        audit(tenant, null, "login.start", "started");
        return new LoginOutcome.Redirect(request.build().toURI(), binding, client.formPost());
    }

    /**
     * Finishes a login from the provider's answer at the callback.
     *
     * @param binding the pre-login cookie the browser presented, if any
     */
    public LoginOutcome finish(TenantId tenant, Callback callback, @Nullable Secret binding) {
        @Nullable String state = callback.state();
        if (state == null || state.length() > 200 || !state.startsWith(tenant.value() + ".")) {
            audit(tenant, null, "login.callback", "state_invalid");
            return new LoginOutcome.Failed("invalid_request", "the state parameter is missing or invalid");
        }
        Optional<PendingLogin> taken = flows.take(tenant, Secret.sha256Hex(state));
        if (taken.isEmpty()) {
            audit(tenant, null, "login.callback", "state_unknown");
            return new LoginOutcome.Failed("invalid_request", "unknown or already used state");
        }
        PendingLogin pending = taken.get();
        if (binding == null || !binding.sha256().equals(pending.bindingHash())) {
            // C3-02: the callback must reach the browser that started the login.
            audit(tenant, null, "login.callback", "binding_mismatch");
            return new LoginOutcome.Failed("invalid_request", "this login was started in another browser");
        }
        if (!clock.instant().isBefore(pending.expiresAt())) {
            audit(tenant, null, "login.callback", "state_expired");
            return new LoginOutcome.Failed("invalid_request", "the login expired; start again");
        }
        Optional<Flow> opened = open(pending);
        if (opened.isEmpty()) {
            audit(tenant, null, "login.callback", "flow_unreadable");
            return new LoginOutcome.Failed("invalid_request", "the login cannot be read; start again");
        }
        Flow flow = opened.get();
        @Nullable String error = callback.error();
        if (error != null) {
            audit(tenant, null, "login.callback", "authorization_denied");
            return new LoginOutcome.Failed(
                    OAUTH_ERROR.matcher(error).matches() ? error : "access_denied",
                    "the identity provider did not log you in");
        }
        LoginProviders.Provider provider;
        try {
            provider = providers.provider(tenant);
        } catch (LoginProviders.ProviderUnavailableException e) {
            audit(tenant, null, "login.callback", "provider_unavailable");
            return new LoginOutcome.Unavailable(Duration.ofSeconds(15));
        }
        if (!issuerMatches(provider, callback.iss())) {
            // RFC 9207 §2.4: checked before the code goes anywhere.
            audit(tenant, null, "login.callback", "issuer_mismatch");
            return new LoginOutcome.Failed("invalid_request", "the answer came from another issuer");
        }
        @Nullable String code = callback.code();
        if (code == null || code.isBlank() || code.length() > 4096) {
            audit(tenant, null, "login.callback", "code_missing");
            return new LoginOutcome.Failed("invalid_request", "the answer has no authorization code");
        }
        return redeem(tenant, provider, flow, code);
    }

    private LoginOutcome redeem(TenantId tenant, LoginProviders.Provider provider, Flow flow, String code) {
        OIDCTokenResponse tokens;
        try {
            TokenResponse response = OIDCTokenResponseParser.parse(
                    send(provider, tenant, flow, code).send());
            if (!response.indicatesSuccess()) {
                audit(tenant, null, "login.callback", "code_redemption_failed");
                return new LoginOutcome.Failed("invalid_grant", "the identity provider refused the login");
            }
            tokens = (OIDCTokenResponse) response.toSuccessResponse();
        } catch (IOException e) {
            audit(tenant, null, "login.callback", "provider_unavailable");
            return new LoginOutcome.Unavailable(Duration.ofSeconds(15));
        } catch (ParseException | ClassCastException e) {
            audit(tenant, null, "login.callback", "token_response_invalid");
            return new LoginOutcome.Failed("invalid_grant", "the identity provider's answer is not valid");
        }
        @Nullable JWT idToken = tokens.getOIDCTokens().getIDToken();
        if (idToken == null) {
            audit(tenant, null, "login.callback", "id_token_missing");
            return new LoginOutcome.Failed("invalid_grant", "the identity provider sent no ID token");
        }
        IDTokenClaimsSet claims;
        try {
            claims = provider.idTokenValidator()
                    .validate(idToken, new Nonce(flow.nonce().reveal()));
        } catch (BadJOSEException | JOSEException e) {
            audit(tenant, null, "login.callback", "id_token_invalid");
            return new LoginOutcome.Failed("invalid_grant", "the ID token is not valid");
        }
        Instant now = clock.instant();
        if (claims.getIssueTime().toInstant().isBefore(now.minus(MAX_ID_TOKEN_AGE))) {
            audit(tenant, null, "login.callback", "id_token_stale");
            return new LoginOutcome.Failed("invalid_grant", "the ID token is not valid");
        }
        Principal principal;
        try {
            Resolution resolution = identities.resolve(new TokenIdentity(
                    tenant,
                    claims.getIssuer().getValue(),
                    claims.getSubject().getValue(),
                    claims.toJSONObject(),
                    Set.of()));
            if (!(resolution instanceof Resolution.Resolved resolved)) {
                audit(tenant, null, "login.callback", "unknown_user");
                return new LoginOutcome.Failed("access_denied", "you have no account in this tenant");
            }
            principal = resolved.principal();
        } catch (IllegalArgumentException e) {
            audit(tenant, null, "login.callback", "invalid_subject");
            return new LoginOutcome.Failed("invalid_grant", "the ID token's subject is not acceptable");
        }
        Secret sessionId = Secret.of(tenant.value() + "." + new Identifier(32).getValue());
        String idHash = sessionId.sha256();
        sessions.create(new BrowserSession(
                tenant,
                idHash,
                principal.user(),
                now,
                now,
                now.plus(absoluteLimit),
                claims.getIssuer().getValue(),
                claims.getSessionID() == null ? null : claims.getSessionID().getValue(),
                claims.getSubject().getValue(),
                sealTokens(tenant, idHash, idToken, tokens),
                expiryOf(tokens)));
        audit(tenant, principal, "login.callback", "logged_in");
        return new LoginOutcome.LoggedIn(sessionId, withCode(tenant, principal, flow.returnTo(), idHash));
    }

    private HTTPRequest send(LoginProviders.Provider provider, TenantId tenant, Flow flow, String code) {
        return tokenRequest(
                provider,
                new AuthorizationCodeGrant(
                        new AuthorizationCode(code),
                        callbackUri(tenant),
                        new CodeVerifier(flow.verifier().reveal())));
    }

    private static HTTPRequest tokenRequest(LoginProviders.Provider provider, AuthorizationGrant grant) {
        URI endpoint = provider.metadata().getTokenEndpointURI();
        LoginClient client = provider.client();
        TokenRequest request = client.secret()
                .map(secret -> new TokenRequest.Builder(
                        endpoint,
                        new ClientSecretBasic(
                                new ClientID(client.clientId()),
                                new com.nimbusds.oauth2.sdk.auth.Secret(secret.reveal())),
                        grant))
                .orElseGet(() -> new TokenRequest.Builder(endpoint, new ClientID(client.clientId()), grant))
                .build();
        HTTPRequest http = request.toHTTPRequest();
        http.setConnectTimeout(TIMEOUT_MILLIS);
        http.setReadTimeout(TIMEOUT_MILLIS);
        return http;
    }

    private URI withCode(TenantId tenant, Principal principal, URI returnTo, String idHash) {
        @Nullable String origin = WebOrigin.of(returnTo).orElse(null);
        if (origin == null || WebOrigin.of(publicUrl).orElseThrow().equals(origin)) {
            return returnTo;
        }
        // C4: a panel on another origin gets a one-time code to exchange for its own session.
        Secret code = crossOrigin.issueCode(tenant, principal.user(), origin, idHash);
        String separator = returnTo.getRawQuery() == null ? "?" : "&";
        String fragmentless = returnTo.getRawFragment() == null
                ? returnTo.toString()
                : returnTo.toString().substring(0, returnTo.toString().indexOf('#'));
        return URI.create(fragmentless + separator + "latchkey_code=" + code.reveal());
    }

    /**
     * The session a browser's cookie names, if it is live: not ended, within its absolute lifetime
     * and not idle too long. Activity is recorded at most once a minute.
     */
    public Optional<BrowserSession> session(Secret sessionId) {
        Optional<TenantId> tenant = tenantOf(sessionId);
        if (tenant.isEmpty()) {
            return Optional.empty();
        }
        String idHash = sessionId.sha256();
        Optional<BrowserSession> found = sessions.find(tenant.get(), idHash);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        BrowserSession session = found.get();
        Instant now = clock.instant();
        if (!now.isBefore(session.expiresAt())
                || now.isAfter(session.lastSeenAt().plus(idleLimit))) {
            end(session, "expired");
            return Optional.empty();
        }
        if (now.isAfter(session.lastSeenAt().plus(TOUCH_INTERVAL))) {
            sessions.touch(session.tenant(), idHash, now);
        }
        refreshIdpTokensIfDue(session, now);
        return Optional.of(session);
    }

    /**
     * Keeps the IdP's tokens of a session in use fresh: within a minute of the access token's expiry,
     * one replica (a claim in the store) refreshes them in the background, so no request waits. A
     * refusal ({@code invalid_grant}: the IdP ended the grant) ends the Latchkey session too; a
     * transient failure is retried once the claim lapses.
     */
    private void refreshIdpTokensIfDue(BrowserSession session, Instant now) {
        @Nullable Instant expiry = session.idpExpiresAt();
        if (expiry == null || now.isBefore(expiry.minus(IDP_REFRESH_SKEW))) {
            return;
        }
        if (sessions.claimIdpRefresh(session.tenant(), session.idHash(), now, now.plus(IDP_REFRESH_CLAIM))) {
            background.execute(() -> refreshIdpTokens(session));
        }
    }

    private void refreshIdpTokens(BrowserSession session) {
        try {
            Map<String, Object> stored = openTokens(session);
            @Nullable String refreshToken = JSONObjectUtils.getString(stored, "refresh_token");
            if (refreshToken == null) {
                // Nothing to refresh with: stop trying; the session lives on its own lifetimes.
                sessions.storeIdpTokens(session.tenant(), session.idHash(), session.sealedIdpTokens(), null);
                return;
            }
            LoginProviders.Provider provider = providers.provider(session.tenant());
            TokenResponse response = OIDCTokenResponseParser.parse(
                    tokenRequest(provider, new RefreshTokenGrant(new RefreshToken(refreshToken)))
                            .send());
            if (!response.indicatesSuccess()) {
                @Nullable
                String code = response.toErrorResponse().getErrorObject().getCode();
                if ("invalid_grant".equals(code)) {
                    end(session, "idp_refresh_refused");
                }
                return;
            }
            Tokens tokens = response.toSuccessResponse().getTokens();
            Map<String, Object> fresh = new LinkedHashMap<>(stored);
            fresh.put("access_token", tokens.getAccessToken().getValue());
            if (tokens.getRefreshToken() != null) {
                fresh.put("refresh_token", tokens.getRefreshToken().getValue());
            }
            if (tokens instanceof OIDCTokens oidc && oidc.getIDToken() != null) {
                fresh.put("id_token", oidc.getIDToken().serialize());
            }
            long lifetime = tokens.getAccessToken().getLifetime();
            @Nullable Instant expiresAt = lifetime > 0 ? clock.instant().plusSeconds(lifetime) : null;
            sessions.storeIdpTokens(
                    session.tenant(), session.idHash(), seal(session.tenant(), session.idHash(), fresh), expiresAt);
            audit(session.tenant(), null, "login.idp_refresh", "refreshed");
        } catch (IOException | LoginProviders.ProviderUnavailableException e) {
            audit(session.tenant(), null, "login.idp_refresh", "provider_unavailable");
        } catch (ParseException | java.text.ParseException | RuntimeException e) {
            audit(session.tenant(), null, "login.idp_refresh", "failed");
        }
    }

    /**
     * Ends the session the cookie names (RP-initiated logout): the session and the families that
     * came from it are gone at once; the answer says where to send the browser — the provider's
     * {@code end_session_endpoint} with {@code id_token_hint} and {@code post_logout_redirect_uri}
     * where it has one, else Latchkey's logged-out page.
     */
    public Logout logout(TenantId tenant, @Nullable Secret sessionId) {
        Optional<BrowserSession> ended = end(tenant, sessionId, "logout");
        if (ended.isEmpty()) {
            return new Logout(loggedOutUri(tenant), false, false);
        }
        audit(tenant, null, "login.logout", "logged_out");
        return endSessionUri(ended.get())
                .map(uri -> new Logout(uri, true, true))
                .orElseGet(() -> new Logout(loggedOutUri(tenant), true, false));
    }

    /**
     * Ends the session a browser brought to a new login (C3-11: it is replaced, never reused) with
     * the families derived from it; the provider is not involved.
     */
    public void replace(TenantId tenant, Secret sessionId) {
        end(tenant, sessionId, "replaced");
    }

    private Optional<BrowserSession> end(TenantId tenant, @Nullable Secret sessionId, String reason) {
        if (sessionId == null || !tenantOf(sessionId).equals(Optional.of(tenant))) {
            return Optional.empty();
        }
        Optional<BrowserSession> ended = sessions.delete(tenant, sessionId.sha256());
        ended.ifPresent(session -> crossOrigin.revokeBrowserSession(tenant, session.idHash(), reason));
        return ended;
    }

    private Optional<URI> endSessionUri(BrowserSession session) {
        try {
            @Nullable
            URI endpoint = providers.provider(session.tenant()).metadata().getEndSessionEndpointURI();
            if (endpoint == null) {
                return Optional.empty();
            }
            JWT idToken =
                    JWTParser.parse(Objects.requireNonNull(JSONObjectUtils.getString(openTokens(session), "id_token")));
            return Optional.of(new LogoutRequest(endpoint, idToken, loggedOutUri(session.tenant()), null).toURI());
        } catch (LoginProviders.ProviderUnavailableException | java.text.ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * OIDC Back-Channel Logout: validates the provider's logout token and ends every session of its
     * {@code sid} (or of its {@code sub} when it names no session), on every replica, with the
     * refresh-token families that came from them.
     *
     * @return how many sessions ended, or empty if the token was refused (audited with the reason)
     */
    public Optional<Integer> backChannelLogout(TenantId tenant, String logoutToken) {
        if (!providers.configured(tenant) || logoutToken.length() > 16_384) {
            return Optional.empty();
        }
        LogoutTokenClaimsSet claims;
        LoginProviders.Provider provider;
        try {
            provider = providers.provider(tenant);
            claims = provider.logoutTokenValidator().validate(JWTParser.parse(logoutToken));
        } catch (LoginProviders.ProviderUnavailableException e) {
            audit(tenant, null, "login.backchannel_logout", "provider_unavailable");
            return Optional.empty();
        } catch (java.text.ParseException | BadJOSEException | JOSEException e) {
            audit(tenant, null, "login.backchannel_logout", "logout_token_rejected");
            return Optional.empty();
        }
        if (claims.getIssueTime() == null
                || claims.getIssueTime().toInstant().isBefore(clock.instant().minus(MAX_ID_TOKEN_AGE))) {
            audit(tenant, null, "login.backchannel_logout", "logout_token_rejected");
            return Optional.empty();
        }
        Optional<String> sid = Optional.ofNullable(claims.getSessionID()).map(Identifier::getValue);
        Optional<String> sub = Optional.ofNullable(claims.getSubject()).map(Identifier::getValue);
        List<String> ended = sessions.deleteByIdp(tenant, claims.getIssuer().getValue(), sid, sub);
        for (String idHash : ended) {
            crossOrigin.revokeBrowserSession(tenant, idHash, "backchannel_logout");
        }
        audit(tenant, null, "login.backchannel_logout", ended.isEmpty() ? "no_session" : "logged_out");
        return Optional.of(ended.size());
    }

    /** Where a logout sends the browser, whether a session ended, and whether the provider is asked to end its own. */
    public record Logout(URI redirect, boolean sessionEnded, boolean providerAsked) {}

    /** The provider's answer at the callback, as received; every part may be absent. */
    public record Callback(
            @Nullable String state,
            @Nullable String code,
            @Nullable String error,
            @Nullable String iss) {}

    /**
     * An acceptable post-login address (C3-09): an absolute http(s) URL without user info whose
     * origin is Latchkey's or one of the tenant's panels, or a plain absolute path on Latchkey.
     */
    public Optional<URI> acceptableReturn(TenantId tenant, String raw) {
        if (raw.isEmpty()
                || raw.length() > 2048
                || raw.chars().anyMatch(c -> c < 0x21 || c == 0x7F || c == '\\')
                || raw.contains("%09")
                || raw.contains("..")) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        if (!uri.isAbsolute()) {
            boolean plainPath = raw.startsWith("/") && !raw.startsWith("//") && uri.getRawAuthority() == null;
            return plainPath ? Optional.of(under(raw)) : Optional.empty();
        }
        if (uri.getRawUserInfo() != null || uri.getHost() == null) {
            return Optional.empty();
        }
        @Nullable String origin = WebOrigin.of(uri).orElse(null);
        if (origin == null) {
            return Optional.empty();
        }
        return WebOrigin.of(publicUrl).orElseThrow().equals(origin) || panels.allows(tenant, origin)
                ? Optional.of(uri)
                : Optional.empty();
    }

    private void end(BrowserSession session, String reason) {
        sessions.delete(session.tenant(), session.idHash());
        crossOrigin.revokeBrowserSession(session.tenant(), session.idHash(), reason);
        audit(session.tenant(), null, "login.session_end", reason);
    }

    private static boolean issuerMatches(LoginProviders.Provider provider, @Nullable String iss) {
        String expected = provider.metadata().getIssuer().getValue();
        if (iss == null) {
            return !Boolean.TRUE.equals(
                    provider.metadata().getCustomParameter("authorization_response_iss_parameter_supported"));
        }
        return expected.equals(iss);
    }

    private Ciphertext sealTokens(TenantId tenant, String idHash, JWT idToken, OIDCTokenResponse response) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id_token", idToken.serialize());
        json.put("access_token", response.getOIDCTokens().getAccessToken().getValue());
        @Nullable RefreshToken refreshToken = response.getOIDCTokens().getRefreshToken();
        if (refreshToken != null) {
            json.put("refresh_token", refreshToken.getValue());
        }
        return seal(tenant, idHash, json);
    }

    private Ciphertext seal(TenantId tenant, String idHash, Map<String, Object> tokens) {
        return cipher.seal(
                JSONObjectUtils.toJSONString(tokens).getBytes(StandardCharsets.UTF_8), sessionContext(tenant, idHash));
    }

    private @Nullable Instant expiryOf(OIDCTokenResponse response) {
        long lifetime = response.getOIDCTokens().getAccessToken().getLifetime();
        return lifetime > 0 ? clock.instant().plusSeconds(lifetime) : null;
    }

    private Map<String, Object> openTokens(BrowserSession session) throws java.text.ParseException {
        try {
            return JSONObjectUtils.parse(new String(
                    cipher.open(session.sealedIdpTokens(), sessionContext(session.tenant(), session.idHash())),
                    StandardCharsets.UTF_8));
        } catch (DecryptionFailedException e) {
            throw new java.text.ParseException("the session's tokens cannot be opened", 0);
        }
    }

    private Optional<Flow> open(PendingLogin pending) {
        try {
            return Optional.of(
                    Flow.decode(cipher.open(pending.sealed(), flowContext(pending.tenant(), pending.stateHash()))));
        } catch (DecryptionFailedException | java.text.ParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static AssociatedData flowContext(TenantId tenant, String stateHash) {
        return AssociatedData.of(LOGIN_PURPOSE, tenant.value(), stateHash);
    }

    private static AssociatedData sessionContext(TenantId tenant, String idHash) {
        return AssociatedData.of(SESSION_PURPOSE, tenant.value(), idHash);
    }

    /** The tenant a session id names, if the id has the right form. */
    public static Optional<TenantId> tenantOf(Secret sessionId) {
        String value = sessionId.reveal();
        if (!SESSION_FORM.matcher(value).matches()) {
            return Optional.empty();
        }
        return Optional.of(TenantId.of(value.substring(0, value.indexOf('.'))));
    }

    private URI under(String path) {
        return ClientIdentity.at(publicUrl, path);
    }

    private void audit(TenantId tenant, @Nullable Principal principal, String action, String reason) {
        audit.record(new AuditEvent(
                clock.instant(),
                tenant,
                principal == null ? "anonymous" : "user:" + principal.user().value(),
                action,
                reason,
                Map.of()));
    }

    /** A login's secrets, sealed bound to tenant and state hash. */
    private record Flow(Secret state, Secret nonce, Secret verifier, URI returnTo) {
        byte[] encode() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("state", state.reveal());
            json.put("nonce", nonce.reveal());
            json.put("verifier", verifier.reveal());
            json.put("return_to", returnTo.toString());
            return JSONObjectUtils.toJSONString(json).getBytes(StandardCharsets.UTF_8);
        }

        static Flow decode(byte[] plaintext) throws java.text.ParseException {
            Map<String, Object> json = JSONObjectUtils.parse(new String(plaintext, StandardCharsets.UTF_8));
            return new Flow(
                    Secret.of(Objects.requireNonNull(JSONObjectUtils.getString(json, "state"))),
                    Secret.of(Objects.requireNonNull(JSONObjectUtils.getString(json, "nonce"))),
                    Secret.of(Objects.requireNonNull(JSONObjectUtils.getString(json, "verifier"))),
                    URI.create(Objects.requireNonNull(JSONObjectUtils.getString(json, "return_to"))));
        }
    }
}
