package dev.latchkey.core.downstream;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditLog;
import dev.latchkey.core.crypto.AssociatedData;
import dev.latchkey.core.crypto.Cipher;
import dev.latchkey.core.crypto.DecryptionFailedException;
import dev.latchkey.core.grant.ConnectEndpoint;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.GrantLookup;
import dev.latchkey.core.grant.RefreshOutcome;
import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.grant.StoreResult;
import dev.latchkey.core.grant.TokenSet;
import dev.latchkey.core.grant.TokenStore;
import dev.latchkey.core.grant.VersionedTokenSet;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Connecting and disconnecting a user's downstream accounts (DESIGN.md C5, "Connect"): an
 * authorization-code flow with PKCE (S256), bound to tenant, user and resource, whose {@code state}
 * is single use, expires after ten minutes and is stored only as a hash beside the sealed verifier.
 * The redeemed token set replaces the user's grant by compare-and-set. At most one flow is pending
 * per user and resource: asking again while it has a few minutes left hands out the same URL, so a
 * storm of {@code authorization_required} answers never piles up flows. Every outcome is audited.
 */
public final class Connections {
    /** How long a user has to finish a flow. */
    public static final Duration FLOW_LIFETIME = Duration.ofMinutes(10);

    private static final Duration REUSE_MARGIN = Duration.ofMinutes(3);
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(10);
    private static final String PURPOSE = "latchkey.connect_flow.v1";
    private static final int STATE_BYTES = 32;
    private static final int MAX_STATE_LENGTH = 200;
    private static final Pattern OAUTH_ERROR = Pattern.compile("[a-z_]{1,40}");

    private final ResourceCatalog catalog;
    private final ConnectFlowStore flows;
    private final TokenStore grants;
    private final ConnectEndpoint endpoint;
    private final Cipher cipher;
    private final AuditLog audit;
    private final Clock clock;
    private final URI redirectUri;
    private final BiPredicate<TenantId, URI> returnPolicy;

    /**
     * @param redirectUri Latchkey's callback, registered at every authorization server
     * @param returnPolicy which addresses a tenant's users may be sent back to after connecting
     */
    public Connections(
            ResourceCatalog catalog,
            ConnectFlowStore flows,
            TokenStore grants,
            ConnectEndpoint endpoint,
            Cipher cipher,
            AuditLog audit,
            Clock clock,
            URI redirectUri,
            BiPredicate<TenantId, URI> returnPolicy) {
        this.catalog = catalog;
        this.flows = flows;
        this.grants = grants;
        this.endpoint = endpoint;
        this.cipher = cipher;
        this.audit = audit;
        this.clock = clock;
        this.redirectUri = redirectUri;
        this.returnPolicy = returnPolicy;
    }

    /**
     * Starts (or resumes) a connect flow for {@code user} at resource {@code name}.
     *
     * @param extraScopes scopes asked for beyond the resource's own (scope step-up)
     * @param returnTo where to send the user afterwards; must pass the tenant's return policy
     */
    public ConnectStart start(
            TenantId tenant, UserId user, ResourceName name, Set<String> extraScopes, @Nullable URI returnTo) {
        ResourceClient resource;
        switch (catalog.find(tenant, name)) {
            case ResourceCatalog.Lookup.Known known -> resource = known.resource();
            case ResourceCatalog.Lookup.Unknown unknown -> {
                return new ConnectStart.Refused("unknown_resource", "the tenant has no resource of that name");
            }
            case ResourceCatalog.Lookup.NotConnectable notConnectable -> {
                return new ConnectStart.Refused(
                        "not_connectable", "the resource's tokens come from token exchange, not from a connection");
            }
            case ResourceCatalog.Lookup.Unavailable unavailable -> {
                return new ConnectStart.Unavailable(unavailable.reason(), unavailable.retryAfter());
            }
        }
        if (returnTo != null && !returnPolicy.test(tenant, returnTo)) {
            return new ConnectStart.Refused("invalid_return_to", "return_to is not an allowed origin of the tenant");
        }
        Set<String> scopes = new TreeSet<>(resource.scopes());
        scopes.addAll(extraScopes);
        Instant now = clock.instant();
        Optional<ConnectStart.Started> resumed = flows.pending(tenant, user, name)
                .filter(flow -> flow.expiresAt().isAfter(now.plus(REUSE_MARGIN)))
                .flatMap(this::open)
                .filter(details -> details.scopes().equals(scopes) && Objects.equals(details.returnTo(), returnTo))
                .map(details -> new ConnectStart.Started(authorizationUrl(resource, details), details.expiresAt()));
        if (resumed.isPresent()) {
            return resumed.get();
        }
        String state = tenant.value() + "." + new State(STATE_BYTES).getValue();
        Details details = new Details(
                tenant,
                user,
                name,
                Secret.of(state),
                Secret.of(new CodeVerifier().getValue()),
                redirectUri,
                scopes,
                returnTo,
                now.plus(FLOW_LIFETIME));
        flows.put(new PendingFlow(
                tenant,
                user,
                name,
                details.state().sha256(),
                cipher.seal(details.encode(), details.context()),
                details.expiresAt()));
        audit(tenant, user, "connection.start", "started", name);
        return new ConnectStart.Started(authorizationUrl(resource, details), details.expiresAt());
    }

    /** Finishes a flow from the authorization server's redirect to Latchkey's callback. */
    public ConnectFinish finish(Callback callback) {
        @Nullable String state = callback.state();
        Optional<TenantId> tenant = state == null ? Optional.empty() : tenantOf(state);
        if (state == null || tenant.isEmpty()) {
            return new ConnectFinish.Failed("invalid_request", "the state parameter is missing or malformed", null);
        }
        Optional<PendingFlow> taken = flows.take(tenant.get(), Secret.sha256Hex(state));
        if (taken.isEmpty()) {
            audit(tenant.get(), null, "connection.callback", "state_unknown", null);
            return new ConnectFinish.Failed("invalid_request", "unknown or already used state", null);
        }
        PendingFlow flow = taken.get();
        Optional<Details> opened = open(flow);
        if (opened.isEmpty()) {
            audit(flow.tenant(), flow.user(), "connection.callback", "flow_unreadable", flow.resource());
            return new ConnectFinish.Failed("invalid_request", "the connect flow cannot be read", null);
        }
        Details details = opened.get();
        @Nullable URI returnTo = details.returnTo();
        if (!clock.instant().isBefore(details.expiresAt())) {
            return failed(details, "state_expired", "invalid_request", "the connect flow expired; start it again");
        }
        @Nullable String error = callback.error();
        if (error != null) {
            String code = OAUTH_ERROR.matcher(error).matches() ? error : "access_denied";
            return failed(details, "authorization_denied", code, "the authorization server did not grant access");
        }
        ResourceClient resource;
        switch (catalog.find(details.tenant(), details.resource())) {
            case ResourceCatalog.Lookup.Known known -> resource = known.resource();
            case ResourceCatalog.Lookup.Unavailable unavailable -> {
                return failed(
                        details,
                        "unavailable",
                        "temporarily_unavailable",
                        "the authorization server cannot be reached; try again");
            }
            default -> {
                return failed(details, "resource_gone", "invalid_request", "the resource is no longer configured");
            }
        }
        Optional<String> issuerProblem = issuerProblem(resource, callback.iss());
        if (issuerProblem.isPresent()) {
            return failed(details, "issuer_mismatch", "invalid_request", issuerProblem.get());
        }
        @Nullable String code = callback.code();
        if (code == null || code.isBlank() || code.length() > 4096) {
            return failed(details, "code_missing", "invalid_request", "the authorization response has no code");
        }
        GrantKey key = new GrantKey(details.tenant(), details.user(), details.resource());
        RefreshOutcome outcome =
                endpoint.redeem(key, Secret.of(code), details.verifier(), details.redirectUri(), CALL_DEADLINE);
        return switch (outcome) {
            case RefreshOutcome.Refreshed redeemed -> {
                store(key, withScopes(redeemed.tokens(), details.scopes()));
                audit(details.tenant(), details.user(), "connection.connect", "connected", details.resource());
                yield new ConnectFinish.Connected(key, returnTo);
            }
            case RefreshOutcome.Terminal terminal ->
                failed(details, "code_refused", "invalid_grant", "the authorization server refused the code");
            case RefreshOutcome.Transient failure ->
                failed(
                        details,
                        "unavailable",
                        "temporarily_unavailable",
                        "the authorization server cannot be reached; try again");
        };
    }

    /** The user's connected resources, by name. */
    public List<VersionedTokenSet> list(TenantId tenant, UserId user) {
        return grants.listForUser(tenant, user);
    }

    /**
     * Ends the user's grant at a resource: asks the authorization server to revoke the refresh
     * token (RFC 7009) where it can, then deletes the grant.
     *
     * @return whether a grant existed
     */
    public boolean disconnect(TenantId tenant, UserId user, ResourceName name) {
        GrantKey key = new GrantKey(tenant, user, name);
        for (int attempt = 0; attempt < 3; attempt++) {
            GrantLookup lookup = grants.find(key);
            if (lookup instanceof GrantLookup.Missing) {
                return false;
            }
            boolean revoked = lookup instanceof GrantLookup.Found found
                    && found.grant()
                            .tokens()
                            .refreshTokenIfAny()
                            .map(refreshToken -> endpoint.revoke(key, refreshToken, CALL_DEADLINE))
                            .orElse(false);
            if (grants.delete(key, lookup.version())) {
                audit(tenant, user, "connection.disconnect", revoked ? "revoked" : "deleted", name);
                return true;
            }
        }
        // Refreshed three times while we tried: delete whatever is there now.
        GrantLookup lookup = grants.find(key);
        boolean deleted = !(lookup instanceof GrantLookup.Missing) && grants.delete(key, lookup.version());
        if (deleted) {
            audit(tenant, user, "connection.disconnect", "deleted", name);
        }
        return deleted;
    }

    /**
     * Stores a newly consented grant: it replaces whatever is stored, since the user just
     * consented; a concurrent refresh of the old grant loses.
     */
    private void store(GrantKey key, TokenSet tokens) {
        for (int attempt = 0; attempt < 5; attempt++) {
            long version = grants.find(key).version();
            if (grants.compareAndSet(key, version, tokens) instanceof StoreResult.Stored) {
                return;
            }
        }
        throw new IllegalStateException("the grant changed five times while a connection was stored");
    }

    /** RFC 6749 §5.1: a response without {@code scope} granted what was asked. */
    private static TokenSet withScopes(TokenSet tokens, Set<String> requested) {
        if (!tokens.scopes().isEmpty()) {
            return tokens;
        }
        return new TokenSet(
                tokens.accessToken(), tokens.refreshToken(), tokens.tokenType(), requested, tokens.expiresAt());
    }

    /** RFC 9207 §2.4: a present {@code iss} must be the server's; a promised one must be present. */
    private static Optional<String> issuerProblem(ResourceClient resource, @Nullable String iss) {
        @Nullable URI expected = resource.issuer();
        if (iss == null) {
            return resource.issuerParameterRequired()
                    ? Optional.of("the authorization response lacks the iss parameter its server promised")
                    : Optional.empty();
        }
        if (expected == null || !expected.toString().equals(iss)) {
            return Optional.of("the authorization response came from another issuer");
        }
        return Optional.empty();
    }

    private ConnectFinish.Failed failed(Details details, String reason, String error, String description) {
        audit(details.tenant(), details.user(), "connection.callback", reason, details.resource());
        return new ConnectFinish.Failed(error, description, details.returnTo());
    }

    private URI authorizationUrl(ResourceClient resource, Details details) {
        AuthorizationRequest.Builder builder = new AuthorizationRequest.Builder(
                        ResponseType.CODE, new ClientID(resource.client().clientId()))
                .endpointURI(resource.authorizationEndpoint())
                .redirectionURI(details.redirectUri())
                .state(new State(details.state().reveal()))
                .codeChallenge(new CodeVerifier(details.verifier().reveal()), CodeChallengeMethod.S256);
        if (!details.scopes().isEmpty()) {
            builder.scope(new Scope(details.scopes().toArray(String[]::new)));
        }
        @Nullable URI indicator = resource.client().resource();
        if (indicator != null) {
            builder.resources(indicator);
        }
        resource.authorizationParameters().forEach(builder::customParameter);
        return builder.build().toURI();
    }

    private Optional<Details> open(PendingFlow flow) {
        AssociatedData context = Details.context(flow.tenant(), flow.user(), flow.resource(), flow.stateHash());
        try {
            return Optional.of(Details.decode(flow, cipher.open(flow.sealed(), context)));
        } catch (DecryptionFailedException | java.text.ParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<TenantId> tenantOf(String state) {
        int dot = state.indexOf('.');
        if (state.length() > MAX_STATE_LENGTH || dot <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(TenantId.of(state.substring(0, dot)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private void audit(
            TenantId tenant, @Nullable UserId user, String action, String reason, @Nullable ResourceName resource) {
        Map<String, String> details = new LinkedHashMap<>();
        if (resource != null) {
            details.put("resource", resource.value());
        }
        audit.record(new AuditEvent(
                clock.instant(), tenant, user == null ? "anonymous" : user.value(), action, reason, details));
    }

    private static String required(Map<String, Object> json, String name) throws java.text.ParseException {
        @Nullable String value = JSONObjectUtils.getString(json, name);
        if (value == null) {
            throw new java.text.ParseException("connect flow lacks " + name, 0);
        }
        return value;
    }

    /** The authorization server's redirect back to Latchkey, as received; every part may be absent. */
    public record Callback(
            @Nullable String state,
            @Nullable String code,
            @Nullable String error,
            @Nullable String iss) {}

    /** A flow's secret details, sealed bound to tenant, user, resource and state hash. */
    private record Details(
            TenantId tenant,
            UserId user,
            ResourceName resource,
            Secret state,
            Secret verifier,
            URI redirectUri,
            Set<String> scopes,
            @Nullable URI returnTo,
            Instant expiresAt) {

        AssociatedData context() {
            return context(tenant, user, resource, state.sha256());
        }

        static AssociatedData context(TenantId tenant, UserId user, ResourceName resource, String stateHash) {
            return AssociatedData.of(PURPOSE, tenant.value(), user.value(), resource.value(), stateHash);
        }

        byte[] encode() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("state", state.reveal());
            json.put("verifier", verifier.reveal());
            json.put("redirect_uri", redirectUri.toString());
            json.put("scopes", new ArrayList<>(scopes));
            if (returnTo != null) {
                json.put("return_to", returnTo.toString());
            }
            return JSONObjectUtils.toJSONString(json).getBytes(StandardCharsets.UTF_8);
        }

        static Details decode(PendingFlow flow, byte[] plaintext) throws java.text.ParseException {
            Map<String, Object> json = JSONObjectUtils.parse(new String(plaintext, StandardCharsets.UTF_8));
            @Nullable String returnTo = JSONObjectUtils.getString(json, "return_to");
            return new Details(
                    flow.tenant(),
                    flow.user(),
                    flow.resource(),
                    Secret.of(required(json, "state")),
                    Secret.of(required(json, "verifier")),
                    URI.create(required(json, "redirect_uri")),
                    new TreeSet<>(Objects.requireNonNullElse(JSONObjectUtils.getStringList(json, "scopes"), List.of())),
                    returnTo == null ? null : URI.create(returnTo),
                    flow.expiresAt());
        }
    }
}
