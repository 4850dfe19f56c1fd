// An example cross-origin panel for Latchkey (DESIGN.md C4). No framework, no external script.
//
// The flow:
//  1. "Log in" sends the browser to Latchkey's /auth/{tenant}/login?return_to=<this page>.
//     Latchkey signs the user in at the identity provider and sends the browser back here with
//     ?latchkey_code=<one-time code> (only because this origin is in cors.allowedOrigins).
//  2. The page removes the code from the address bar and trades it, once, at
//     POST /v1/sessions/exchange for {token, refreshToken, user, expiresAt}.
//  3. Before the token expires it calls POST /v1/sessions/refresh with the refresh token in the
//     JSON body (no cookie: cookies do not reach another origin reliably) and gets a new pair.
//     The old refresh token is spent; presenting it again later ends the whole session.
//  4. "Log out" posts the refresh token to /v1/sessions/logout (ends this panel's session, works
//     from any site), then to /auth/{tenant}/logout, which ends Latchkey's browser session and
//     every refresh token that came from it (its cookie arrives only when this page is same-site).
'use strict';

(() => {
  // ---- Settings -------------------------------------------------------------------------------
  // A real panel writes its values here. The query string may override them (?latchkey=…&tenant=…
  // &api=…) so the example runs unchanged against any Latchkey; the code below makes sure that such
  // a link can never make the page send a token anywhere it should not.
  const DEFAULTS = {
    // Latchkey's public URL (server.publicUrl).
    latchkeyUrl: 'http://127.0.0.1:8080',
    // The tenant whose login and sessions this panel uses.
    tenant: 'acme',
    // Optional: an API of this panel's own origin that accepts Latchkey's bearer token (it can
    // check it with Latchkey's GET /v1/auth/verify or /v1/me, or with /.well-known/jwks.json).
    apiUrl: '',
  };
  // Refresh this long before expiry, or half-way through a token that lives shorter than twice this.
  const REFRESH_BEFORE_EXPIRY_MS = 30_000;
  // Never schedule refreshes closer than this: expiresAt is the server's clock, and a client clock
  // that is far ahead would otherwise see every token as expired and refresh in a tight loop.
  const MIN_REFRESH_DELAY_MS = 2_000;
  const MAX_RETRY_DELAY_MS = 30_000;
  const STORAGE_KEY = 'latchkey-example-panel';

  const query = new URLSearchParams(location.search);
  const config = {
    latchkeyUrl: (query.get('latchkey') || DEFAULTS.latchkeyUrl).replace(/\/+$/, ''),
    tenant: query.get('tenant') || DEFAULTS.tenant,
    apiUrl: sameOriginOrEmpty(query.get('api') ?? DEFAULTS.apiUrl),
  };

  // ---- Session state ----------------------------------------------------------------------------
  // The access token lives in memory only: a reload gets a new one with the refresh token.
  let accessToken = null;
  let expiresAt = 0;
  let refreshTimer = null;
  let retryDelay = MIN_REFRESH_DELAY_MS;
  let refreshes = 0;
  let apiCalls = 0;
  let ended = false;

  // EXAMPLE ONLY: the refresh token is kept in sessionStorage (this tab, until it closes) so that a
  // reload keeps the session. Every script on this origin can read sessionStorage, so one XSS bug
  // hands the refresh token to an attacker. A real panel keeps the refresh token on its own server
  // (which calls /v1/sessions/refresh) and gives the browser only an HttpOnly cookie of its own.
  // The stored token is bound to the Latchkey URL and tenant that issued it, so a link with another
  // ?latchkey= can never make this page send it to a different server.
  function storeRefreshToken(refreshToken) {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({
      latchkeyUrl: config.latchkeyUrl,
      tenant: config.tenant,
      refreshToken,
    }));
  }

  function storedRefreshToken() {
    try {
      const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
      if (stored && stored.latchkeyUrl === config.latchkeyUrl && stored.tenant === config.tenant) {
        return stored.refreshToken;
      }
    } catch (ignored) {
      // Unreadable: treated as absent.
    }
    return null;
  }

  function forgetRefreshToken() {
    sessionStorage.removeItem(STORAGE_KEY);
  }

  // ---- Talking to Latchkey ----------------------------------------------------------------------
  // POST a JSON body to one of Latchkey's session endpoints. Content-Type: application/json makes
  // this a CORS request with a preflight, which Latchkey answers only for allowed origins.
  async function post(path, body) {
    let response;
    try {
      response = await fetch(config.latchkeyUrl + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Tenant-Id': config.tenant },
        body: JSON.stringify(body),
        // The refresh token travels in the body; no cookie is needed or sent.
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (networkError) {
      return { ok: false, transient: true, error: 'network error' };
    }
    const json = await response.json().catch(() => ({}));
    if (response.ok) {
      return { ok: true, session: json };
    }
    return {
      ok: false,
      transient: response.status >= 500 || response.status === 429,
      error: json.error || 'HTTP ' + response.status,
    };
  }

  // Takes the one-time code out of the URL, and out of the history entry, before anything else.
  function takeCodeFromUrl() {
    const url = new URL(location.href);
    const code = url.searchParams.get('latchkey_code');
    if (code === null) {
      return null;
    }
    url.searchParams.delete('latchkey_code');
    history.replaceState(history.state, '', url.toString());
    return code;
  }

  async function exchange(code) {
    setStatus('signing in');
    const answer = await post('/v1/sessions/exchange', { code });
    if (!answer.ok) {
      showSignedOut('the login code was refused (' + answer.error + '); log in again');
      return;
    }
    accept(answer.session);
  }

  async function refresh() {
    refreshTimer = null;
    const refreshToken = storedRefreshToken();
    if (refreshToken === null || ended) {
      return;
    }
    const answer = await post('/v1/sessions/refresh', { refreshToken });
    if (ended) {
      return; // logged out meanwhile; the logout revoked whatever this answer carries
    }
    if (answer.ok) {
      refreshes += 1;
      retryDelay = MIN_REFRESH_DELAY_MS;
      accept(answer.session);
      return;
    }
    if (answer.transient) {
      // Latchkey or the network is down for a moment: the refresh token is still good, try again.
      setStatus('cannot reach Latchkey (' + answer.error + '); retrying');
      refreshTimer = setTimeout(refresh, retryDelay);
      retryDelay = Math.min(retryDelay * 2, MAX_RETRY_DELAY_MS);
      return;
    }
    // invalid_grant: the session is over (logged out elsewhere, expired, or its token was reused).
    accessToken = null;
    forgetRefreshToken();
    showSignedOut('the session has ended (' + answer.error + '); log in again');
  }

  function accept(session) {
    accessToken = session.token;
    expiresAt = session.expiresAt;
    storeRefreshToken(session.refreshToken);
    show('signed-in');
    setStatus('signed in');
    text('user-id', session.user.id);
    text('user-email', session.user.email || '(none)');
    text('expires-at', new Date(expiresAt).toISOString());
    text('refresh-count', String(refreshes));
    scheduleRefresh();
    callApi();
  }

  function scheduleRefresh() {
    const remaining = expiresAt - Date.now();
    const before = Math.min(REFRESH_BEFORE_EXPIRY_MS, remaining / 2);
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, Math.max(MIN_REFRESH_DELAY_MS, remaining - before));
  }

  // Uses the bearer token with the panel's own API (if configured), as a real panel would.
  async function callApi() {
    if (!config.apiUrl || accessToken === null) {
      return;
    }
    let result;
    try {
      const response = await fetch(config.apiUrl, {
        headers: { Authorization: 'Bearer ' + accessToken },
        cache: 'no-store',
      });
      const json = await response.json().catch(() => ({}));
      result = response.status + (json.user ? ' as ' + json.user : '');
    } catch (networkError) {
      result = 'network error';
    }
    apiCalls += 1;
    text('api-count', String(apiCalls));
    text('api-result', result);
  }

  async function logout() {
    ended = true;
    clearTimeout(refreshTimer);
    const lastRefreshToken = storedRefreshToken();
    accessToken = null;
    forgetRefreshToken();
    setStatus('logging out');
    if (lastRefreshToken !== null) {
      // Ends this panel's own session (the refresh token's whole family) from any site.
      await fetch(config.latchkeyUrl + '/v1/sessions/logout', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Tenant-Id': config.tenant },
        body: JSON.stringify({ refreshToken: lastRefreshToken }),
        credentials: 'omit',
        cache: 'no-store',
      }).catch(() => null);
    }
    let answer = null;
    try {
      // A "simple" cross-origin request (POST, no body, only Accept): no preflight. The browser adds
      // Origin, which Latchkey checks against cors.allowedOrigins, and credentials: 'include' sends
      // Latchkey's HttpOnly session cookie, so Latchkey can end the browser session and revoke
      // every refresh token that came from it. The cookie is SameSite=Lax: it goes along only
      // when this page is same-site with Latchkey (e.g. admin.example.com and auth.example.com).
      const response = await fetch(
        config.latchkeyUrl + '/auth/' + encodeURIComponent(config.tenant) + '/logout',
        { method: 'POST', headers: { Accept: 'application/json' }, credentials: 'include', cache: 'no-store' });
      answer = response.ok ? await response.json() : null;
    } catch (networkError) {
      answer = null;
    }
    show('after-logout');
    setStatus('logged out');
    text('logout-result', answer === null
      ? 'Latchkey did not confirm the logout.'
      : answer.logged_out
        ? 'Latchkey ended the session.'
        : 'Latchkey had no session for this browser.');
    if (answer && answer.provider_logout && /^https?:$/.test(new URL(answer.redirect).protocol)) {
      document.getElementById('provider-logout-link').href = answer.redirect;
      document.getElementById('provider-logout').classList.remove('hidden');
    }
    // Show that the session is really over: the refresh token this page held is refused now.
    if (lastRefreshToken === null) {
      text('old-refresh', 'no refresh token was held');
      return;
    }
    const check = await post('/v1/sessions/refresh', { refreshToken: lastRefreshToken });
    text('old-refresh', check.ok ? 'accepted (the session is still alive!)' : 'refused (' + check.error + ')');
  }

  // ---- Page -------------------------------------------------------------------------------------
  function loginUrl() {
    return config.latchkeyUrl + '/auth/' + encodeURIComponent(config.tenant)
      + '/login?return_to=' + encodeURIComponent(location.href);
  }

  function showSignedOut(reason) {
    show('signed-out');
    setStatus(reason || 'not signed in');
    document.getElementById('login').href = loginUrl();
  }

  function show(section) {
    for (const id of ['signed-out', 'signed-in', 'after-logout']) {
      document.getElementById(id).classList.toggle('hidden', id !== section);
    }
  }

  // Text only, never markup: nothing from a server or the URL is parsed as HTML.
  function text(id, value) {
    document.getElementById(id).textContent = value;
  }

  function setStatus(value) {
    text('status', value);
  }

  // The bearer token is sent only to this page's own origin, whatever the query string says.
  function sameOriginOrEmpty(value) {
    if (!value) {
      return '';
    }
    const url = new URL(value, location.href);
    return url.origin === location.origin ? url.href : '';
  }

  document.getElementById('logout').addEventListener('click', logout);

  const code = takeCodeFromUrl();
  if (code !== null) {
    exchange(code);
  } else if (storedRefreshToken() !== null) {
    setStatus('resuming');
    refresh();
  } else {
    showSignedOut();
  }
})();
