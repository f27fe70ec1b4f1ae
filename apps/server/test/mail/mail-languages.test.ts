import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeEach, describe, expect, it } from 'vitest';
import { routes, type OtpRequestBody } from '@latchkey/contracts';
import { otpFromMail } from '@latchkey/test-support';
import { useTestApp } from '../helper.js';

/**
 * Mails in the user's language (issue 21): the `locale` the lock sends with a request is stored with
 * it, and every mail about it speaks it (OTP, resend, denial); staff notices stay English; the
 * helpdesk line ends every mail, escaped in HTML. Texts live in packages/i18n, never inline here.
 */
const t = useTestApp({ env: { LATCHKEY_TIME_ZONE: 'Europe/Berlin' } });
let admin: string;
beforeEach(async () => {
  admin = await t.adminToken();
  await t.updateSettings(admin, { helpdeskContact: 'IT <Service> & Support: +49 30 1234-567' });
});

const MINUTE = 60_000;
const create = (token: string, body: OtpRequestBody) => t.api(token)(routes.createOtpRequest, { body });
const decide = (requestId: string, decision: 'approve' | 'deny', comment?: string) =>
  t.api(admin)(decision === 'approve' ? routes.approveAccessRequest : routes.denyAccessRequest, {
    params: { requestId },
    body: comment === undefined ? {} : { comment },
  });
const mailTo = (email: string, after = 0) => t.smtp.waitFor((m) => t.smtp.mails.indexOf(m) >= after && m.to.includes(email));

async function approvedMail(locale: string | undefined, email: string, wait = 5 * MINUTE) {
  const { clientToken } = await t.enroll('PC-LANG');
  const { requestId } = await create(clientToken, { osUser: 'CORP\\jo', method: 'email', email, ...(locale ? { locale } : {}) });
  const notice = await mailTo('admin@corp.example.com');
  t.clock.advance(wait);
  await decide(requestId, 'approve');
  return { clientToken, requestId, notice, mail: await mailTo(email) };
}

describe('the OTP mail speaks the language the lock asked in', () => {
  it.each([
    [
      'de-AT',
      'Ihr Einmalpasswort für PC-LANG',
      'Es kann nur einmal verwendet werden und gilt 30 Minuten, bis 10:35 Uhr (UTC+01:00) am 5. Januar 2026.',
    ],
    ['fr', 'Votre mot de passe à usage unique pour PC-LANG', 'reste valable 30 minutes, jusqu’à 10:35 (UTC+01:00) le 5 janvier 2026.'],
    [
      'es',
      'Su contraseña de un solo uso para PC-LANG',
      'es válida durante 30 minutos, hasta las 10:35 (UTC+01:00) del 5 de enero de 2026.',
    ],
    ['en', 'Your one-time password for PC-LANG', 'It works once and is valid for 30 minutes, until 10:35 UTC+01:00 on 5 January 2026.'],
    ['pt-BR', 'Your one-time password for PC-LANG', 'It works once and is valid for 30 minutes, until 10:35 UTC+01:00 on 5 January 2026.'],
    [
      undefined,
      'Your one-time password for PC-LANG',
      'It works once and is valid for 30 minutes, until 10:35 UTC+01:00 on 5 January 2026.',
    ],
  ])('%s', async (locale, subject, validity) => {
    const { mail, notice } = await approvedMail(locale, 'jo@corp.example.com');
    expect(mail.subject).toBe(subject);
    expect(mail.text).toContain(validity);
    expect(otpFromMail(mail)).toMatch(/^\d{8}$/);
    // The helpdesk line ends the mail; in HTML it is escaped.
    expect(mail.text.trimEnd().endsWith('IT <Service> & Support: +49 30 1234-567')).toBe(true);
    expect(mail.html).toContain('IT &lt;Service&gt; &amp; Support: +49 30 1234-567');
    expect(mail.html).not.toContain('<Service>');
    // Staff are told in English, whatever the lock's language, with the helpdesk line too.
    expect(notice.subject).toBe('Access request: CORP\\jo on PC-LANG');
    expect(notice.text).toContain('Lapses in: 30 minutes, until 10:30 UTC+01:00 on 5 January 2026');
    expect(notice.text).toContain('IT <Service> & Support');
  });

  it('plurals and hours go through the plural forms: 1 minute, 1 Stunde 30 Minuten', async () => {
    await t.updateSettings(admin, { accessRequestExpirationMinutes: 90 });
    const { mail } = await approvedMail('de', 'jo@corp.example.com');
    expect(mail.text).toContain('gilt 1 Stunde 30 Minuten, bis 11:35 Uhr');
    await t.updateSettings(admin, { accessRequestExpirationMinutes: 1, otpRequestIntervalMinutes: 0 });
    const { mail: short } = await approvedMail('en', 'jo2@corp.example.com', 0);
    expect(short.text).toContain('valid for 1 minute, until');
  });

  it('a resend speaks the request language too', async () => {
    const { clientToken, requestId } = await approvedMail('es', 'jo@corp.example.com');
    const before = t.smtp.mails.length;
    await t.api(clientToken)(routes.resendOtp, { params: { requestId } });
    const resent = await mailTo('jo@corp.example.com', before);
    expect(resent.subject).toBe('Su contraseña de un solo uso para PC-LANG');
    expect(resent.text).toContain('Soporte técnico: IT <Service> & Support');
  });

  it('a denial speaks the request language, with the comment', async () => {
    const { clientToken } = await t.enroll('PC-LANG');
    const { requestId } = await create(clientToken, { osUser: 'CORP\\jo', method: 'email', email: 'jo@corp.example.com', locale: 'fr-CA' });
    await decide(requestId, 'deny', 'inconnu');
    const denied = await mailTo('jo@corp.example.com');
    expect(denied.subject).toBe('Demande refusée pour PC-LANG');
    expect(denied.text).toContain('Votre demande de mot de passe à usage unique pour PC-LANG a été refusée.');
    expect(denied.text).toContain('Commentaire : inconnu');
    expect(denied.html).toContain('lang="fr"');
  });

  it('without a helpdesk contact, no helpdesk line', async () => {
    await t.updateSettings(admin, { helpdeskContact: '' });
    const { mail } = await approvedMail('en', 'jo@corp.example.com');
    expect(mail.text).not.toContain('Helpdesk:');
    expect(mail.text.trimEnd().endsWith('If you did not ask for it, tell your helpdesk.')).toBe(true);
  });
});

describe('no mail text is written inline in apps/server/src/mail', () => {
  /** String literals that may hold letters: catalogue keys, and the request method the templates compare with. */
  const ALLOWED = [
    /^mail\.[\w.]+$/,
    /^emergency$/,
    // Intl tags and options (mail-time.ts)
    /^[a-z]{2}-[A-Z]{2}$/,
    /^(en|numeric|long|2-digit|h23|longOffset|timeZoneName|hour|minute)$/,
  ];

  /** Every piece of literal text in a source file, tags and markup removed: what a reader could see. */
  function visibleLiterals(file: string): string[] {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const found: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateLiteralToken(node)) {
        const text = node.text;
        if (!ALLOWED.some((pattern) => pattern.test(text))) {
          // Markup is not text: tags with their attributes, entities and a doctype.
          const visible = text
            .replace(/<[^>]*>?/g, ' ')
            .replace(/^[^<]*>/, ' ')
            .replace(/&\w+;/g, ' ');
          if (/\p{L}/u.test(visible)) found.push(visible.trim());
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
  }

  const dir = join(import.meta.dirname, '../../src/mail');
  const templates = readdirSync(dir).filter((f) => /templates?|time/.test(f) && f.endsWith('.ts'));

  it('finds the templates', () => {
    expect(templates).toEqual(expect.arrayContaining(['mail-templates.ts', 'mail-time.ts']));
  });

  it.each(templates)('%s has no text outside the catalogue', (file) => {
    expect(visibleLiterals(join(dir, file))).toEqual([]);
  });

  it('the scan catches an inline text', () => {
    const probe = join(import.meta.dirname, 'inline-probe.fixture.ts');
    expect(visibleLiterals(probe)).toEqual(['Your code is', 'valid for']);
  });
});
