-- Twin of ../0050-abuse-rules.sql.
--   users.windows_accounts: a JSON array. SQLite checks json_valid(); here the cast to json refuses
--     anything that is not JSON (the INSERT or UPDATE fails, as the CHECK fails there).
ALTER TABLE users ADD COLUMN windows_accounts text NOT NULL DEFAULT '[]'
  CONSTRAINT users_windows_accounts_check CHECK ((windows_accounts::json) IS NOT NULL);
--   otp_requests: OTPs already burnt by wrong codes under the current maxVerifyAttempts are burnt.
UPDATE otp_requests SET status = 'burnt'
 WHERE status = 'sent'
   AND failed_attempts >= coalesce((SELECT CAST(value AS integer) FROM settings WHERE key = 'maxVerifyAttempts'), 5);
--   otp_requests.resend_count: how often the OTP was mailed again (at most 3 times).
ALTER TABLE otp_requests ADD COLUMN resend_count integer NOT NULL DEFAULT 0;
--   mail_queue.not_before: when a throttled mail is due; NULL for mail due when it was queued.
ALTER TABLE mail_queue ADD COLUMN not_before bigint;
CREATE INDEX mail_queue_by_recipient ON mail_queue (recipient, kind);
