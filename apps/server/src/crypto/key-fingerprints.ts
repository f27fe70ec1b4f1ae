import { hkdfSync } from 'node:crypto';
import { get, run, sql, type Work } from '../db/engine.js';

/** A node's key is not the one the database was first used with (one line: which key, and where it came from). */
export class KeyMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyMismatchError';
  }
}

export interface NodeKeys {
  secret: { key: Buffer; source: string };
  signing: { fingerprint: string; source: string };
}

/** Derived one way from the secret (HKDF, its own label), so the stored value opens and seals nothing. */
export const secretFingerprint = (secret: Buffer): string =>
  Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'latchkey key fingerprint v1', 16)).toString('hex');

const recorded = sql<[string], { fingerprint: string }>('SELECT fingerprint FROM key_fingerprints WHERE name = ?');
const record = sql<[string, string, number]>(
  'INSERT INTO key_fingerprints (name, fingerprint, recorded_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
);

/**
 * Records the fingerprints of this node's keys in a database that has none yet (a new one, or one
 * from before they were kept), and refuses a node whose keys differ from those recorded: every node
 * of one database must seal, open and sign with the same keys. One write: two nodes starting together
 * on a new database record one set of keys, and the other node is checked against it.
 */
export function* checkKeyFingerprints(now: number, keys: NodeKeys): Work<void> {
  const mine = {
    secret: { fingerprint: secretFingerprint(keys.secret.key), source: keys.secret.source, what: 'secret key' },
    signing: { fingerprint: keys.signing.fingerprint, source: keys.signing.source, what: 'verdict-signing key' },
  };
  for (const [name, key] of Object.entries(mine)) {
    yield* run(record, name, key.fingerprint, now);
    if ((yield* get(recorded, name))!.fingerprint !== key.fingerprint) {
      throw new KeyMismatchError(
        `the ${key.what} from ${key.source} is not the one this database was first used with; start this node with the same ${key.what} as the others`,
      );
    }
  }
}
