-- 0100: lookups that scanned a whole growing table (found by the benchmark and by
-- test/db/query-plans.test.ts, which now refuses such scans):
--  - verify ends the session a re-lock replaced (relock_request_id = the request just consumed): on
--    every verify, so with a year of history verify/s fell to a third. Partial: most sessions never
--    use their allowance, so verify writes to it only when one does.
--  - Access Requests shows the emails an osUser unlocked with before (knownEmails), per listed request:
--    read from the used requests by osUser. This index is written when a request is made; an index
--    on sessions would be written on every verify, the path whose speed matters most at 9 a.m.
--  - Generate Password's osUser hints read one Client's requests through otp_requests_by_client.
CREATE INDEX sessions_relock_request ON sessions (relock_request_id) WHERE relock_request_id IS NOT NULL;
CREATE INDEX otp_requests_by_os_user ON otp_requests (os_user COLLATE NOCASE);
