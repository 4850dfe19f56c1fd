-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode (see Database): keep to the common subset.

-- Secrets of the deployment itself (the API key pepper), generated once at first start and shared
-- by every replica. Only ciphertext is stored, sealed by the keyset with the name as associated
-- data; the primary key makes replicas racing at first start agree on one value.
CREATE TABLE deployment_secrets (
    name       varchar(63)              NOT NULL,
    ciphertext bytea                    NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT deployment_secrets_pk PRIMARY KEY (name)
);
