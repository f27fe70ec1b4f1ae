-- 0150: "A wrong address after approval" (v1.2, the helpdesk's day). The Client may cancel a sent
-- one-time password (it was mailed to a mistyped address); the next request of that Client and
-- osUser is then not refused by the interval, once per cancelled OTP. interval_waived_for names the
-- request that used the cancelled OTP's waiver; NULL while it is unused (or the OTP was never sent).
ALTER TABLE otp_requests ADD COLUMN interval_waived_for TEXT REFERENCES otp_requests (id);
