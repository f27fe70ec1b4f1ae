-- Twin of ../0140-scope.sql: why the lock-decision left a session open, and the language of a request.
ALTER TABLE sessions ADD COLUMN exempt_reason text
  CONSTRAINT sessions_exempt_reason_check
  CHECK (exempt_reason IS NULL OR exempt_reason IN ('exempt_account', 'exempt_group', 'logon_kind', 'otp_disabled'));
ALTER TABLE otp_requests ADD COLUMN locale text
  CONSTRAINT otp_requests_locale_check CHECK (locale IS NULL OR locale IN ('en', 'de', 'fr', 'es'));
