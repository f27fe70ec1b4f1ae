import type { CatalogueOf } from '../../catalogue.js';
import type { mail as en } from '../en/mail.js';

/** Español: todos los correos del servidor (apps/server/src/mail). */
export const mail: CatalogueOf<keyof typeof en> = {
  'mail.footer.product': 'Latchkey: bloqueo del equipo con contraseña de un solo uso',
  'mail.footer.helpdesk': 'Soporte técnico: {contact}',

  'mail.duration.minutes': { one: '{count} minuto', other: '{count} minutos' },
  'mail.duration.hours': { one: '{count} hora', other: '{count} horas' },
  'mail.duration.hoursAndMinutes': '{hours} y {minutes}',
  'mail.time.at': 'las {clock} (UTC{offset}) del {date}',
  'mail.time.validUntil': '{duration}, hasta {time}',

  'mail.otp.title': 'Contraseña de un solo uso',
  'mail.otp.subject': 'Su contraseña de un solo uso para {computer}',
  'mail.otp.intro': 'Su contraseña de un solo uso para {computer}:',
  'mail.otp.boundTo': 'Solo sirve para el usuario {osUser} en el equipo {computer}.',
  'mail.otp.validity': 'Funciona una sola vez y es válida durante {validity}.',
  'mail.otp.notYou': 'Si no la ha solicitado, avise a su soporte técnico.',

  'mail.denied.title': 'Solicitud denegada',
  'mail.denied.subject': 'Solicitud denegada para {computer}',
  'mail.denied.body': 'Se ha denegado su solicitud de una contraseña de un solo uso para {computer}.',
  'mail.denied.comment': 'Comentario: {comment}',
  'mail.denied.contact': 'Póngase en contacto con su soporte técnico si todavía necesita acceder.',

  'mail.staff.kind.email': 'Solicitud de acceso',
  'mail.staff.kind.emergency': 'Solicitud de acceso de emergencia',
  'mail.staff.waiting': '{kind} pendiente de aprobación.',
  'mail.staff.subject': '{kind}: {osUser} en {computer}',
  'mail.staff.computer': 'Equipo',
  'mail.staff.user': 'Usuario',
  'mail.staff.email': 'Correo electrónico',
  'mail.staff.reason': 'Motivo',
  'mail.staff.noReason': '(no indicado)',
  'mail.staff.lapsesIn': 'Caduca en',
  'mail.staff.decideIn': 'Apruébela o deniéguela en el Management Tool: {url}',
  'mail.staff.openConsole': 'Abrir el Management Tool',
  'mail.staff.reminder.title': 'Solicitudes de acceso pendientes',
  'mail.staff.reminder.subject': 'Más solicitudes de acceso pendientes de aprobación',
  'mail.staff.reminder.body': 'Desde el último aviso han llegado más solicitudes de acceso que quizá estén pendientes de aprobación.',
  'mail.staff.reminder.seeAll': 'Véalas todas, de la más reciente a la más antigua, en el Management Tool: {url}',
};
