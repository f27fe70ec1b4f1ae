import { translator, type Locale, type MessageKey, type Params } from '@latchkey/i18n';
import type { MailMessage } from './mail-message.js';
import { durationUntil } from './mail-time.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Mail headers carry only single-line text. */
const oneLine = (s: string) => s.replace(/[\r\n\u2028\u2029]+/g, ' ').slice(0, 200);

/**
 * When and for whom a mail is written: the time and zone its times are given in (LATCHKEY_TIME_ZONE),
 * the reader's language (the lock's, for the person at the lock; English for staff) and the
 * company's helpdesk line, which ends every mail.
 */
export interface MailContext {
  now: number;
  timeZone: string;
  locale: Locale;
  helpdeskContact: string;
}

/** Every text of a mail comes from the catalogue (packages/i18n, mail.ts); `html` is the same text, escaped. */
function wordsFor(at: MailContext) {
  const t = translator(at.locale);
  return { t, html: (key: MessageKey, params: Params = {}) => escapeHtml(t(key, params)) };
}

/** The helpdesk line and the product line that end every mail. */
function footer(at: MailContext): { text: string[]; html: string } {
  const { t, html } = wordsFor(at);
  const contact = at.helpdeskContact.trim();
  return {
    text: contact ? ['', t('mail.footer.helpdesk', { contact })] : [],
    html: `${contact ? `<p>${html('mail.footer.helpdesk', { contact })}</p>\n` : ''}<p style="color:#5c6570;font-size:12px">${html('mail.footer.product')}</p>`,
  };
}

function page(at: MailContext, title: string, body: string): string {
  return `<!doctype html><html lang="${at.locale}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:Segoe UI,Arial,sans-serif;color:#1b1f24;max-width:560px;margin:24px auto;">${body}
${footer(at).html}</body></html>`;
}

function message(at: MailContext, input: { to: string; subject: string; title: string; text: string[]; html: string }): MailMessage {
  return {
    to: input.to,
    subject: oneLine(input.subject),
    text: [...input.text, ...footer(at).text].join('\n'),
    html: page(at, input.title, input.html),
  };
}

export function otpMail(
  input: { to: string; code: string; computerName: string; osUser: string; expiresAt: number },
  at: MailContext,
): MailMessage {
  const { t, html } = wordsFor(at);
  const validity = durationUntil(at.now, input.expiresAt, at.timeZone, at.locale);
  const names = { computer: input.computerName, osUser: input.osUser };
  return message(at, {
    to: input.to,
    subject: t('mail.otp.subject', names),
    title: t('mail.otp.title'),
    text: [
      t('mail.otp.intro', names),
      '',
      `    ${input.code}`,
      '',
      t('mail.otp.boundTo', names),
      t('mail.otp.validity', { validity }),
      '',
      t('mail.otp.notYou'),
    ],
    html: `<p>${html('mail.otp.intro', names)}</p>
<p style="font-size:28px;letter-spacing:4px;font-family:Consolas,monospace"><strong>${escapeHtml(input.code)}</strong></p>
<p>${html('mail.otp.boundTo', names)}
${html('mail.otp.validity', { validity })}</p>
<p>${html('mail.otp.notYou')}</p>`,
  });
}

export function deniedMail(input: { to: string; computerName: string; comment: string | null }, at: MailContext): MailMessage {
  const { t, html } = wordsFor(at);
  const computer = { computer: input.computerName };
  const comment = input.comment ? { comment: input.comment } : undefined;
  return message(at, {
    to: input.to,
    subject: t('mail.denied.subject', computer),
    title: t('mail.denied.title'),
    text: [t('mail.denied.body', computer), ...(comment ? [t('mail.denied.comment', comment)] : []), t('mail.denied.contact')],
    html: `<p>${html('mail.denied.body', computer)}</p>
${comment ? `<p>${html('mail.denied.comment', comment)}</p>` : ''}
<p>${html('mail.denied.contact')}</p>`,
  });
}

/** A new access request, for staff (in `at.locale`, English unless a staff language is chosen). */
export function pendingRequestMail(
  input: {
    to: string;
    computerName: string;
    osUser: string;
    email: string;
    method: string;
    reason: string | null;
    expiresAt: number;
    consoleUrl: string;
  },
  at: MailContext,
): MailMessage {
  const { t, html } = wordsFor(at);
  const lapses = durationUntil(at.now, input.expiresAt, at.timeZone, at.locale);
  const kind = t(input.method === 'emergency' ? 'mail.staff.kind.emergency' : 'mail.staff.kind.email');
  const rows: [MessageKey, string][] = [
    ['mail.staff.computer', input.computerName],
    ['mail.staff.user', input.osUser],
    ['mail.staff.email', input.email],
    ['mail.staff.reason', input.reason ?? t('mail.staff.noReason')],
    ['mail.staff.lapsesIn', lapses],
  ];
  return message(at, {
    to: input.to,
    subject: t('mail.staff.subject', { kind, osUser: input.osUser, computer: input.computerName }),
    title: kind,
    text: [
      t('mail.staff.waiting', { kind }),
      '',
      ...rows.map(([key, value]) => `${t(key)}: ${value}`),
      '',
      t('mail.staff.decideIn', { url: input.consoleUrl }),
    ],
    html: `<p><strong>${html('mail.staff.waiting', { kind })}</strong></p>
<table>
${rows.map(([key, value]) => `<tr><td>${html(key)}</td><td>${escapeHtml(value)}</td></tr>`).join('\n')}
</table>
<p><a href="${escapeHtml(input.consoleUrl)}">${html('mail.staff.openConsole')}</a></p>`,
  });
}

/** The one reminder that stands for every access request that arrived after a staff member's last notice. */
export function pendingRequestsReminderMail(input: { to: string; consoleUrl: string }, at: MailContext): MailMessage {
  const { t, html } = wordsFor(at);
  return message(at, {
    to: input.to,
    subject: t('mail.staff.reminder.subject'),
    title: t('mail.staff.reminder.title'),
    text: [t('mail.staff.reminder.body'), '', t('mail.staff.reminder.seeAll', { url: input.consoleUrl })],
    html: `<p>${html('mail.staff.reminder.body')}</p>
<p><a href="${escapeHtml(input.consoleUrl)}">${html('mail.staff.openConsole')}</a></p>`,
  });
}
