-- Twin of ../0090-offline-unlock.sql: sealed offline keys per Client, one row per challenge.
ALTER TABLE clients ADD COLUMN offline_key_sealed bytea;
ALTER TABLE clients ADD COLUMN offline_key_version integer NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN offline_key_pending integer NOT NULL DEFAULT 0
  CONSTRAINT clients_offline_key_pending_check CHECK (offline_key_pending IN (0, 1));

CREATE TABLE offline_unlocks (
  id          text PRIMARY KEY,
  client_id   text NOT NULL REFERENCES clients (id),
  os_user     citext NOT NULL,
  challenge   text NOT NULL,
  issued_by   text,
  reason      text,
  issued_at   bigint,
  expires_at  bigint,
  used_at     bigint,
  reported_at bigint,
  session_id  text REFERENCES sessions (id),
  UNIQUE (client_id, os_user, challenge)
);

CREATE INDEX offline_unlocks_by_time ON offline_unlocks (coalesce(reported_at, issued_at));
