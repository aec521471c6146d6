-- Plan 2.1: a session's recent history, newest first.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_chat_messages_session_created ON chat_messages (session_id, created_at DESC);
