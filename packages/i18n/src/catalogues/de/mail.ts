import type { CatalogueOf } from '../../catalogue.js';
import type { mail as en } from '../en/mail.js';

/** Deutsch: alle Mails des Servers (apps/server/src/mail). */
export const mail: CatalogueOf<keyof typeof en> = {
  'mail.footer.product': 'Latchkey – Desktop-Sperre mit Einmalpasswort',
  'mail.footer.helpdesk': 'Helpdesk: {contact}',

  'mail.duration.minutes': { one: '{count} Minute', other: '{count} Minuten' },
  'mail.duration.hours': { one: '{count} Stunde', other: '{count} Stunden' },
  'mail.duration.hoursAndMinutes': '{hours} {minutes}',
  'mail.time.at': '{clock} Uhr (UTC{offset}) am {date}',
  'mail.time.validUntil': '{duration}, bis {time}',

  'mail.otp.title': 'Einmalpasswort',
  'mail.otp.subject': 'Ihr Einmalpasswort für {computer}',
  'mail.otp.intro': 'Ihr Einmalpasswort für {computer}:',
  'mail.otp.boundTo': 'Es gilt nur für den Benutzer {osUser} auf dem Computer {computer}.',
  'mail.otp.validity': 'Es kann nur einmal verwendet werden und gilt {validity}.',
  'mail.otp.notYou': 'Wenn Sie es nicht angefordert haben, informieren Sie bitte Ihren Helpdesk.',

  'mail.denied.title': 'Anfrage abgelehnt',
  'mail.denied.subject': 'Anfrage für {computer} abgelehnt',
  'mail.denied.body': 'Ihre Anfrage nach einem Einmalpasswort für {computer} wurde abgelehnt.',
  'mail.denied.comment': 'Kommentar: {comment}',
  'mail.denied.contact': 'Wenden Sie sich an Ihren Helpdesk, wenn Sie weiterhin Zugang benötigen.',

  'mail.staff.kind.email': 'Zugangsanfrage',
  'mail.staff.kind.emergency': 'Notfall-Zugangsanfrage',
  'mail.staff.waiting': '{kind} wartet auf Freigabe.',
  'mail.staff.subject': '{kind}: {osUser} auf {computer}',
  'mail.staff.computer': 'Computer',
  'mail.staff.user': 'Benutzer',
  'mail.staff.email': 'E-Mail',
  'mail.staff.reason': 'Grund',
  'mail.staff.noReason': '(keiner angegeben)',
  'mail.staff.lapsesIn': 'Verfällt in',
  'mail.staff.decideIn': 'Freigeben oder ablehnen im Management Tool: {url}',
  'mail.staff.openConsole': 'Management Tool öffnen',
  'mail.staff.reminder.title': 'Wartende Zugangsanfragen',
  'mail.staff.reminder.subject': 'Weitere Zugangsanfragen warten auf Freigabe',
  'mail.staff.reminder.body':
    'Seit der letzten Benachrichtigung sind weitere Zugangsanfragen eingegangen, die möglicherweise auf Freigabe warten.',
  'mail.staff.reminder.seeAll': 'Alle Anfragen, die neuesten zuerst, finden Sie im Management Tool: {url}',
};
