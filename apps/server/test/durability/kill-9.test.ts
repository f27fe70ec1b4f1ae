import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { routes, type EnrollResult } from '@latchkey/contracts';
import { HIGH_RATE_LIMITS, otpFromMail, refusalOf, testNonce } from '@latchkey/test-support';
import { useServerProcess } from '@latchkey/test-support/vitest';

const ROUNDS = 10;
const WORKERS = 8;

interface Accepted {
  round: number;
  clientToken: string;
  osUser: string;
  email: string;
  otp: string;
  sessionId: string;
}

describe('kill -9 during a logon storm, ten times', () => {
  const server = useServerProcess({ smtp: true, env: HIGH_RATE_LIMITS });

  it('keeps the database intact, every answered verification has its session, no OTP is accepted twice, and every queued mail arrives', async () => {
    const { smtp, dataDir } = server;
    const clients: EnrollResult[] = [];
    for (let i = 0; i < WORKERS; i++) clients.push(await server.enroll(`PC-K${i}`));
    let admin = await server.login();

    const accepted: Accepted[] = [];
    const generatedFor: string[] = [];
    const doubleAccepts: string[] = [];
    let killedAt: number[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) {
        await server.restart();
        admin = await server.login();
      }
      let killed = false;
      let onKill: () => void = () => {};
      const killSignal = new Promise<null>((resolve) => (onKill = () => resolve(null)));
      const worker = async (w: number) => {
        const client = clients[w]!;
        for (let k = 0; !killed; k++) {
          const osUser = `CORP\\u${round}-${w}-${k}`;
          const email = `u${round}.${w}.${k}@corp.example.com`;
          try {
            await server.api(admin)(routes.generateOtp, { body: { clientId: client.clientId, osUser, email } });
            generatedFor.push(email);
            const mail = smtp.waitFor((m) => m.to.includes(email), 5000);
            mail.catch(() => {});
            const received = await Promise.race([mail, killSignal]);
            if (killed || !received) return;
            const otp = otpFromMail(received);
            const verify = () => server.api(client.clientToken)(routes.verifyOtp, { body: { osUser, email, otp, nonce: testNonce() } });
            const { sessionId } = await verify();
            accepted.push({ round, clientToken: client.clientToken, osUser, email, otp, sessionId });
            if ((await refusalOf(verify())) === undefined) doubleAccepts.push(email);
          } catch (err) {
            if (killed) return; // the process died under this request: its outcome is unknown
            throw err;
          }
        }
      };
      const storm = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
      const delay = 300 + Math.floor(Math.random() * 600);
      await new Promise((r) => setTimeout(r, delay));
      killed = true;
      onKill();
      await server.kill9();
      killedAt = [...killedAt, delay];
      await storm;

      const db = new Database(join(dataDir, 'latchkey.db'));
      try {
        expect(db.pragma('integrity_check', { simple: true }), `round ${round}`).toBe('ok');
        expect(db.pragma('foreign_key_check')).toEqual([]);
        const hasSession = db.prepare<[string], { id: string }>('SELECT id FROM sessions WHERE id = ?');
        for (const a of accepted) expect(hasSession.get(a.sessionId), `session of ${a.email}`).toBeDefined();
        const usedTwice = db.prepare('SELECT request_id, count(*) AS n FROM sessions GROUP BY request_id HAVING n > 1').all();
        expect(usedTwice).toEqual([]);
      } finally {
        db.close();
      }
    }

    expect(doubleAccepts).toEqual([]);
    // The storm did real work before the kills (how much depends on the machine's load).
    expect(accepted.length, `kills after ${killedAt.join(', ')} ms`).toBeGreaterThan(0);
    expect(generatedFor.length).toBeGreaterThanOrEqual(accepted.length);

    // After the last crash: no accepted code works again, and every mail that was queued is delivered.
    await server.restart();
    for (const a of accepted) {
      const replay = server.api(a.clientToken)(routes.verifyOtp, {
        body: { osUser: a.osUser, email: a.email, otp: a.otp, nonce: testNonce() },
      });
      await expect(replay, `replay of ${a.email}`).rejects.toMatchObject({ status: 401 });
    }
    for (const email of generatedFor) await smtp.waitFor((m) => m.to.includes(email), 15_000);
    const db = new Database(join(dataDir, 'latchkey.db'), { readonly: true });
    try {
      const start = Date.now();
      while (
        (db.prepare('SELECT count(*) AS n FROM mail_queue WHERE sent_at IS NULL').get() as { n: number }).n > 0 &&
        Date.now() - start < 15_000
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(db.prepare('SELECT count(*) AS n FROM mail_queue WHERE sent_at IS NULL').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  }, 90_000);
});
