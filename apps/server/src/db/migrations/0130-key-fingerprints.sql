-- Fingerprints of the keys this database was first used with, never the keys: the secret key that
-- seals OTPs and mail (LATCHKEY_SECRET or secret.key) and the verdict-signing key
-- (LATCHKEY_SIGNING_KEY_FILE or signing.key). A node started with another key refuses to start
-- rather than seal what the other nodes cannot open or sign what the Clients do not trust.
CREATE TABLE key_fingerprints (
  name        TEXT PRIMARY KEY CHECK (name IN ('secret', 'signing')),
  fingerprint TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
) STRICT;
