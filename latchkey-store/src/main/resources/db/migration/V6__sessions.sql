-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode (see Database): keep to the common subset.

-- Refresh-token families (DESIGN.md C4): one per exchange of a one-time code. A revoked family
-- keeps its row (with the first reason) until it is purged, so reuse of any of its tokens stays
-- recognisable.
CREATE TABLE refresh_families (
    tenant          varchar(63)              NOT NULL,
    family          varchar(64)              NOT NULL,
    user_id         varchar(255)             NOT NULL,
    browser_session char(64)                 NULL,
    created_at      timestamp with time zone NOT NULL,
    last_used_at    timestamp with time zone NOT NULL,
    revoked_at      timestamp with time zone NULL,
    revoked_reason  varchar(64)              NULL,
    CONSTRAINT refresh_families_pk PRIMARY KEY (tenant, family)
);

CREATE INDEX refresh_families_user ON refresh_families (tenant, user_id);
CREATE INDEX refresh_families_session ON refresh_families (tenant, browser_session);
CREATE INDEX refresh_families_created ON refresh_families (created_at);
CREATE INDEX refresh_families_last_used ON refresh_families (last_used_at);

-- Every refresh token issued, as its SHA-256 only. A spent token keeps when and by which client
-- it was spent, and its successor sealed (AES-GCM bound to tenant, family and this hash) for the
-- grace window of a client retrying a lost response.
CREATE TABLE refresh_tokens (
    tenant           varchar(63)              NOT NULL,
    token_hash       char(64)                 NOT NULL,
    family           varchar(64)              NOT NULL,
    generation       integer                  NOT NULL,
    issued_at        timestamp with time zone NOT NULL,
    spent_at         timestamp with time zone NULL,
    spent_by         varchar(64)              NULL,
    sealed_successor bytea                    NULL,
    CONSTRAINT refresh_tokens_pk PRIMARY KEY (tenant, token_hash),
    CONSTRAINT refresh_tokens_family FOREIGN KEY (tenant, family)
        REFERENCES refresh_families (tenant, family) ON DELETE CASCADE
);

CREATE INDEX refresh_tokens_by_family ON refresh_tokens (tenant, family);

-- One-time codes that hand a browser login to a cross-origin panel: SHA-256 only, single use,
-- short-lived. A used code keeps the family its redemption created until it is purged, so a
-- second redemption can revoke that family.
CREATE TABLE session_codes (
    tenant          varchar(63)              NOT NULL,
    code_hash       char(64)                 NOT NULL,
    user_id         varchar(255)             NOT NULL,
    origin          varchar(255)             NOT NULL,
    browser_session char(64)                 NULL,
    expires_at      timestamp with time zone NOT NULL,
    used_at         timestamp with time zone NULL,
    family          varchar(64)              NULL,
    CONSTRAINT session_codes_pk PRIMARY KEY (tenant, code_hash)
);

CREATE INDEX session_codes_expiry ON session_codes (expires_at);
