-- Offline unlock (issue 12). Each Client gets an offline key, sealed (AES-256-GCM under the
-- server's seal key, bound to the Client id and key version): never in clear here.
--   offline_key_version: 0 while the Client has none (enrolled before this release).
--   offline_key_pending: 1 while the policy must carry the key (the Client has not confirmed it).
ALTER TABLE clients ADD COLUMN offline_key_sealed BLOB;
ALTER TABLE clients ADD COLUMN offline_key_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN offline_key_pending INTEGER NOT NULL DEFAULT 0 CHECK (offline_key_pending IN (0, 1));

-- One row per challenge of a Client and osUser: when the helpdesk got its response (who, why), when
-- the Client used it and when it reported that. No response code is stored: it is recomputed.
CREATE TABLE offline_unlocks (
  id          TEXT PRIMARY KEY,
  client_id   TEXT NOT NULL REFERENCES clients (id),
  os_user     TEXT NOT NULL COLLATE NOCASE,
  challenge   TEXT NOT NULL,
  issued_by   TEXT,
  reason      TEXT,
  issued_at   INTEGER,
  expires_at  INTEGER,
  used_at     INTEGER,
  reported_at INTEGER,
  session_id  TEXT REFERENCES sessions (id),
  UNIQUE (client_id, os_user, challenge)
) STRICT;

CREATE INDEX offline_unlocks_by_time ON offline_unlocks (coalesce(reported_at, issued_at));
