package dev.latchkey.core.identity;

import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditLog;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Creates, checks, lists and revokes API keys. A key reads {@code lk_<id>_<secret>}: a 16-character
 * random base62 id (the lookup handle, stored in the clear) and a 43-character random base62
 * secret (256 bits). The full key exists only in the answer to {@link #create}; the store keeps
 * HMAC-SHA256 of it under a per-deployment pepper, bound to the tenant and id.
 *
 * <p>Why a keyed hash rather than plain SHA-256: with 256 random bits a plain hash could not be
 * inverted either, but the pepper is sealed in the database under the keyset (which lives outside
 * it), so a leaked database dump (or a backup) does not even let anyone test a candidate key
 * offline, and binding tenant and id into
 * the MAC makes a hash copied to another row worthless (C2-08, C8-03). A slow password hash would
 * add nothing for random secrets and cost every request. Changing the pepper invalidates every key.
 *
 * <p>Checking a key looks it up by (tenant, id) only (a primary-key lookup, never a scan), then
 * always computes the MAC and compares digests with {@link MessageDigest#isEqual} (constant time),
 * also when the id is unknown, so that neither timing nor answer tells a wrong secret from an
 * unknown id (CWE-208). Revocation and expiry are reported only after the secret matched.
 *
 * <p>A key whose owner is the id of one of the tenant's configured services acts as that service
 * ({@link Principal.Kind#SERVICE}), within the scopes the service still has; any other key acts
 * as its owner, a user of the tenant ({@link Principal.Kind#API_KEY}).
 *
 * <p>A tenant whose policy turns API keys off (or an unknown tenant) refuses creation with {@code
 * api_keys_disabled}, and its existing keys stop working at once, without a lookup; turning them
 * back on restores the keys. Thread-safe. Plaintext keys never appear in exceptions, audit events
 * or {@code toString()}.
 */
public final class ApiKeys implements ApiKeyVerifier {
    private static final String PREFIX = "lk_";
    private static final int SECRET_LENGTH = 43;
    private static final Pattern FORMAT =
            Pattern.compile("lk_([0-9A-Za-z]{" + ApiKeyId.LENGTH + "})_([0-9A-Za-z]{" + SECRET_LENGTH + "})");
    private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,128}");
    private static final int MAX_SCOPES = 64;
    private static final int MIN_PEPPER_BYTES = 32;
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final String MAC_ALGORITHM = "HmacSHA256";
    // Domain separation: this MAC key is used for API keys only, version 1 of the input layout.
    private static final String MAC_CONTEXT = "latchkey-api-key-v1";
    private static final String NO_HASH = "0".repeat(64);
    // last_used_at is informational; writing it on every request would turn reads into writes.
    private static final Duration USE_RECORDING_INTERVAL = Duration.ofMinutes(5);

    private final ApiKeyStore store;
    private final UserDirectory directory;
    private final IdentityPolicies policies;
    private final SecretKeySpec pepper;
    private final AuditLog audit;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param pepper the deployment's MAC key for API keys, at least 32 bytes, readable only with the
     *     keyset (see {@link dev.latchkey.core.secret.DeploymentSecrets})
     * @throws IllegalArgumentException if the pepper is shorter than 32 bytes
     */
    public ApiKeys(
            ApiKeyStore store,
            UserDirectory directory,
            IdentityPolicies policies,
            Secret pepper,
            AuditLog audit,
            Clock clock) {
        byte[] pepperBytes = pepper.reveal().getBytes(StandardCharsets.UTF_8);
        if (pepperBytes.length < MIN_PEPPER_BYTES) {
            throw new IllegalArgumentException("the API key pepper must be at least 32 bytes");
        }
        this.store = store;
        this.directory = directory;
        this.policies = policies;
        this.pepper = new SecretKeySpec(pepperBytes, MAC_ALGORITHM);
        this.audit = audit;
        this.clock = clock;
    }

    /** Creates a key that does not expire; see {@link #create(TenantId, UserId, Set, Instant)}. */
    public ApiKeyCreation create(TenantId tenant, UserId owner, Set<String> scopes) {
        return issue(tenant, owner, scopes, null);
    }

    /**
     * Creates a key for {@code owner}: a user of the tenant, or one of its services. A service's key
     * may hold only scopes the service has. A user's key gets the scopes asked for: the caller
     * (the API route) limits them to the scopes of the credential that asks.
     *
     * @param expiresAt when the key stops working; must be in the future
     */
    public ApiKeyCreation create(TenantId tenant, UserId owner, Set<String> scopes, Instant expiresAt) {
        return issue(tenant, owner, scopes, expiresAt);
    }

    private ApiKeyCreation issue(TenantId tenant, UserId owner, Set<String> scopes, @Nullable Instant expiresAt) {
        Optional<IdentityPolicy> policy = policies.forTenant(tenant);
        if (policy.isEmpty() || !policy.get().apiKeysEnabled()) {
            return new ApiKeyCreation.Refused("api_keys_disabled");
        }
        Instant now = clock.instant();
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            return new ApiKeyCreation.Refused("invalid_expiry");
        }
        if (scopes.size() > MAX_SCOPES
                || !scopes.stream().allMatch(scope -> SCOPE.matcher(scope).matches())) {
            return new ApiKeyCreation.Refused("invalid_scope");
        }
        Optional<ServicePolicy> service = policy.get().service(owner);
        if (service.isPresent()) {
            if (!service.get().scopes().containsAll(scopes)) {
                return new ApiKeyCreation.Refused("scope_not_allowed");
            }
        } else if (directory.find(tenant, owner).isEmpty()) {
            return new ApiKeyCreation.Refused("unknown_user");
        }
        ApiKeyId id = ApiKeyId.of(randomBase62(ApiKeyId.LENGTH));
        String secretPart = randomBase62(SECRET_LENGTH);
        ApiKey key = new ApiKey(tenant, id, owner, scopes, expiresAt, null, now, null);
        store.insert(new StoredApiKey(key, mac(tenant, id, secretPart)));
        record(tenant, owner, "api_key.created", "created", id);
        return new ApiKeyCreation.Created(key, Secret.of(PREFIX + id.value() + "_" + secretPart));
    }

    /**
     * Checks a presented key within {@code tenant}, the tenant the request is for. Never throws for
     * any presented value. Refusals other than malformed input and disabled tenants are audited as
     * {@code api_key.refused} with the key id (never the key).
     */
    @Override
    public ApiKeyAuthentication authenticate(TenantId tenant, Secret presented) {
        Optional<IdentityPolicy> policy = policies.forTenant(tenant);
        if (policy.isEmpty() || !policy.get().apiKeysEnabled()) {
            return refused(ApiKeyAuthentication.Reason.DISABLED);
        }
        Matcher parts = FORMAT.matcher(presented.reveal());
        if (!parts.matches()) {
            return refused(ApiKeyAuthentication.Reason.MALFORMED);
        }
        ApiKeyId id = ApiKeyId.of(parts.group(1));
        Optional<StoredApiKey> stored = store.find(tenant, id);
        String computed = mac(tenant, id, parts.group(2));
        String expected = stored.map(StoredApiKey::hash).orElse(NO_HASH);
        boolean matches = MessageDigest.isEqual(
                        computed.getBytes(StandardCharsets.US_ASCII), expected.getBytes(StandardCharsets.US_ASCII))
                && stored.isPresent();
        if (!matches) {
            return refused(tenant, id, ApiKeyAuthentication.Reason.UNKNOWN);
        }
        ApiKey key = stored.get().key();
        Instant now = clock.instant();
        if (key.revokedAt() != null) {
            return refused(tenant, id, ApiKeyAuthentication.Reason.REVOKED);
        }
        if (key.isExpiredAt(now)) {
            return refused(tenant, id, ApiKeyAuthentication.Reason.EXPIRED);
        }
        Optional<Principal> principal = principalOf(key, policy.get());
        if (principal.isEmpty()) {
            return refused(tenant, id, ApiKeyAuthentication.Reason.UNKNOWN_OWNER);
        }
        if (key.lastUsedAt() == null
                || !key.lastUsedAt().plus(USE_RECORDING_INTERVAL).isAfter(now)) {
            store.recordUse(tenant, id, now);
        }
        return new ApiKeyAuthentication.Authenticated(principal.get());
    }

    /** The keys of one owner (without secrets), revoked ones included, newest first. */
    public List<ApiKey> list(TenantId tenant, UserId owner) {
        return store.list(tenant, owner);
    }

    /**
     * Revokes one of the owner's keys; it stops working at once. Allowed also while the tenant has
     * API keys disabled. False if the owner has no such unrevoked key.
     */
    public boolean revoke(TenantId tenant, UserId owner, ApiKeyId id) {
        boolean revoked = store.revoke(tenant, owner, id, clock.instant());
        if (revoked) {
            record(tenant, owner, "api_key.revoked", "revoked", id);
        }
        return revoked;
    }

    // A key owned by a configured service acts as that service, within the service's current scopes.
    private Optional<Principal> principalOf(ApiKey key, IdentityPolicy policy) {
        Optional<ServicePolicy> service = policy.service(key.owner());
        if (service.isPresent()) {
            return Optional.of(IdentityResolver.servicePrincipal(key.tenant(), service.get(), key.scopes()));
        }
        return directory
                .find(key.tenant(), key.owner())
                .map(user -> new Principal(
                        key.tenant(), user.id(), Principal.Kind.API_KEY, user.email(), user.groups(), key.scopes()));
    }

    private String mac(TenantId tenant, ApiKeyId id, String secretPart) {
        try {
            Mac mac = Mac.getInstance(MAC_ALGORITHM);
            mac.init(pepper);
            // NUL separators: none of the parts can contain one, so the layout is unambiguous.
            String input = MAC_CONTEXT + '\0' + tenant.value() + '\0' + id.value() + '\0' + secretPart;
            return HexFormat.of().formatHex(mac.doFinal(input.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK provides HmacSHA256", e);
        }
    }

    private String randomBase62(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }

    private static ApiKeyAuthentication refused(ApiKeyAuthentication.Reason reason) {
        return new ApiKeyAuthentication.Refused(reason);
    }

    private ApiKeyAuthentication refused(TenantId tenant, ApiKeyId id, ApiKeyAuthentication.Reason reason) {
        audit.record(new AuditEvent(
                clock.instant(),
                tenant,
                "api_key:" + id.value(),
                "api_key.refused",
                reason.name().toLowerCase(Locale.ROOT),
                Map.of("key_id", id.value())));
        return new ApiKeyAuthentication.Refused(reason);
    }

    private void record(TenantId tenant, UserId owner, String action, String reason, ApiKeyId id) {
        audit.record(new AuditEvent(
                clock.instant(), tenant, "user:" + owner.value(), action, reason, Map.of("key_id", id.value())));
    }

    @Override
    public String toString() {
        return "ApiKeys";
    }
}
