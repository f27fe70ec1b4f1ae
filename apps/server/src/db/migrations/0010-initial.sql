-- Latchkey schema v1. Timestamps are integer milliseconds UTC.

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE clients (
  id                 TEXT PRIMARY KEY,
  computer_name      TEXT NOT NULL,
  token_hash         BLOB NOT NULL UNIQUE,
  allow_otp          INTEGER NOT NULL CHECK (allow_otp IN (0, 1)),
  enrolled_at        INTEGER NOT NULL,
  last_seen_at       INTEGER,
  last_otp_issued_at INTEGER
) STRICT;

CREATE TABLE users (
  login         TEXT PRIMARY KEY COLLATE NOCASE,
  email         TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'helpdesk', 'user')),
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL
) STRICT;

-- Failed sign-ins per login name, whether or not the login exists, so the lockout reveals nothing.
CREATE TABLE login_failures (
  login_key    TEXT PRIMARY KEY,
  failures     INTEGER NOT NULL,
  locked_until INTEGER NOT NULL
) STRICT;

CREATE TABLE admin_sessions (
  token_hash   BLOB PRIMARY KEY,
  login        TEXT NOT NULL REFERENCES users (login) ON DELETE CASCADE,
  csrf_token   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL
) STRICT;

CREATE TABLE otp_requests (
  id              TEXT PRIMARY KEY,
  client_id       TEXT NOT NULL REFERENCES clients (id),
  os_user         TEXT NOT NULL COLLATE NOCASE,
  email           TEXT NOT NULL COLLATE NOCASE,
  method          TEXT NOT NULL CHECK (method IN ('directory', 'internal', 'email', 'emergency', 'generated')),
  reason          TEXT,
  status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'denied', 'used')),
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

CREATE INDEX otp_requests_by_client ON otp_requests (client_id, created_at);
CREATE INDEX otp_requests_by_status ON otp_requests (status, created_at);
CREATE INDEX otp_requests_live ON otp_requests (client_id, os_user, email) WHERE status = 'sent';

CREATE TABLE sessions (
  id           TEXT PRIMARY KEY,
  client_id    TEXT NOT NULL REFERENCES clients (id),
  request_id   TEXT NOT NULL UNIQUE REFERENCES otp_requests (id),
  os_user      TEXT NOT NULL,
  email        TEXT NOT NULL,
  via          TEXT NOT NULL CHECK (via IN ('otp', 'emergency', 'generated')),
  started_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  ended_at     INTEGER
) STRICT;

CREATE INDEX sessions_by_start ON sessions (started_at);
CREATE INDEX sessions_open ON sessions (started_at) WHERE ended_at IS NULL;

-- Consecutive failed verifications per Client and osUser; 100 lock the pair until an admin clears it.
CREATE TABLE verify_failures (
  client_id   TEXT NOT NULL REFERENCES clients (id),
  os_user     TEXT NOT NULL COLLATE NOCASE,
  consecutive INTEGER NOT NULL,
  locked_at   INTEGER,
  PRIMARY KEY (client_id, os_user)
) STRICT;

CREATE TABLE audit_events (
  id            INTEGER PRIMARY KEY,
  at            INTEGER NOT NULL,
  type          TEXT NOT NULL,
  actor         TEXT,
  client_id     TEXT,
  computer_name TEXT,
  os_user       TEXT,
  email         TEXT,
  request_id    TEXT,
  detail        TEXT
) STRICT;

CREATE INDEX audit_events_by_type ON audit_events (type, id);

-- Durable outgoing mail. The message is sealed (AES-256-GCM) because OTP mails carry the code.
CREATE TABLE mail_queue (
  id              INTEGER PRIMARY KEY,
  recipient       TEXT NOT NULL,
  kind            TEXT NOT NULL,
  sealed_message  BLOB NOT NULL,
  created_at      INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  sent_at         INTEGER,
  last_error      TEXT
) STRICT;

CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at) WHERE sent_at IS NULL;
