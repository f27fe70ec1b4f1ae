-- Twin of ../0060-abuse-budgets-client-removal.sql: where a Client enrolled from and its removal;
-- sign-in failures counted per login name and source.
ALTER TABLE clients ADD COLUMN enrolled_from text;
ALTER TABLE clients ADD COLUMN removed_at bigint;
ALTER TABLE clients ADD COLUMN removed_by text;

-- SQLite's index is on computer_name COLLATE NOCASE; here on lower(computer_name), so the client
-- store's PostgreSQL statement compares lower(computer_name) = lower(?) to use it.
CREATE INDEX clients_live_by_name ON clients (lower(computer_name)) WHERE removed_at IS NULL;

DROP TABLE login_failures;

CREATE TABLE login_failures (
  login_key      text NOT NULL,
  source         text NOT NULL,
  failures       integer NOT NULL,
  last_failed_at bigint NOT NULL,
  locked_until   bigint NOT NULL,
  PRIMARY KEY (login_key, source)
);

CREATE INDEX login_failures_by_age ON login_failures (last_failed_at);
