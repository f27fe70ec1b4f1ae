-- Second release (v1.1), abuse and authorization:
--   clients: the address a Client enrolled from, and when (and by whom) it was removed. A removed
--     Client keeps its row so its requests, sessions and audit history still name it; its token is refused.
--   login_failures: counted per login name *and* source (`address:<ip>` for Management Tool sign-in,
--     `client:<clientId>` for the Client's internal method), so failures from one place never lock the
--     name everywhere. Earlier counts were per name only and cannot be split; they start again from zero.

ALTER TABLE clients ADD COLUMN enrolled_from TEXT;
ALTER TABLE clients ADD COLUMN removed_at INTEGER;
ALTER TABLE clients ADD COLUMN removed_by TEXT;

CREATE INDEX clients_live_by_name ON clients (computer_name COLLATE NOCASE) WHERE removed_at IS NULL;

DROP TABLE login_failures;

CREATE TABLE login_failures (
  login_key    TEXT NOT NULL,
  source       TEXT NOT NULL,
  failures     INTEGER NOT NULL,
  last_failed_at INTEGER NOT NULL,
  locked_until INTEGER NOT NULL,
  PRIMARY KEY (login_key, source)
) STRICT;

CREATE INDEX login_failures_by_age ON login_failures (last_failed_at);
