-- Twin of ../0100-lookup-indexes.sql: the lookups that scanned a whole growing table.
CREATE INDEX sessions_relock_request ON sessions (relock_request_id) WHERE relock_request_id IS NOT NULL;
-- os_user is citext, so this index already compares as SQLite's os_user COLLATE NOCASE.
CREATE INDEX otp_requests_by_os_user ON otp_requests (os_user);
