package dev.latchkey.core.identity;

/**
 * The outcome of resolving an identity to a principal. {@link Unknown} and {@link Conflict} are
 * refusals: the caller answers 403 with the reason as error code (RFC 6750 §3.1 leaves
 * authorization failures after a valid token to the resource server).
 */
public sealed interface Resolution {

    /** The caller is this principal. */
    record Resolved(Principal principal) implements Resolution {}

    /**
     * No local user: not bound, not linked, not provisioned; or no such tenant, service or user.
     *
     * @param reason a fixed code: {@code user_not_provisioned}, {@code unknown_tenant}, {@code
     *     unknown_user} or {@code not_a_service}
     */
    record Unknown(String reason) implements Resolution {}

    /**
     * The identity cannot be mapped safely without an administrator.
     *
     * @param reason a fixed code: {@code ambiguous_email}
     */
    record Conflict(String reason) implements Resolution {}
}
