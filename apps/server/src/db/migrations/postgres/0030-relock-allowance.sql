-- Twin of ../0030-relock-allowance.sql: the request that used a re-locked session's allowance.
ALTER TABLE sessions ADD COLUMN relock_request_id text REFERENCES otp_requests (id);
