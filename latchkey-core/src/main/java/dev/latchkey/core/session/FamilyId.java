package dev.latchkey.core.session;

import com.nimbusds.oauth2.sdk.id.Identifier;
import java.util.regex.Pattern;

/**
 * The id of a refresh-token family: every refresh token rotated from one exchange shares it, and so
 * do the access tokens minted with them ({@code sid} claim). Not a secret — it identifies a family
 * in audit records and revocations — but random, so it reveals nothing about the user.
 */
public record FamilyId(String value) {
    private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_-]{16,64}");

    /**
     * Checks the form.
     *
     * @throws IllegalArgumentException if the value is not 16–64 URL-safe characters
     */
    public FamilyId {
        if (!FORM.matcher(value).matches()) {
            throw new IllegalArgumentException("a family id is 16-64 URL-safe characters");
        }
    }

    /** A new random family id (128 bits). */
    public static FamilyId random() {
        return new FamilyId(new Identifier(16).getValue());
    }

    @Override
    public String toString() {
        return value;
    }
}
