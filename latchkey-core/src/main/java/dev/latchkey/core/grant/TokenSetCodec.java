package dev.latchkey.core.grant;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.latchkey.core.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The plaintext form of a token set inside its ciphertext: a small versioned JSON object. Only
 * {@link EncryptedTokenStore} uses it, between sealing and opening.
 */
final class TokenSetCodec {
    private static final int FORMAT = 1;

    private TokenSetCodec() {}

    static byte[] encode(TokenSet tokens) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("v", FORMAT);
        json.put("at", tokens.accessToken().reveal());
        tokens.refreshTokenIfAny().ifPresent(rt -> json.put("rt", rt.reveal()));
        json.put("tt", tokens.tokenType());
        json.put("sc", List.copyOf(tokens.scopes()));
        tokens.expiry().ifPresent(exp -> json.put("exp", exp.toEpochMilli()));
        return JSONObjectUtils.toJSONString(json).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Decodes a token set encoded by {@link #encode}.
     *
     * @throws ParseException if the bytes are not a token set of a known format
     */
    static TokenSet decode(byte[] plaintext) throws ParseException {
        Map<String, Object> json = JSONObjectUtils.parse(new String(plaintext, StandardCharsets.UTF_8));
        if (JSONObjectUtils.getInt(json, "v") != FORMAT) {
            throw new ParseException("unknown token set format", 0);
        }
        String refresh = JSONObjectUtils.getString(json, "rt");
        Set<String> scopes = new LinkedHashSet<>();
        List<String> scopeList = JSONObjectUtils.getStringList(json, "sc");
        if (scopeList != null) {
            scopes.addAll(scopeList);
        }
        @Nullable
        Instant expiresAt = json.containsKey("exp") ? Instant.ofEpochMilli(JSONObjectUtils.getLong(json, "exp")) : null;
        String access = JSONObjectUtils.getString(json, "at");
        String type = JSONObjectUtils.getString(json, "tt");
        if (access == null || type == null) {
            throw new ParseException("token set lacks access token or type", 0);
        }
        try {
            return new TokenSet(
                    Secret.of(access), refresh == null ? null : Secret.of(refresh), type, scopes, expiresAt);
        } catch (IllegalArgumentException e) {
            throw new ParseException("invalid token set: " + e.getMessage(), 0);
        }
    }
}
