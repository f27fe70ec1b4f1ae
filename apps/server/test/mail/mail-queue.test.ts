import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routes } from '@latchkey/contracts';
import { otpFromMail } from '@latchkey/test-support';
import { useTestApp, type TestApp } from '../helper.js';

/** Generate Password for a new Client; the typed call resolves only on the route's 201. */
async function generate(t: TestApp, to: string) {
  const admin = await t.adminToken();
  const { clientId } = await t.enroll();
  return t.api(admin)(routes.generateOtp, { body: { clientId, osUser: 'ann', email: to } });
}

const waitUntil = async (check: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('the mail queue', () => {
  describe('with an SMTP server', () => {
    const t = useTestApp();

    it('answers the request while the SMTP server is down, and delivers once it is back', async () => {
      t.smtp.setDown(true);
      await generate(t, 'ann@corp.example.com');
      await waitUntil(() => t.logs.some((l) => l.includes('mail not sent, will retry')));
      expect(t.smtp.mails).toHaveLength(0);
      expect(await t.app.mail.pendingCount()).toBe(1);
      t.smtp.setDown(false);
      t.clock.advance(60_000);
      const mail = await t.smtp.waitFor((m) => m.to.includes('ann@'));
      expect(otpFromMail(mail)).toMatch(/^\d{8}$/);
      await waitUntil(async () => (await t.app.mail.pendingCount()) === 0);
    });

    it('does not make the request wait for a slow SMTP server', async () => {
      t.smtp.setDelay(2000);
      await generate(t, 'ann@corp.example.com');
      expect(t.smtp.mails).toHaveLength(0);
      await t.smtp.waitFor((m) => m.to.includes('ann@'));
    });

    it('keeps queued mail across a restart and sends it afterwards', async () => {
      t.smtp.setDown(true);
      await generate(t, 'ann@corp.example.com');
      await t.restart();
      expect(await t.app.mail.pendingCount()).toBe(1);
      t.smtp.setDown(false);
      t.clock.advance(10 * 60_000);
      await t.smtp.waitFor((m) => m.to.includes('ann@'));
    });
  });

  describe('without LATCHKEY_SMTP_URL', () => {
    const t = useTestApp({ env: { LATCHKEY_SMTP_URL: '' } });

    it('writes .eml files to the outbox and logs no code', async () => {
      await generate(t, 'ann@corp.example.com');
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
});
