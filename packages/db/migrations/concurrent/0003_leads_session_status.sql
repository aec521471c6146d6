-- Plan 2.1: a session's lead by status.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_leads_session_status ON leads (session_id, status);
