-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode (see Database): keep to the common subset.

-- Connect flows waiting for their callback, at most one per tenant, user and resource. The state
-- is kept only as its SHA-256; the PKCE verifier and the rest are sealed, bound to the flow.
CREATE TABLE connect_flows (
    tenant     varchar(63)              NOT NULL,
    user_id    varchar(255)             NOT NULL,
    resource   varchar(128)             NOT NULL,
    state_hash char(64)                 NOT NULL,
    sealed     bytea                    NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT connect_flows_pk PRIMARY KEY (tenant, user_id, resource),
    CONSTRAINT connect_flows_state UNIQUE (tenant, state_hash)
);

CREATE INDEX connect_flows_expiry ON connect_flows (expires_at);
