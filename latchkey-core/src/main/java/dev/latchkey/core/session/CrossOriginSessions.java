package dev.latchkey.core.session;

import com.nimbusds.oauth2.sdk.id.Identifier;
import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditLog;
import dev.latchkey.core.crypto.AssociatedData;
import dev.latchkey.core.crypto.Cipher;
import dev.latchkey.core.crypto.DecryptionFailedException;
import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.identity.User;
import dev.latchkey.core.identity.UserDirectory;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Cross-origin sessions (DESIGN.md C4). A browser login hands a panel on another origin a one-time
 * code; the panel exchanges it for a short-lived access token and a refresh token, and refreshes in
 * a request body. Refresh tokens are opaque (256 random bits), stored only as SHA-256, rotated on
 * every use and grouped in a family per exchange. Presenting a spent token revokes the family (RFC
 * 9700 §4.14.2) — unless the client that spent it presents it again within the grace window, which
 * is a retry of a lost response and gets the same refresh token back. A second redemption of a code
 * revokes what the first issued (RFC 6749 §4.1.2). Every refusal is {@code invalid_grant} to the
 * caller and a specific reason in the audit log; no secret is ever logged, only family ids.
 *
 * <p>Thread-safe; the stores decide every race (one rotation per token, one redemption per code).
 */
public final class CrossOriginSessions {
    private static final String REFRESH_PREFIX = "lkrt_";
    private static final Pattern REFRESH_FORM = Pattern.compile("lkrt_[A-Za-z0-9_-]{43}");
    private static final Pattern CODE_FORM = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}\\.[A-Za-z0-9_-]{43}");
    private static final String SUCCESSOR_PURPOSE = "latchkey.refresh_successor.v1";

    private final RefreshTokenStore families;
    private final SessionCodeStore codes;
    private final SessionAccessTokens accessTokens;
    private final UserDirectory users;
    private final Cipher cipher;
    private final AuditLog audit;
    private final Clock clock;
    private final SessionSettings settings;

    public CrossOriginSessions(
            RefreshTokenStore families,
            SessionCodeStore codes,
            SessionAccessTokens accessTokens,
            UserDirectory users,
            Cipher cipher,
            AuditLog audit,
            Clock clock,
            SessionSettings settings) {
        this.families = families;
        this.codes = codes;
        this.accessTokens = accessTokens;
        this.users = users;
        this.cipher = cipher;
        this.audit = audit;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * Issues a one-time code for {@code user} that only {@code origin} may exchange, within the code
     * lifetime.
     *
     * @param browserSession the SHA-256 of the browser session it comes from, if any: ending that
     *     session ends the family the code's exchange creates
     */
    public Secret issueCode(TenantId tenant, UserId user, String origin, @Nullable String browserSession) {
        Secret code = Secret.of(tenant.value() + "." + new Identifier(32).getValue());
        Instant now = clock.instant();
        codes.put(new SessionCode(
                tenant, code.sha256(), user, origin, browserSession, now.plus(settings.codeLifetime()), null));
        record(tenant, user, "session.code", "issued", Map.of("origin", origin));
        return code;
    }

    /**
     * Exchanges a one-time code for a new session.
     *
     * @param tenantHeader the tenant the caller named, if any: it must be the code's
     * @param origin the origin the request came from: it must be the one the code was issued for
     */
    public SessionOutcome exchange(@Nullable TenantId tenantHeader, Secret code, @Nullable String origin) {
        String value = code.reveal();
        if (!CODE_FORM.matcher(value).matches()) {
            return refused("the code is not valid");
        }
        TenantId tenant = TenantId.of(value.substring(0, value.indexOf('.')));
        if (tenantHeader != null && !tenantHeader.equals(tenant)) {
            record(tenantHeader, null, "session.exchange", "tenant_mismatch", Map.of());
            return refused("the code is not valid");
        }
        Instant now = clock.instant();
        FamilyId family = FamilyId.random();
        return switch (codes.redeem(tenant, code.sha256(), family, now)) {
            case SessionCodeStore.Redemption.Unknown unknown -> {
                record(tenant, null, "session.exchange", "code_unknown", Map.of());
                yield refused("the code is not valid");
            }
            case SessionCodeStore.Redemption.Reused reused -> {
                // RFC 6749 §4.1.2: a code used twice revokes what its first use issued.
                @Nullable FamilyId first = reused.code().family();
                if (first != null) {
                    families.revoke(tenant, first, "code_reuse", now);
                }
                record(tenant, reused.code().user(), "session.exchange", "code_reuse", familyDetail(first));
                yield refused("the code is not valid");
            }
            case SessionCodeStore.Redemption.Redeemed redeemed -> start(redeemed.code(), family, origin, now);
        };
    }

    private SessionOutcome start(SessionCode code, FamilyId family, @Nullable String origin, Instant now) {
        if (!now.isBefore(code.expiresAt())) {
            record(code.tenant(), code.user(), "session.exchange", "code_expired", Map.of());
            return refused("the code is not valid");
        }
        if (origin == null || !origin.equals(code.origin())) {
            record(code.tenant(), code.user(), "session.exchange", "origin_mismatch", Map.of());
            return refused("the code is not valid");
        }
        Optional<User> user = users.find(code.tenant(), code.user());
        if (user.isEmpty()) {
            record(code.tenant(), code.user(), "session.exchange", "user_gone", Map.of());
            return refused("the code is not valid");
        }
        Secret refreshToken = newRefreshToken();
        families.create(
                RefreshFamily.create(code.tenant(), family, code.user(), code.browserSession(), now),
                refreshToken.sha256());
        record(code.tenant(), code.user(), "session.exchange", "issued", familyDetail(family));
        return issue(user.get(), family, refreshToken);
    }

    /**
     * Rotates a refresh token: the presented one is spent and the answer carries its successor.
     *
     * @param expectedUser the user the caller expects the token to belong to, if it says
     * @param client who presents it, to tell a retry by the same client from a reuse
     */
    public SessionOutcome refresh(
            TenantId tenant, Secret refreshToken, @Nullable UserId expectedUser, ClientContext client) {
        if (!REFRESH_FORM.matcher(refreshToken.reveal()).matches()) {
            // C4-13: garbage is refused without a lookup and without touching any family.
            return refused("the refresh token is not valid");
        }
        String hash = refreshToken.sha256();
        Optional<RefreshTokenStore.Presented> found = families.find(tenant, hash);
        if (found.isEmpty()) {
            record(tenant, null, "session.refresh", "token_unknown", Map.of());
            return refused("the refresh token is not valid");
        }
        RefreshFamily family = found.get().family();
        Instant now = clock.instant();
        Optional<String> dead = deathOf(family, expectedUser, now);
        if (dead.isPresent()) {
            return refused("the refresh token is not valid");
        }
        Optional<User> user = users.find(tenant, family.user());
        if (user.isEmpty()) {
            end(family, "user_gone", now);
            return refused("the refresh token is not valid");
        }
        StoredRefreshToken token = found.get().token();
        if (!token.spent()) {
            Secret successor = newRefreshToken();
            Ciphertext sealed = cipher.seal(
                    successor.reveal().getBytes(StandardCharsets.UTF_8), successorContext(tenant, family.id(), hash));
            if (families.rotate(tenant, hash, successor.sha256(), sealed, client.fingerprint(), now)) {
                return issue(user.get(), family.id(), successor);
            }
            // Lost a race with a concurrent rotation of the same token: judge it as a retry below.
            Optional<RefreshTokenStore.Presented> winner = families.find(tenant, hash);
            if (winner.isEmpty()) {
                return refused("the refresh token is not valid");
            }
            token = winner.get().token();
        }
        return replay(user.get(), family, token, client, now);
    }

    /**
     * A spent token presented again: the same client within the grace window gets the successor it
     * lost (if still unspent); anything else is reuse, and the family dies.
     */
    private SessionOutcome replay(
            User user, RefreshFamily family, StoredRefreshToken token, ClientContext client, Instant now) {
        @Nullable Instant spentAt = token.spentAt();
        @Nullable Ciphertext sealed = token.sealedSuccessor();
        boolean sameClient = client.fingerprint().equals(token.spentBy());
        if (sameClient && spentAt != null && sealed != null && !now.isAfter(spentAt.plus(settings.reuseGrace()))) {
            Optional<Secret> successor = open(family, token.hash(), sealed);
            if (successor.isPresent()
                    && families.find(family.tenant(), successor.get().sha256())
                            .filter(next -> !next.token().spent())
                            .isPresent()) {
                record(family.tenant(), family.user(), "session.refresh", "grace_retry", familyDetail(family.id()));
                return issue(user, family.id(), successor.get());
            }
        }
        end(family, "refresh_token_reuse", now);
        return refused("the refresh token is not valid");
    }

    /** Why a family can no longer be used, if it cannot; a dead family is revoked and audited. */
    private Optional<String> deathOf(RefreshFamily family, @Nullable UserId expectedUser, Instant now) {
        if (family.revoked()) {
            record(family.tenant(), family.user(), "session.refresh", "family_revoked", familyDetail(family.id()));
            return Optional.of("family_revoked");
        }
        if (expectedUser != null && !expectedUser.equals(family.user())) {
            // Not the family's fault: the caller named another user. Refuse without revoking.
            record(family.tenant(), expectedUser, "session.refresh", "user_mismatch", familyDetail(family.id()));
            return Optional.of("user_mismatch");
        }
        if (now.isAfter(family.createdAt().plus(settings.refreshAbsolute()))) {
            end(family, "refresh_expired", now);
            return Optional.of("refresh_expired");
        }
        if (now.isAfter(family.lastUsedAt().plus(settings.refreshIdle()))) {
            end(family, "refresh_idle", now);
            return Optional.of("refresh_idle");
        }
        return Optional.empty();
    }

    /**
     * Revokes the family of a refresh token that leaked (sent where it is logged, such as a URL).
     * Garbage that matches no token changes nothing.
     */
    public void revokeLeaked(TenantId tenant, Secret refreshToken) {
        revokeFamilyOf(tenant, refreshToken, "token_leaked");
    }

    /**
     * Ends the session a refresh token belongs to (a panel's logout, RFC 7009 in spirit): its whole
     * family is revoked, whichever of its tokens is presented. Unknown tokens change nothing.
     *
     * @return whether a live family was ended
     */
    public boolean logout(TenantId tenant, Secret refreshToken) {
        return revokeFamilyOf(tenant, refreshToken, "logout");
    }

    private boolean revokeFamilyOf(TenantId tenant, Secret refreshToken, String reason) {
        if (!REFRESH_FORM.matcher(refreshToken.reveal()).matches()) {
            return false;
        }
        Optional<RefreshTokenStore.Presented> found = families.find(tenant, refreshToken.sha256());
        if (found.isEmpty() || found.get().family().revoked()) {
            return false;
        }
        end(found.get().family(), reason, clock.instant());
        return true;
    }

    /** Revokes the families that came from a browser session (its logout). */
    public int revokeBrowserSession(TenantId tenant, String browserSessionHash, String reason) {
        return families.revokeBrowserSession(tenant, browserSessionHash, reason, clock.instant());
    }

    private void end(RefreshFamily family, String reason, Instant now) {
        families.revoke(family.tenant(), family.id(), reason, now);
        record(family.tenant(), family.user(), "session.refresh", reason, familyDetail(family.id()));
    }

    private SessionOutcome issue(User user, FamilyId family, Secret refreshToken) {
        SessionAccessTokens.Minted minted = accessTokens.mint(user.tenant(), user.id(), family);
        return new SessionOutcome.Issued(minted.token(), refreshToken, user, minted.expiresAt());
    }

    private Optional<Secret> open(RefreshFamily family, String spentHash, Ciphertext sealed) {
        try {
            return Optional.of(Secret.of(new String(
                    cipher.open(sealed, successorContext(family.tenant(), family.id(), spentHash)),
                    StandardCharsets.UTF_8)));
        } catch (DecryptionFailedException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static AssociatedData successorContext(TenantId tenant, FamilyId family, String spentHash) {
        return AssociatedData.of(SUCCESSOR_PURPOSE, tenant.value(), family.value(), spentHash);
    }

    private static Secret newRefreshToken() {
        return Secret.of(REFRESH_PREFIX + new Identifier(32).getValue());
    }

    private static SessionOutcome refused(String description) {
        return new SessionOutcome.Refused("invalid_grant", description);
    }

    private static Map<String, String> familyDetail(@Nullable FamilyId family) {
        return family == null ? Map.of() : Map.of("family", family.value());
    }

    private void record(
            TenantId tenant, @Nullable UserId user, String action, String reason, Map<String, String> details) {
        audit.record(new AuditEvent(
                clock.instant(),
                tenant,
                user == null ? "anonymous" : "user:" + user.value(),
                action,
                reason,
                new LinkedHashMap<>(details)));
    }
}
