-- Twin of ../0080-session-events.sql: a session's activity, one row per (session, time, type).
CREATE TABLE session_events (
  session_id  text NOT NULL REFERENCES sessions (id),
  at          bigint NOT NULL,
  type        text NOT NULL,
  received_at bigint NOT NULL,
  PRIMARY KEY (session_id, at, type)
);
