-- An organization's costs over a window (the dashboard, the daily report, the daily cost alert).
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_message_costs_org_created ON message_costs (organization_id, created_at);
