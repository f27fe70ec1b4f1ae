-- Third release (v1.2), "Who must unlock, and when" and mails in the user's language.
--   sessions.exempt_reason: a session the lock-decision opened without an OTP (the account, its
--     directory group, the logon kind or the Client's OTP switch exempted it); NULL for every other.
--     Added, not rebuilt: a rebuild to widen the CHECK on `via` would drop columns other v1.2
--     migrations add to sessions. Such a session keeps via 'otp' in the row; the admin list shows it as via
--     'exempt' with its reason (session-store.ts).
--   otp_requests.locale: the language the lock asked in (en, de, fr, es); every mail about the
--     request speaks it. NULL for requests made before, and for Generate Password: English.
ALTER TABLE sessions ADD COLUMN exempt_reason TEXT
  CHECK (exempt_reason IS NULL OR exempt_reason IN ('exempt_account', 'exempt_group', 'logon_kind', 'otp_disabled'));
ALTER TABLE otp_requests ADD COLUMN locale TEXT CHECK (locale IS NULL OR locale IN ('en', 'de', 'fr', 'es'));
