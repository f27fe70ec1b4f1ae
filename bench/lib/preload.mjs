// Fills a stopped server's database with a year of history: past OTP requests (used), the sessions
// they opened and audit events, written directly in large transactions.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync } from 'node:fs';

const DAY = 86_400_000;

export function preload(file, { requests, sessions, auditEvents }) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // loading only; the server reopens it with synchronous=FULL
  const clients = db.prepare('SELECT id, computer_name AS name FROM clients').all();
  if (clients.length === 0) throw new Error('enroll Clients before preloading');
  const now = Date.now();
  const yearAgo = now - 365 * DAY;
  const id = (prefix, i) => `${prefix}${i.toString(36).padStart(10, '0')}`;

  const insertRequest = db.prepare(
    `INSERT INTO otp_requests (id, client_id, os_user, email, method, reason, status, created_at, expires_at, decided_by,
                               decided_at, comment, otp_hash, otp_sealed, issued_at, used_at, failed_attempts)
     VALUES (?, ?, ?, ?, 'generated', NULL, 'used', ?, ?, 'helpdesk', ?, NULL, ?, NULL, ?, ?, 0)`,
  );
  const insertSession = db.prepare(
    `INSERT INTO sessions (id, client_id, request_id, os_user, email, via, started_at, last_seen_at, ended_at)
     VALUES (?, ?, ?, ?, ?, 'generated', ?, ?, ?)`,
  );
  const insertAudit = db.prepare(
    `INSERT INTO audit_events (at, type, actor, client_id, computer_name, os_user, email, request_id, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const auditTypes = ['otp.generated', 'otp.verified', 'session.ended', 'otp.verify_failed'];
  const batch = 100_000;
  const hash = randomBytes(32);

  const fill = (total, row) => {
    for (let start = 0; start < total; start += batch) {
      db.transaction(() => {
        for (let i = start; i < Math.min(total, start + batch); i++) row(i);
      })();
    }
  };
  const at = (i, total) => yearAgo + Math.floor((i / total) * 364 * DAY);
  const who = (i) => {
    const c = clients[i % clients.length];
    const user = i % clients.length;
    return { c, osUser: `CORP\\past${user}`, email: `past${user}@corp.example.com` };
  };

  fill(requests, (i) => {
    const { c, osUser, email } = who(i);
    const t = at(i, requests);
    insertRequest.run(id('r', i), c.id, osUser, email, t, t + 30 * 60_000, t, hash, t, t + 40_000);
  });
  fill(Math.min(sessions, requests), (i) => {
    const { c, osUser, email } = who(i);
    const t = at(i, requests) + 40_000;
    insertSession.run(id('s', i), c.id, id('r', i), osUser, email, t, t + 8 * 3_600_000, t + 8 * 3_600_000);
  });
  fill(auditEvents, (i) => {
    const { c, osUser, email } = who(i);
    insertAudit.run(
      at(i, auditEvents),
      auditTypes[i % auditTypes.length],
      'helpdesk',
      c.id,
      c.name,
      osUser,
      email,
      id('r', i),
      'past event',
    );
  });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
  // Loaded with synchronous=OFF, the file is hundreds of MB of dirty page cache. Write it out now:
  // otherwise the kernel's writeback competes with the measured run's fsyncs on the same disk, and
  // the "1M rows" figures would measure the loader, not the history.
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
