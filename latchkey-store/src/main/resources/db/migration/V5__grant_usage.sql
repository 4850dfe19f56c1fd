-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode (see Database): keep to the common subset.

-- When a grant was last handed out (written at most once a minute per replica), so that proactive
-- refresh keeps used grants fresh and lets unused ones expire. NULL: not used since it was stored.
ALTER TABLE token_sets ADD COLUMN last_used_at timestamp with time zone NULL;

-- The due-grant scan walks every tenant's grants in expiry order over a short range of expiry
-- (keyset pagination by expiry, then key); the existing (tenant, expires_at) index serves one tenant.
CREATE INDEX token_sets_due ON token_sets (expires_at, tenant, user_id, resource);
