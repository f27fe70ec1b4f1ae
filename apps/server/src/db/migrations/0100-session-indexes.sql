-- 0100: indexes for three lookups on sessions that scanned the whole table (found by the benchmark
-- and by test/db/query-plans.test.ts, which now refuses such scans):
--  - verify ends the session a re-lock replaced (relock_request_id = the request just consumed): on
--    every verify, so with a year of history verify/s fell to a third. Partial: most sessions never
--    use their allowance.
--  - Access Requests shows the emails an osUser has used before (knownEmails), per listed request.
--  - Generate Password offers the osUsers seen on one Client; removing a Client checks its sessions.
CREATE INDEX sessions_relock_request ON sessions (relock_request_id) WHERE relock_request_id IS NOT NULL;
CREATE INDEX sessions_by_os_user ON sessions (os_user COLLATE NOCASE);
CREATE INDEX sessions_by_client ON sessions (client_id, started_at);
