-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode (see Database): keep to the common subset.

-- Local users of each tenant. The email is stored lower-case; only a verified one links another
-- identity to the user. groups is a JSON array of strings, synced from token claims.
CREATE TABLE users (
    tenant         varchar(63)              NOT NULL,
    id             varchar(255)             NOT NULL,
    email          varchar(320)             NULL,
    email_verified boolean                  NOT NULL DEFAULT FALSE,
    groups         text                     NOT NULL DEFAULT '[]',
    created_at     timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT users_pk PRIMARY KEY (tenant, id)
);

-- Linking by verified email looks users up by (tenant, email) without a scan.
CREATE INDEX users_tenant_email ON users (tenant, email);

-- (tenant, issuer, subject) → user, written once: the primary key makes concurrent first logins of
-- one identity agree on one user (OIDC Core §2: a subject is unique only within its issuer).
CREATE TABLE identity_bindings (
    tenant     varchar(63)              NOT NULL,
    issuer     varchar(1024)            NOT NULL,
    subject    varchar(255)             NOT NULL,
    user_id    varchar(255)             NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT identity_bindings_pk PRIMARY KEY (tenant, issuer, subject),
    CONSTRAINT identity_bindings_user_fk FOREIGN KEY (tenant, user_id) REFERENCES users (tenant, id) ON DELETE CASCADE
);

CREATE INDEX identity_bindings_user ON identity_bindings (tenant, user_id);

-- API keys: only the public id and an HMAC-SHA256 of the key (64 hex digits) are stored, never the
-- key. scopes is a JSON array of strings. A key is found by its primary key only.
CREATE TABLE api_keys (
    tenant       varchar(63)              NOT NULL,
    id           varchar(16)              NOT NULL,
    user_id      varchar(255)             NOT NULL,
    hash         varchar(64)              NOT NULL,
    scopes       text                     NOT NULL,
    expires_at   timestamp with time zone NULL,
    revoked_at   timestamp with time zone NULL,
    created_at   timestamp with time zone NOT NULL,
    last_used_at timestamp with time zone NULL,
    CONSTRAINT api_keys_pk PRIMARY KEY (tenant, id)
);

CREATE INDEX api_keys_tenant_user ON api_keys (tenant, user_id, created_at);
