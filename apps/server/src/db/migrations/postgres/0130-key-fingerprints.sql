-- Twin of ../0130-key-fingerprints.sql: fingerprints (never the keys) of the secret and signing keys
-- the database was first used with; a node with other keys refuses to start.
CREATE TABLE key_fingerprints (
  name        text PRIMARY KEY CONSTRAINT key_fingerprints_name_check CHECK (name IN ('secret', 'signing')),
  fingerprint text NOT NULL,
  recorded_at bigint NOT NULL
);
