-- Second release (v1.1), abuse and authorization:
--   users.windows_accounts: the Windows accounts an internal user may request OTPs for with the
--     `internal` method, a JSON array of `DOMAIN\name` or `name` (their own login always counts).
ALTER TABLE users ADD COLUMN windows_accounts TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(windows_accounts));
--   otp_requests: OTPs already burnt by wrong codes under the current maxVerifyAttempts are recorded as
--     burnt, so raising the setting later does not revive them.
UPDATE otp_requests SET status = 'burnt'
 WHERE status = 'sent'
   AND failed_attempts >= coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'maxVerifyAttempts'), 5);
--   otp_requests.resend_count: how often the OTP was mailed again (at most 3 times).
ALTER TABLE otp_requests ADD COLUMN resend_count INTEGER NOT NULL DEFAULT 0;
--   mail_queue.not_before: when a throttled mail (the staff reminder of new access requests) is due;
--     NULL for mail due when it was queued.
ALTER TABLE mail_queue ADD COLUMN not_before INTEGER;
CREATE INDEX mail_queue_by_recipient ON mail_queue (recipient, kind);
