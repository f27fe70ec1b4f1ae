/**
 * Every mail the server sends (apps/server/src/mail). Mails to the person at the lock speak the
 * language the lock asked in; staff notices are English. Times come in as `{time}` (already
 * formatted by Intl for the language); durations through the plural forms below.
 */
export const mail = {
  'mail.footer.product': 'Latchkey one-time-password desktop lock',
  'mail.footer.helpdesk': 'Helpdesk: {contact}',

  'mail.duration.minutes': { one: '{count} minute', other: '{count} minutes' },
  'mail.duration.hours': { one: '{count} hour', other: '{count} hours' },
  'mail.duration.hoursAndMinutes': '{hours} {minutes}',
  'mail.time.at': '{clock} UTC{offset} on {date}',
  'mail.time.validUntil': '{duration}, until {time}',

  'mail.otp.title': 'One-time password',
  'mail.otp.subject': 'Your one-time password for {computer}',
  'mail.otp.intro': 'Your one-time password for {computer}:',
  'mail.otp.boundTo': 'It is for the user {osUser} on the computer {computer} only.',
  'mail.otp.validity': 'It works once and is valid for {validity}.',
  'mail.otp.notYou': 'If you did not ask for it, tell your helpdesk.',

  'mail.denied.title': 'Request denied',
  'mail.denied.subject': 'Request denied for {computer}',
  'mail.denied.body': 'Your request for a one-time password for {computer} was denied.',
  'mail.denied.comment': 'Comment: {comment}',
  'mail.denied.contact': 'Contact your helpdesk if you still need access.',

  'mail.staff.kind.email': 'Access request',
  'mail.staff.kind.emergency': 'Emergency access request',
  'mail.staff.waiting': '{kind} waiting for approval.',
  'mail.staff.subject': '{kind}: {osUser} on {computer}',
  'mail.staff.computer': 'Computer',
  'mail.staff.user': 'User',
  'mail.staff.email': 'Email',
  'mail.staff.reason': 'Reason',
  'mail.staff.noReason': '(none given)',
  'mail.staff.lapsesIn': 'Lapses in',
  'mail.staff.decideIn': 'Approve or deny it in the Management Tool: {url}',
  'mail.staff.openConsole': 'Open the Management Tool',
  'mail.staff.reminder.title': 'Access requests waiting',
  'mail.staff.reminder.subject': 'More access requests waiting for approval',
  'mail.staff.reminder.body': 'More access requests arrived since the last notice and may be waiting for approval.',
  'mail.staff.reminder.seeAll': 'See them all, newest first, in the Management Tool: {url}',
} as const;
