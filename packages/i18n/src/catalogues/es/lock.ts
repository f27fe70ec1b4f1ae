/** The lock window and its pop-ups (apps/client/src/renderer, apps/client/src/lock). */
export const lock = {
  // ---- the lock pop-up ----
  'lock.title': 'Se necesita una contraseña de un solo uso',
  'lock.lockedFor': 'Este equipo está bloqueado para {user}.',
  'lock.lockedForComputer': '{computer} está bloqueado para {user}.',
  'lock.enterEmailed': 'Introduzca la contraseña de un solo uso que se le envió por correo electrónico.',
  'lock.requestFirst': 'Solicite una contraseña de un solo uso para desbloquearlo.',
  'lock.helpdesk': 'Soporte: {contact}',
  'lock.email': 'Correo electrónico',
  'lock.otp': 'Contraseña de un solo uso',
  'lock.expiresAt': 'Esta contraseña de un solo uso es válida hasta las {time}.',
  'lock.reference': 'Referencia de la solicitud',
  'lock.referenceHint': 'Indíquela cuando llame a soporte.',
  'lock.logIn': 'Iniciar sesión',
  'lock.openRequest': 'Solicitar contraseña de un solo uso',
  'lock.resend': 'Reenviar a {email}',
  'lock.wrongAddress': '¿Dirección incorrecta?',
  'lock.differentEmail': 'Usar otro correo electrónico',
  'lock.tryAgainNow': 'Reintentar ahora',
  'lock.signOut': 'Cerrar sesión',
  'lock.retryIn': { one: 'Nuevo intento en {count} segundo.', other: 'Nuevo intento en {count} segundos.' },
  'lock.retryNow': 'Reintentando ahora.',

  // ---- sign-out confirmation ----
  'signOut.title': '¿Cerrar la sesión de Windows?',
  'signOut.text': 'Los programas abiertos en esta sesión se cierran y el trabajo no guardado se pierde.',
  'signOut.confirm': 'Cerrar sesión',
  'signOut.cancel': 'Quedarme aquí',

  // ---- the request pop-up ----
  'request.title': 'Solicitar contraseña de un solo uso',
  'request.introEmail':
    'Introduzca su dirección de correo electrónico. Soporte aprueba la solicitud y después se le envía la contraseña de un solo uso por correo.',
  'request.introDirectory':
    'La contraseña de un solo uso se envía a la dirección de correo que el directorio de la empresa tiene para usted.',
  'request.introInternal':
    'Introduzca su usuario y contraseña del Management Tool. La contraseña de un solo uso se envía a su dirección de correo.',
  'request.login': 'Usuario',
  'request.password': 'Contraseña',
  'request.emergency': 'Necesito acceso de emergencia al equipo',
  'request.email': 'Correo electrónico',
  'request.reason': 'Motivo',
  'request.reasonHint': 'Opcional: explique a soporte por qué necesita acceso.',
  'request.submit': 'Solicitar',
  'request.cancel': 'Cancelar',
  'request.nextAt': 'Podrá solicitar una nueva contraseña de un solo uso a las {time}.',
  'request.useInternal': 'Usar mi usuario interno',
  'request.useDirectory': 'Usar el directorio de la empresa',

  // ---- after the lock ----
  'unlocked.title': 'Desbloqueado',
  'unlocked.welcome': 'Bienvenido, {user} ({email}).',
  'signingOut.title': 'Cerrando sesión…',
  'page.notInLock': 'Esta página solo funciona dentro de la ventana de bloqueo de Latchkey.',
  'page.previewFailed':
    'La vista previa del bloqueo no pudo iniciarse: el servidor de Latchkey no respondió. Recargue la página para volver a intentarlo.',

  // ---- unlock with the helpdesk (offline) ----
  'offline.offer': 'Desbloquear con soporte',
  'offline.title': 'Desbloquear con soporte',
  'offline.intro':
    'No se puede contactar con el servidor de Latchkey. Llame a soporte y léale el equipo, el usuario y el código de desafío de abajo; le leerán un código de respuesta.',
  'offline.computer': 'Equipo',
  'offline.thisComputer': 'Este equipo',
  'offline.user': 'Usuario',
  'offline.challenge': 'Código de desafío',
  'offline.response': 'Código de respuesta',
  'offline.responseHint': 'Los 10 caracteres que le lee soporte. Los guiones y espacios no importan.',
  'offline.unlock': 'Desbloquear',
  'offline.back': 'Volver',
  'offline.newAt': 'Se podrá mostrar un nuevo código de desafío a las {time}.',
  'offline.expiresAt': {
    one: 'Este código de desafío caduca a las {time}. Queda {count} intento.',
    other: 'Este código de desafío caduca a las {time}. Quedan {count} intentos.',
  },

  // ---- notices: the request's status ----
  'notice.guardUnverified':
    'No se ha podido verificar el guardián de Latchkey de este equipo, así que sigue bloqueado. Cierre la sesión y vuelva a entrar; si continúa, consulte a soporte.',
  'notice.unreachable':
    'No se puede contactar con el servidor de Latchkey, así que este equipo sigue bloqueado. Compruebe el cable de red o el wifi, o consulte a soporte.',
  'notice.waiting':
    'Su solicitud está pendiente de aprobación por soporte. Cuando se apruebe, la contraseña de un solo uso se enviará a {email}.',
  'notice.sent': 'Se ha enviado una contraseña de un solo uso a {email}. Introdúzcala abajo para iniciar sesión.',
  'notice.resent': 'La contraseña de un solo uso se ha vuelto a enviar a {email}.',
  'notice.denied': 'Su solicitud de contraseña de un solo uso fue denegada. Contacte con soporte si todavía necesita acceso.',
  'notice.deniedComment':
    'Su solicitud de contraseña de un solo uso fue denegada. Soporte escribió: «{comment}». Contacte con soporte si todavía necesita acceso.',
  'notice.lapsed':
    'Su solicitud no se aprobó a tiempo, así que caducó y no se envió ninguna contraseña de un solo uso. Solicite una nueva o llame a soporte.',
  'notice.expired': 'La contraseña de un solo uso enviada a {email} ha caducado. Solicite una nueva.',
  'notice.used': 'Esa contraseña de un solo uso ya se ha utilizado. Solicite una nueva.',
  'notice.burnt':
    'Se introdujeron demasiados códigos incorrectos, así que esta contraseña de un solo uso ya no funciona, ni siquiera la correcta.',
  'notice.afterBurnt': 'Solicite una nueva o llame a soporte.',
  'notice.afterBurntWait':
    'Podrá solicitar una nueva a las {time}; hasta entonces, «Solicitar contraseña de un solo uso» lleva al acceso de emergencia, que aprueba soporte.',
  'notice.superseded': 'Una solicitud más reciente de este equipo ha sustituido a esta.',
  'notice.cancelled': 'Esta solicitud se ha cancelado. Puede solicitar una nueva contraseña de un solo uso.',
  'notice.cancelledCorrect': 'Su solicitud para {email} se ha cancelado. Corrija la dirección de correo y elija «Solicitar» de nuevo.',
  'notice.accessDenied': 'Acceso denegado.',
  'notice.wrongCode': {
    one: 'Acceso denegado: ese código es incorrecto. Queda {count} intento para esta contraseña de un solo uso.',
    other: 'Acceso denegado: ese código es incorrecto. Quedan {count} intentos para esta contraseña de un solo uso.',
  },
  'notice.lastAttempt':
    'Acceso denegado: ese código es incorrecto. Este es su último intento: tras otro código incorrecto, esta contraseña de un solo uso dejará de funcionar. Revise con cuidado el código del correo.',
  'notice.deniedExpired': 'Acceso denegado. La contraseña de un solo uso ha caducado. Solicite una nueva.',
  'notice.deniedUsed': 'Acceso denegado. Esa contraseña de un solo uso ya se ha utilizado. Solicite una nueva.',
  'notice.interval': {
    one: 'Podrá solicitar una nueva contraseña de un solo uso para este equipo dentro de {count} minuto.',
    other: 'Podrá solicitar una nueva contraseña de un solo uso para este equipo dentro de {count} minutos.',
  },
  'notice.intervalResend': 'Puede reenviar la que ya se envió.',
  'notice.intervalEmergency':
    'Si no puede esperar, elija «Necesito acceso de emergencia al equipo»: esa solicitud llega a soporte sea cual sea el intervalo.',
  'notice.intervalOver': 'Ya puede solicitar una nueva contraseña de un solo uso.',

  // ---- notices: what was typed ----
  'notice.emailMissing': 'Introduzca su dirección de correo electrónico.',
  'notice.emailInvalid': 'Introduzca una dirección de correo válida, como nombre@example.com.',
  'notice.reasonInvalid': 'El motivo contiene caracteres invisibles o de control. Escríbalo de nuevo sin ellos.',
  'notice.loginMissing': 'Introduzca su usuario.',
  'notice.passwordMissing': 'Introduzca su contraseña.',
  'notice.otpFormat': 'Introduzca la contraseña de un solo uso de {length} dígitos del correo.',

  // ---- notices: locking again, verdicts ----
  'notice.relocked': 'Este equipo se ha vuelto a bloquear porque {why}. Solicite una nueva contraseña de un solo uso para continuar.',
  'notice.relockSent': 'Este equipo se ha vuelto a bloquear porque {why}. Se ha enviado una nueva contraseña de un solo uso a {email}.',
  'relock.windows-unlock': 'se desbloqueó Windows',
  'relock.reconnect': 'la sesión se volvió a conectar (escritorio remoto o en este equipo)',
  'relock.resume': 'el equipo salió de la suspensión',
  'notice.verdictKey': 'Este equipo no conoce la clave del servidor de Latchkey, o el servidor indicó otra distinta.',
  'notice.verdictSignature':
    'La respuesta de desbloqueo no llevaba una firma válida del servidor de Latchkey: algo entre este equipo y el servidor puede haberla modificado.',
  'notice.verdictStaysLocked': 'Este equipo sigue bloqueado. Vuelva a intentarlo; si ocurre de nuevo, avise a soporte (se ha notificado).',
  'notice.decisionInvalid':
    'La respuesta del servidor sobre si esta cuenta debe desbloquearse no estaba firmada correctamente, así que este equipo sigue bloqueado. Solicite una contraseña de un solo uso o avise a soporte.',

  // ---- notices: the server's refusals ----
  'error.unknown': 'Algo ha fallado ({code}). Vuelva a intentarlo o contacte con soporte.',
  'error.access_denied': 'Acceso denegado. La contraseña de un solo uso es incorrecta, ha caducado o ya se utilizó.',
  'error.invalid_credentials': 'El usuario o la contraseña son incorrectos.',
  'error.login_locked': 'Demasiados inicios de sesión fallidos para este usuario. Inténtelo más tarde o use el acceso de emergencia.',
  'error.method_not_allowed':
    'Esa forma de solicitar una contraseña de un solo uso ya no está habilitada. El formulario se ha actualizado; vuelva a intentarlo.',
  'error.otp_not_allowed': 'Las contraseñas de un solo uso no están permitidas en este equipo. Contacte con su administrador.',
  'error.directory_unavailable':
    'No se puede contactar ahora con el directorio de la empresa. Vuelva a intentarlo en un momento o use el acceso de emergencia.',
  'error.directory_user_not_found': 'Su cuenta no se encontró en el directorio de la empresa. Use el acceso de emergencia.',
  'error.directory_user_disabled': 'Su cuenta está deshabilitada en el directorio de la empresa. Contacte con soporte.',
  'error.directory_user_no_mail': 'Su cuenta del directorio no tiene dirección de correo. Use el acceso de emergencia.',
  'error.directory_user_ambiguous': 'Más de una cuenta del directorio coincide con la suya. Use el acceso de emergencia.',
  'error.directory_not_configured': 'No hay ningún directorio de empresa configurado para Latchkey. Use el acceso de emergencia.',
  'error.not_resendable': 'Esta contraseña de un solo uso ya no se puede reenviar. Solicite una nueva.',
  'error.rate_limited': 'Demasiados intentos. Espere un momento y vuelva a intentarlo.',
  'error.rateLimitedFor': {
    one: 'Demasiados intentos. Espere {count} segundo y vuelva a intentarlo.',
    other: 'Demasiados intentos. Espere {count} segundos y vuelva a intentarlo.',
  },
  'error.invalid_request': 'El servidor no aceptó la solicitud. Revise los campos y vuelva a intentarlo.',
  'error.unauthorized': 'El servidor no reconoce este equipo (se rechazó su registro). Contacte con su administrador.',
  'error.forbidden': 'El servidor rechazó este equipo. Contacte con su administrador.',
  'error.os_user_mismatch': 'El servidor rechazó esta cuenta de Windows en este equipo. Contacte con su administrador.',
  'error.not_found': 'El servidor ya no conoce esa solicitud. Solicite una nueva contraseña de un solo uso.',
  'error.not_pending': 'Esa solicitud ya se ha resuelto.',
  'error.bad_response': 'El servidor envió una respuesta que este programa no entiende. Contacte con su administrador.',
  'error.service_unavailable': 'El servidor de Latchkey está ocupado. Vuelva a intentarlo en un momento.',
  'error.internal_error': 'El servidor de Latchkey tuvo un problema. Vuelva a intentarlo en un momento.',
  'error.account_not_linked':
    'Esta cuenta de Windows no está vinculada a su usuario del Management Tool. Pida a su administrador que la vincule, o use el acceso de emergencia.',
  'error.email_domain_not_allowed':
    'Las contraseñas de un solo uso solo pueden enviarse a su dirección de correo del trabajo. Introduzca esa dirección.',
  'error.too_many_open_requests': 'Este equipo ya tiene tantas solicitudes pendientes como se permite. Espere a soporte o llámelos.',
  'error.resend_limit':
    'La contraseña de un solo uso se ha reenviado tantas veces como se permite. Revise su buzón, también el correo no deseado, o solicite una nueva.',

  // ---- notices: offline unlock ----
  'notice.offlineFormat': 'Introduzca el código de respuesta de 10 caracteres que le leyó soporte, como ABCDE-FGHJK.',
  'notice.offlineWrong': {
    one: 'Ese código de respuesta no es correcto. Queda {count} intento para este código de desafío.',
    other: 'Ese código de respuesta no es correcto. Quedan {count} intentos para este código de desafío.',
  },
  'notice.offlineBurnt': 'Demasiados códigos de respuesta incorrectos: este código de desafío ya no funciona.',
  'notice.offlineWait': {
    one: 'Se podrá mostrar un nuevo código de desafío dentro de {count} minuto.',
    other: 'Se podrá mostrar un nuevo código de desafío dentro de {count} minutos.',
  },
  'notice.offlineExpired':
    'El código de desafío ha caducado. Se muestra uno nuevo: léalo de nuevo a soporte para obtener un nuevo código de respuesta.',
  'notice.offlineUnavailable': 'El desbloqueo sin conexión no está disponible en este equipo. Contacte con soporte.',
} as const;
