package dev.latchkey.server;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The browser cookies of the login (C3-12): the session cookie and the short-lived pre-login cookie
 * that binds a login to the browser that started it. Behind https they are {@code __Host-} cookies
 * ({@code Secure}, {@code Path=/}, no {@code Domain}); a development deployment on plain http
 * (loopback) drops the prefix and {@code Secure}, which browsers refuse there. Always {@code
 * HttpOnly}; the session cookie is {@code SameSite=Lax}. Values are opaque random ids, never token
 * material.
 */
final class SessionCookies {
    static final String ATTRIBUTE = SessionCookies.class.getName();

    private final boolean secure;

    SessionCookies(boolean secure) {
        this.secure = secure;
    }

    /** The cookie policy in force for a request (set by the server for every request). */
    static SessionCookies of(Context ctx) {
        return ctx.attribute(ATTRIBUTE) instanceof SessionCookies cookies ? cookies : new SessionCookies(true);
    }

    String sessionName() {
        return secure ? "__Host-latchkey-session" : "latchkey-session";
    }

    String loginName() {
        return secure ? "__Host-latchkey-login" : "latchkey-login";
    }

    Optional<String> session(Context ctx) {
        return Optional.ofNullable(ctx.cookie(sessionName()));
    }

    Optional<String> login(Context ctx) {
        return Optional.ofNullable(ctx.cookie(loginName()));
    }

    void setSession(Context ctx, String value, Duration maxAge) {
        ctx.cookie(cookie(sessionName(), value, (int) maxAge.toSeconds(), SameSite.LAX));
    }

    /**
     * The pre-login cookie. A {@code form_post} answer arrives as a cross-site POST, which carries
     * only {@code SameSite=None} cookies.
     */
    void setLogin(Context ctx, String value, Duration maxAge, boolean crossSitePost) {
        ctx.cookie(cookie(loginName(), value, (int) maxAge.toSeconds(), crossSitePost ? SameSite.NONE : SameSite.LAX));
    }

    void clearSession(Context ctx) {
        ctx.cookie(cookie(sessionName(), "", 0, SameSite.LAX));
    }

    void clearLogin(Context ctx) {
        ctx.cookie(cookie(loginName(), "", 0, SameSite.LAX));
    }

    private Cookie cookie(String name, String value, int maxAge, @Nullable SameSite sameSite) {
        return new Cookie(name, value, "/", maxAge, secure, true, null, sameSite);
    }
}
