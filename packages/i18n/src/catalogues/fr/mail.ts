import type { CatalogueOf } from '../../catalogue.js';
import type { mail as en } from '../en/mail.js';

/** Français : tous les courriels du serveur (apps/server/src/mail). */
export const mail: CatalogueOf<keyof typeof en> = {
  'mail.footer.product': 'Latchkey – verrouillage du poste par mot de passe à usage unique',
  'mail.footer.helpdesk': 'Support informatique : {contact}',

  'mail.duration.minutes': { one: '{count} minute', other: '{count} minutes' },
  'mail.duration.hours': { one: '{count} heure', other: '{count} heures' },
  'mail.duration.hoursAndMinutes': '{hours} {minutes}',
  'mail.time.at': '{clock} (UTC{offset}) le {date}',
  'mail.time.validUntil': '{duration}, jusqu’à {time}',

  'mail.otp.title': 'Mot de passe à usage unique',
  'mail.otp.subject': 'Votre mot de passe à usage unique pour {computer}',
  'mail.otp.intro': 'Votre mot de passe à usage unique pour {computer} :',
  'mail.otp.boundTo': 'Il est réservé à l’utilisateur {osUser} sur l’ordinateur {computer}.',
  'mail.otp.validity': 'Il ne fonctionne qu’une fois et reste valable {validity}.',
  'mail.otp.notYou': 'Si vous ne l’avez pas demandé, prévenez votre support informatique.',

  'mail.denied.title': 'Demande refusée',
  'mail.denied.subject': 'Demande refusée pour {computer}',
  'mail.denied.body': 'Votre demande de mot de passe à usage unique pour {computer} a été refusée.',
  'mail.denied.comment': 'Commentaire : {comment}',
  'mail.denied.contact': 'Contactez votre support informatique si vous avez toujours besoin d’accéder à l’ordinateur.',

  'mail.staff.kind.email': 'Demande d’accès',
  'mail.staff.kind.emergency': 'Demande d’accès d’urgence',
  'mail.staff.waiting': '{kind} en attente d’approbation.',
  'mail.staff.subject': '{kind} : {osUser} sur {computer}',
  'mail.staff.computer': 'Ordinateur',
  'mail.staff.user': 'Utilisateur',
  'mail.staff.email': 'Adresse e-mail',
  'mail.staff.reason': 'Motif',
  'mail.staff.noReason': '(aucun)',
  'mail.staff.lapsesIn': 'Expire dans',
  'mail.staff.decideIn': 'Approuvez-la ou refusez-la dans le Management Tool : {url}',
  'mail.staff.openConsole': 'Ouvrir le Management Tool',
  'mail.staff.reminder.title': 'Demandes d’accès en attente',
  'mail.staff.reminder.subject': 'D’autres demandes d’accès attendent une approbation',
  'mail.staff.reminder.body':
    'D’autres demandes d’accès sont arrivées depuis la dernière notification et attendent peut-être une approbation.',
  'mail.staff.reminder.seeAll': 'Retrouvez-les toutes, des plus récentes aux plus anciennes, dans le Management Tool : {url}',
};
