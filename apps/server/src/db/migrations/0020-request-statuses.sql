-- Second release (v1.1): request statuses and session origins the new rules need, in one rebuild
-- each (SQLite cannot change a CHECK in place). Runs with foreign keys off; migrate() checks them
-- before it commits.
--   otp_requests.status: + superseded (a newer request of the same Client and osUser replaced it),
--     burnt (too many wrong codes, recorded when it happens), cancelled (the Client withdrew it).
--   sessions: request_id may be NULL and via may be 'offline' (an offline unlock has no request).

CREATE TABLE otp_requests_v2 (
  id              TEXT PRIMARY KEY,
  client_id       TEXT NOT NULL REFERENCES clients (id),
  os_user         TEXT NOT NULL COLLATE NOCASE,
  email           TEXT NOT NULL COLLATE NOCASE,
  method          TEXT NOT NULL CHECK (method IN ('directory', 'internal', 'email', 'emergency', 'generated')),
  reason          TEXT,
  status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'denied', 'used', 'superseded', 'burnt', 'cancelled')),
  created_at      INTEGER NOT NULL,
  -- a pending request lapses at expires_at; once issued, the OTP expires at expires_at
  expires_at      INTEGER NOT NULL,
  decided_by      TEXT,
  decided_at      INTEGER,
  comment         TEXT,
  otp_hash        BLOB,
  otp_sealed      BLOB,
  issued_at       INTEGER,
  used_at         INTEGER,
  failed_attempts INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO otp_requests_v2 SELECT id, client_id, os_user, email, method, reason, status, created_at, expires_at,
  decided_by, decided_at, comment, otp_hash, otp_sealed, issued_at, used_at, failed_attempts FROM otp_requests;
DROP TABLE otp_requests;
ALTER TABLE otp_requests_v2 RENAME TO otp_requests;

CREATE INDEX otp_requests_by_client ON otp_requests (client_id, created_at);
CREATE INDEX otp_requests_by_status ON otp_requests (status, created_at);
CREATE INDEX otp_requests_live ON otp_requests (client_id, os_user, email) WHERE status = 'sent';

CREATE TABLE sessions_v2 (
  id           TEXT PRIMARY KEY,
  client_id    TEXT NOT NULL REFERENCES clients (id),
  request_id   TEXT UNIQUE REFERENCES otp_requests (id),
  os_user      TEXT NOT NULL,
  email        TEXT NOT NULL,
  via          TEXT NOT NULL CHECK (via IN ('otp', 'emergency', 'generated', 'offline')),
  started_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  ended_at     INTEGER
) STRICT;

INSERT INTO sessions_v2 SELECT id, client_id, request_id, os_user, email, via, started_at, last_seen_at, ended_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v2 RENAME TO sessions;

CREATE INDEX sessions_by_start ON sessions (started_at);
CREATE INDEX sessions_open ON sessions (started_at) WHERE ended_at IS NULL;
