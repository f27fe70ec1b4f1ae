-- Twin of ../0150-cancel-sent-otp.sql: the request that used a cancelled OTP's interval waiver.
ALTER TABLE otp_requests ADD COLUMN interval_waived_for text REFERENCES otp_requests (id);
