-- Twin of ../0120-guard-authority.sql: re-locked sessions, per-user tokens of a Client (their
-- SHA-256 only), and the open sessions of a Client (its removal ends them).
ALTER TABLE sessions ADD COLUMN relocked_at bigint;

CREATE TABLE client_user_tokens (
  token_hash bytea PRIMARY KEY,
  client_id  text NOT NULL REFERENCES clients (id),
  os_user    text NOT NULL,
  created_at bigint NOT NULL
);

CREATE INDEX client_user_tokens_by_client ON client_user_tokens (client_id);
CREATE INDEX sessions_open_by_client ON sessions (client_id) WHERE ended_at IS NULL;
