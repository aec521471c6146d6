-- The worker's webhook relay looks for deliveries never attempted (see relayUndelivered): few rows, looked up every few seconds.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_webhook_deliveries_unattempted ON webhook_deliveries (created_at) WHERE status = 'pending' AND attempts = 0;
