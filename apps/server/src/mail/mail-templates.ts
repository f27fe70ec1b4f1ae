import type { MailMessage } from './mail-message.js';
import { durationUntil } from './mail-time.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Mail headers carry only single-line text. */
const oneLine = (s: string) => s.replace(/[\r\n\u2028\u2029]+/g, ' ').slice(0, 200);

/** When a mail is written and in which zone its times are given (LATCHKEY_TIME_ZONE). */
export interface MailClock {
  now: number;
  timeZone: string;
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:Segoe UI,Arial,sans-serif;color:#1b1f24;max-width:560px;margin:24px auto;">${body}
<p style="color:#5c6570;font-size:12px">Latchkey one-time-password desktop lock</p></body></html>`;
}

export function otpMail(
  input: { to: string; code: string; computerName: string; osUser: string; expiresAt: number },
  at: MailClock,
): MailMessage {
  const valid = durationUntil(at.now, input.expiresAt, at.timeZone);
  const text = [
    `Your one-time password for ${input.computerName}:`,
    '',
    `    ${input.code}`,
    '',
    `It is for the user ${input.osUser} on the computer ${input.computerName} only.`,
    `It works once and is valid for ${valid}.`,
    '',
    'If you did not ask for it, tell your helpdesk.',
  ].join('\n');
  const html = page(
    'One-time password',
    `<p>Your one-time password for <strong>${escapeHtml(input.computerName)}</strong>:</p>
<p style="font-size:28px;letter-spacing:4px;font-family:Consolas,monospace"><strong>${escapeHtml(input.code)}</strong></p>
<p>It is for the user ${escapeHtml(input.osUser)} on the computer ${escapeHtml(input.computerName)} only.
It works once and is valid for ${escapeHtml(valid)}.</p>
<p>If you did not ask for it, tell your helpdesk.</p>`,
  );
  return { to: input.to, subject: oneLine(`Your one-time password for ${input.computerName}`), text, html };
}

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
  at: MailClock,
): MailMessage {
  const lapses = durationUntil(at.now, input.expiresAt, at.timeZone);
  const kind = input.method === 'emergency' ? 'Emergency access request' : 'Access request';
  const lines = [
    `${kind} waiting for approval.`,
    '',
    `Computer: ${input.computerName}`,
    `User: ${input.osUser}`,
    `Email: ${input.email}`,
    `Reason: ${input.reason ?? '(none given)'}`,
    `Lapses in: ${lapses}`,
    '',
    `Approve or deny it in the Management Tool: ${input.consoleUrl}`,
  ];
  const html = page(
    kind,
    `<p><strong>${escapeHtml(kind)}</strong> waiting for approval.</p>
<table>
<tr><td>Computer</td><td>${escapeHtml(input.computerName)}</td></tr>
<tr><td>User</td><td>${escapeHtml(input.osUser)}</td></tr>
<tr><td>Email</td><td>${escapeHtml(input.email)}</td></tr>
<tr><td>Reason</td><td>${escapeHtml(input.reason ?? '(none given)')}</td></tr>
<tr><td>Lapses in</td><td>${escapeHtml(lapses)}</td></tr>
</table>
<p><a href="${escapeHtml(input.consoleUrl)}">Open the Management Tool</a></p>`,
  );
  return { to: input.to, subject: oneLine(`${kind}: ${input.osUser} on ${input.computerName}`), text: lines.join('\n'), html };
}

/** The one reminder that stands for every access request that arrived after a staff member's last notice. */
export function pendingRequestsReminderMail(input: { to: string; consoleUrl: string }): MailMessage {
  const text = [
    'More access requests arrived since the last notice and may be waiting for approval.',
    '',
    `See them all, newest first, in the Management Tool: ${input.consoleUrl}`,
  ].join('\n');
  const html = page(
    'Access requests waiting',
    `<p>More access requests arrived since the last notice and may be waiting for approval.</p>
<p><a href="${escapeHtml(input.consoleUrl)}">Open the Management Tool</a> to see them all, newest first.</p>`,
  );
  return { to: input.to, subject: 'More access requests waiting for approval', text, html };
}

export function deniedMail(input: { to: string; computerName: string; comment: string | null }): MailMessage {
  const text = [
    `Your request for a one-time password for ${input.computerName} was denied.`,
    input.comment ? `Comment: ${input.comment}` : '',
    'Contact your helpdesk if you still need access.',
  ]
    .filter(Boolean)
    .join('\n');
  const html = page(
    'Request denied',
    `<p>Your request for a one-time password for <strong>${escapeHtml(input.computerName)}</strong> was denied.</p>
${input.comment ? `<p>Comment: ${escapeHtml(input.comment)}</p>` : ''}
<p>Contact your helpdesk if you still need access.</p>`,
  );
  return { to: input.to, subject: oneLine(`Request denied for ${input.computerName}`), text, html };
}
