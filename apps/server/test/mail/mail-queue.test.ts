import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, bearer, type TestApp } from '../helper.js';
import { otpFromMail } from '@latchkey/test-support';

let t: TestApp;
afterEach(async () => t?.destroy());

async function generate(to: string) {
  const admin = await t.adminToken();
  const { clientId } = await t.enroll();
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/admin/otp',
    headers: bearer(admin),
    payload: { clientId, osUser: 'ann', email: to },
  });
  expect(res.statusCode).toBe(201);
  return res;
}

const waitUntil = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('the mail queue', () => {
  it('answers the request while the SMTP server is down, and delivers once it is back', async () => {
    t = await buildTestApp();
    t.smtp.setDown(true);
    await generate('ann@corp.example.com');
    await waitUntil(() => t.logs.some((l) => l.includes('mail not sent, will retry')));
    expect(t.smtp.mails).toHaveLength(0);
    expect(t.app.mail.pendingCount()).toBe(1);
    t.smtp.setDown(false);
    t.clock.advance(60_000);
    const mail = await t.smtp.waitFor((m) => m.to.includes('ann@'));
    expect(otpFromMail(mail)).toMatch(/^\d{8}$/);
    await waitUntil(() => t.app.mail.pendingCount() === 0);
  });

  it('does not make the request wait for a slow SMTP server', async () => {
    t = await buildTestApp();
    t.smtp.setDelay(2000);
    await generate('ann@corp.example.com');
    expect(t.smtp.mails).toHaveLength(0);
    await t.smtp.waitFor((m) => m.to.includes('ann@'));
  });

  it('keeps queued mail across a restart and sends it afterwards', async () => {
    t = await buildTestApp();
    t.smtp.setDown(true);
    await generate('ann@corp.example.com');
    t = await t.restart();
    expect(t.app.mail.pendingCount()).toBe(1);
    t.smtp.setDown(false);
    t.clock.advance(10 * 60_000);
    await t.smtp.waitFor((m) => m.to.includes('ann@'));
  });

  it('without LATCHKEY_SMTP_URL writes .eml files to the outbox and logs no code', async () => {
    t = await buildTestApp({ env: { LATCHKEY_SMTP_URL: '' } });
    await generate('ann@corp.example.com');
    const outbox = join(t.dataDir, 'outbox');
    await waitUntil(() => readdirSync(outbox).length === 1);
    const eml = readFileSync(join(outbox, readdirSync(outbox)[0]!), 'utf8');
    expect(eml).toMatch(/^To: ann@corp\.example\.com$/m);
    const code = /^ {4}(\d{8})$/m.exec(eml)?.[1];
    expect(code).toMatch(/^\d{8}$/);
    await waitUntil(() => t.logs.some((l) => l.includes('mail written to the outbox')));
    expect(t.logs.join('\n')).not.toContain(code!);
    expect(t.smtp.mails).toHaveLength(0);
  });
});
