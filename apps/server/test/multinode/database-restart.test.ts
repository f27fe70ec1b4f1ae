import { describe, expect, it } from 'vitest';
import { routes, type HealthUnavailable } from '@latchkey/contracts';
import { ADMIN_PASSWORD, ENROLLMENT_KEY, testNonce } from '@latchkey/test-support';
import { eventually, multinodeSkipReason, useNodes, type LatchkeyNode } from './nodes.js';

/**
 * The database goes away and comes back (issue 20): each node's readiness follows it, 503 with the
 * failing check `database` while it is down and 200 again by itself once it is back, so that a load
 * balancer takes the nodes out and back without anyone restarting them.
 */
const skip = multinodeSkipReason();
describe.skipIf(skip !== undefined)(`nodes while PostgreSQL is stopped and started${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const n = useNodes();

  /** The raw answer: the 503 body (which check failed) is outside the route's success type. */
  const health = async (node: LatchkeyNode) => {
    const res = await node.send(routes.health);
    return { status: res.status, body: res.json as HealthUnavailable };
  };

  it('answers health 503 naming the database while it is down, and 200 again without a restart once it is back', async () => {
    const pids = n.all.map((node) => node.pid);
    for (const node of n.all) expect((await health(node)).status).toBe(200);

    const stoppedAt = performance.now();
    await n.stopDatabase();
    for (const node of n.all) {
      // The check that fails is `database` (a dead database also makes the mail queue unreadable, which may show first).
      const databaseFails = async () => {
        const { status, body } = await health(node);
        return status === 503 && body.checks.some((c) => c.name === 'database' && !c.ok);
      };
      await eventually(databaseFails, `${node.name} to answer 503 naming the database`);
      const { body } = await health(node);
      expect(body).toMatchObject({ status: 'unavailable', node: node.name, error: { code: 'service_unavailable' } });
      expect(body.error.message).toContain('database');
    }
    const downMs = performance.now() - stoppedAt;
    // A Client asking meanwhile is refused, not let in, and the node does not fall over.
    const refused = await n.a.send(routes.enroll, { body: { enrollmentKey: ENROLLMENT_KEY, computerName: 'PC-OUTAGE' } });
    expect(refused.status).toBeGreaterThanOrEqual(500);

    const startedAt = performance.now();
    await n.startDatabase();
    for (const node of n.all) await eventually(async () => (await health(node)).status === 200, `${node.name} to answer 200 again`, 30_000);
    const backMs = performance.now() - startedAt;
    console.info(`database stopped: 503 after ${Math.round(downMs)} ms; started: 200 after ${Math.round(backMs)} ms`);
    expect(n.all.map((node) => node.pid)).toEqual(pids);

    // And they serve: enrolled on A, the OTP generated on B, verified on A.
    const admin = (await n.b.api()(routes.adminLogin, { body: { login: 'admin', password: ADMIN_PASSWORD } })).token;
    const { clientId, clientToken } = await n.a.api()(routes.enroll, { body: { enrollmentKey: ENROLLMENT_KEY, computerName: 'PC-AFTER' } });
    await n.b.api(admin)(routes.generateOtp, { body: { clientId, osUser: 'CORP\\after', email: 'after@corp.example.com' } });
    const otp = await n.smtp.nextCode('after@corp.example.com', 15_000);
    const unlocked = await n.a.api(clientToken)(routes.verifyOtp, {
      body: { osUser: 'CORP\\after', email: 'after@corp.example.com', otp, nonce: testNonce() },
    });
    expect(unlocked.allowed).toBe(true);
  }, 90_000);
});
