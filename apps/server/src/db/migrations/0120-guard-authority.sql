-- 0120: the guard is the authority on the computer (v1.2, issue 24).
--  - relocked_at: the session was re-locked (POST /sessions/:id/relock). From then on it is locked:
--    heartbeats do not reopen it and the guard's unlocked-sessions answer leaves it out; it stays
--    open (not ended) only so that the one new OTP it needs may use its re-lock allowance, and a
--    verify of that OTP ends it and opens a new session.
--  - client_user_tokens: tokens of a Client bound to one osUser (POST /client/user-tokens), which
--    the guard hands to that user's lock. Only the SHA-256 of each is kept, as for Client tokens;
--    they die with their Client (removal), and the token check reads them in the same statement.
--  - sessions_open_by_client: removing a Client ends its open sessions.
ALTER TABLE sessions ADD COLUMN relocked_at INTEGER;

CREATE TABLE client_user_tokens (
  token_hash BLOB PRIMARY KEY,
  client_id  TEXT NOT NULL REFERENCES clients (id),
  os_user    TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX client_user_tokens_by_client ON client_user_tokens (client_id);
CREATE INDEX sessions_open_by_client ON sessions (client_id) WHERE ended_at IS NULL;
