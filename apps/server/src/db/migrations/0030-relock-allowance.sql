-- 0030: a re-locked session may get one new one-time password that the interval does not refuse
-- (issue 9, "ask again when the session comes back"). relock_request_id names the request that used
-- the session's allowance; NULL while it is unused.
ALTER TABLE sessions ADD COLUMN relock_request_id TEXT REFERENCES otp_requests (id);
