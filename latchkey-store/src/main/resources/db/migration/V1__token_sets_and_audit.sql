-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode (see Database): keep to the common subset.

-- One canonical row per grant (DESIGN.md, "The refresh coordinator"): only ciphertext, sealed
-- with the grant key as associated data, and a version every write compares and increments.
-- The lease columns serve cluster-wide single-flight refreshes; nothing uses them yet.
CREATE TABLE token_sets (
    tenant      varchar(63)              NOT NULL,
    user_id     varchar(255)             NOT NULL,
    resource    varchar(128)             NOT NULL,
    ciphertext  bytea                    NOT NULL,
    expires_at  timestamp with time zone NULL,
    version     bigint                   NOT NULL,
    lease_owner varchar(255)             NULL,
    lease_until timestamp with time zone NULL,
    fence       bigint                   NOT NULL DEFAULT 0,
    created_at  timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT token_sets_pk PRIMARY KEY (tenant, user_id, resource),
    CONSTRAINT token_sets_version_positive CHECK (version >= 1)
);

-- Finding a tenant's grants that expire soon (proactive refresh) without a table scan.
CREATE INDEX token_sets_tenant_expiry ON token_sets (tenant, expires_at);

-- Who did what in which tenant; details is a small JSON object of non-secret values.
CREATE TABLE audit_events (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      timestamp with time zone NOT NULL,
    tenant  varchar(63)              NOT NULL,
    actor   varchar(255)             NOT NULL,
    action  varchar(64)              NOT NULL,
    reason  varchar(64)              NOT NULL,
    details text                     NOT NULL
);

CREATE INDEX audit_events_tenant_at ON audit_events (tenant, at);
