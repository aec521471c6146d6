-- Plan 2.1: sessions by visitor within an organization (the plan's chat_sessions(user_id, organization_id)).
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_chat_sessions_visitor_org ON chat_sessions (visitor_id, organization_id);
