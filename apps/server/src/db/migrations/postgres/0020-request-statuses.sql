-- Twin of ../0020-request-statuses.sql. SQLite rebuilt both tables to change a CHECK; PostgreSQL
-- changes the named constraint in place (rows, references and indexes stay as they are).
--   otp_requests.status: + superseded, burnt, cancelled.
--   sessions: request_id may be NULL and via may be 'offline' (an offline unlock has no request).
ALTER TABLE otp_requests
  DROP CONSTRAINT otp_requests_status_check,
  ADD CONSTRAINT otp_requests_status_check
    CHECK (status IN ('pending', 'sent', 'denied', 'used', 'superseded', 'burnt', 'cancelled'));

ALTER TABLE sessions
  ALTER COLUMN request_id DROP NOT NULL,
  DROP CONSTRAINT sessions_via_check,
  ADD CONSTRAINT sessions_via_check CHECK (via IN ('otp', 'emergency', 'generated', 'offline'));
