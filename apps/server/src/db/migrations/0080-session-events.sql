-- The session's activity as the Client recorded it (the seed's step 7): what happened and when,
-- never what was on the screen or typed. One row per (session, time, type), so a batch the
-- Client sends again after a lost answer is stored once.
CREATE TABLE session_events (
  session_id  TEXT NOT NULL REFERENCES sessions (id),
  at          INTEGER NOT NULL,
  type        TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (session_id, at, type)
) STRICT;
