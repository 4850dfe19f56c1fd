-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode (see Database): keep to the common subset.

-- Browser logins waiting for their callback (DESIGN.md C3): the state only as its SHA-256, the
-- browser binding (pre-login cookie) only as its SHA-256, nonce/verifier/return address sealed.
CREATE TABLE login_flows (
    tenant       varchar(63)              NOT NULL,
    state_hash   char(64)                 NOT NULL,
    binding_hash char(64)                 NOT NULL,
    sealed       bytea                    NOT NULL,
    expires_at   timestamp with time zone NOT NULL,
    CONSTRAINT login_flows_pk PRIMARY KEY (tenant, state_hash)
);

CREATE INDEX login_flows_pending ON login_flows (tenant, expires_at);
CREATE INDEX login_flows_expiry ON login_flows (expires_at);

-- Browser sessions: the cookie's id only as its SHA-256; the IdP's tokens sealed (AES-GCM bound to
-- tenant and id hash) and refreshed before they expire; the IdP's sid and subject for back-channel
-- logout.
CREATE TABLE browser_sessions (
    tenant       varchar(63)              NOT NULL,
    id_hash      char(64)                 NOT NULL,
    user_id      varchar(255)             NOT NULL,
    created_at   timestamp with time zone NOT NULL,
    last_seen_at timestamp with time zone NOT NULL,
    expires_at   timestamp with time zone NOT NULL,
    idp_issuer   varchar(512)             NOT NULL,
    idp_sid      varchar(255)             NULL,
    idp_subject  varchar(255)             NOT NULL,
    sealed       bytea                    NOT NULL,
    -- When the IdP's access token expires, and who refreshes it now (one replica at a time).
    idp_expires_at      timestamp with time zone NULL,
    idp_refresh_until   timestamp with time zone NULL,
    CONSTRAINT browser_sessions_pk PRIMARY KEY (tenant, id_hash)
);

CREATE INDEX browser_sessions_idp_sid ON browser_sessions (tenant, idp_issuer, idp_sid);
CREATE INDEX browser_sessions_idp_subject ON browser_sessions (tenant, idp_issuer, idp_subject);
CREATE INDEX browser_sessions_user ON browser_sessions (tenant, user_id);
CREATE INDEX browser_sessions_expiry ON browser_sessions (expires_at);
CREATE INDEX browser_sessions_last_seen ON browser_sessions (last_seen_at);
