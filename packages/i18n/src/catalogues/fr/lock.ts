/** The lock window and its pop-ups (apps/client/src/renderer, apps/client/src/lock). */
export const lock = {
  // ---- the lock pop-up ----
  'lock.title': 'Un mot de passe à usage unique est requis',
  'lock.lockedFor': 'Cet ordinateur est verrouillé pour {user}.',
  'lock.lockedForComputer': '{computer} est verrouillé pour {user}.',
  'lock.enterEmailed': 'Saisissez le mot de passe à usage unique qui vous a été envoyé par e-mail.',
  'lock.requestFirst': 'Demandez un mot de passe à usage unique pour le déverrouiller.',
  'lock.helpdesk': 'Support : {contact}',
  'lock.email': 'E-mail',
  'lock.otp': 'Mot de passe à usage unique',
  'lock.expiresAt': 'Ce mot de passe à usage unique est valable jusqu’à {time}.',
  'lock.reference': 'Référence de la demande',
  'lock.referenceHint': 'Indiquez-la quand vous appelez le support.',
  'lock.logIn': 'Se connecter',
  'lock.openRequest': 'Demander un mot de passe à usage unique',
  'lock.resend': 'Renvoyer à {email}',
  'lock.wrongAddress': 'Mauvaise adresse ?',
  'lock.differentEmail': 'Utiliser une autre adresse e-mail',
  'lock.tryAgainNow': 'Réessayer maintenant',
  'lock.signOut': 'Se déconnecter',
  'lock.retryIn': { one: 'Nouvel essai dans {count} seconde.', other: 'Nouvel essai dans {count} secondes.' },
  'lock.retryNow': 'Nouvel essai en cours.',

  // ---- sign-out confirmation ----
  'signOut.title': 'Se déconnecter de Windows ?',
  'signOut.text': 'Les programmes ouverts dans cette session se ferment et le travail non enregistré est perdu.',
  'signOut.confirm': 'Se déconnecter',
  'signOut.cancel': 'Rester ici',

  // ---- the request pop-up ----
  'request.title': 'Demander un mot de passe à usage unique',
  'request.introEmail':
    'Saisissez votre adresse e-mail. Le support approuve la demande, puis le mot de passe à usage unique vous est envoyé par e-mail.',
  'request.introDirectory':
    'Le mot de passe à usage unique est envoyé à l’adresse e-mail que l’annuaire de l’entreprise connaît pour vous.',
  'request.introInternal':
    'Saisissez votre identifiant et votre mot de passe du Management Tool. Le mot de passe à usage unique est envoyé à votre adresse e-mail.',
  'request.login': 'Identifiant',
  'request.password': 'Mot de passe',
  'request.emergency': 'J’ai besoin d’un accès d’urgence à l’ordinateur',
  'request.email': 'E-mail',
  'request.reason': 'Motif',
  'request.reasonHint': 'Facultatif : dites au support pourquoi vous avez besoin d’accès.',
  'request.submit': 'Demander',
  'request.cancel': 'Annuler',
  'request.nextAt': 'Vous pourrez demander un nouveau mot de passe à usage unique à {time}.',
  'request.useInternal': 'Utiliser plutôt mon identifiant interne',
  'request.useDirectory': 'Utiliser plutôt l’annuaire de l’entreprise',

  // ---- after the lock ----
  'unlocked.title': 'Déverrouillé',
  'unlocked.welcome': 'Bienvenue, {user} ({email}).',
  'signingOut.title': 'Déconnexion…',
  'page.notInLock': 'Cette page ne fonctionne que dans la fenêtre de verrouillage de Latchkey.',
  'page.previewFailed':
    'L’aperçu du verrouillage n’a pas pu démarrer : le serveur Latchkey n’a pas répondu. Rechargez la page pour réessayer.',

  // ---- unlock with the helpdesk (offline) ----
  'offline.offer': 'Déverrouiller avec le support',
  'offline.title': 'Déverrouiller avec le support',
  'offline.intro':
    'Le serveur Latchkey est injoignable. Appelez votre support et lisez-lui l’ordinateur, l’utilisateur et le code de défi ci-dessous ; il vous lira un code de réponse.',
  'offline.computer': 'Ordinateur',
  'offline.thisComputer': 'Cet ordinateur',
  'offline.user': 'Utilisateur',
  'offline.challenge': 'Code de défi',
  'offline.response': 'Code de réponse',
  'offline.responseHint': 'Les 10 caractères que le support vous lit. Les tirets et les espaces n’ont pas d’importance.',
  'offline.unlock': 'Déverrouiller',
  'offline.back': 'Retour',
  'offline.newAt': 'Un nouveau code de défi pourra être affiché à {time}.',
  'offline.expiresAt': {
    one: 'Ce code de défi expire à {time}. Il reste {count} essai.',
    other: 'Ce code de défi expire à {time}. Il reste {count} essais.',
  },

  // ---- notices: the request's status ----
  'notice.guardUnverified':
    'Le gardien Latchkey de cet ordinateur n’a pas pu être vérifié : cet ordinateur reste donc verrouillé. Déconnectez-vous puis reconnectez-vous ; si cela persiste, contactez votre support.',
  'notice.unreachable':
    'Le serveur Latchkey est injoignable : cet ordinateur reste donc verrouillé. Vérifiez le câble réseau ou le Wi-Fi, ou contactez votre support.',
  'notice.waiting':
    'Votre demande attend l’approbation du support. Une fois approuvée, le mot de passe à usage unique sera envoyé à {email}.',
  'notice.sent': 'Un mot de passe à usage unique a été envoyé à {email}. Saisissez-le ci-dessous pour vous connecter.',
  'notice.resent': 'Le mot de passe à usage unique a de nouveau été envoyé à {email}.',
  'notice.denied':
    'Votre demande de mot de passe à usage unique a été refusée. Contactez votre support si vous avez toujours besoin d’accès.',
  'notice.deniedComment':
    'Votre demande de mot de passe à usage unique a été refusée. Le support a écrit : « {comment} ». Contactez votre support si vous avez toujours besoin d’accès.',
  'notice.lapsed':
    'Votre demande n’a pas été approuvée à temps : elle a expiré et aucun mot de passe à usage unique n’a été envoyé. Faites une nouvelle demande ou appelez votre support.',
  'notice.expired': 'Le mot de passe à usage unique envoyé à {email} a expiré. Demandez-en un nouveau.',
  'notice.used': 'Ce mot de passe à usage unique a déjà été utilisé. Demandez-en un nouveau.',
  'notice.burnt': 'Trop de codes erronés ont été saisis : ce mot de passe à usage unique ne fonctionne plus, même le bon code.',
  'notice.afterBurnt': 'Demandez-en un nouveau ou appelez votre support.',
  'notice.afterBurntWait':
    'Un nouveau pourra être demandé à {time} ; d’ici là, « Demander un mot de passe à usage unique » mène à l’accès d’urgence, que le support approuve.',
  'notice.superseded': 'Une demande plus récente de cet ordinateur a remplacé celle-ci.',
  'notice.cancelled': 'Cette demande a été annulée. Vous pouvez demander un nouveau mot de passe à usage unique.',
  'notice.cancelledCorrect': 'Votre demande pour {email} a été annulée. Corrigez l’adresse e-mail et choisissez à nouveau « Demander ».',
  'notice.accessDenied': 'Accès refusé.',
  'notice.wrongCode': {
    one: 'Accès refusé : ce code est erroné. Il reste {count} essai pour ce mot de passe à usage unique.',
    other: 'Accès refusé : ce code est erroné. Il reste {count} essais pour ce mot de passe à usage unique.',
  },
  'notice.lastAttempt':
    'Accès refusé : ce code est erroné. C’est votre dernier essai : après un autre code erroné, ce mot de passe à usage unique ne fonctionnera plus. Vérifiez attentivement le code dans l’e-mail.',
  'notice.deniedExpired': 'Accès refusé. Le mot de passe à usage unique a expiré. Demandez-en un nouveau.',
  'notice.deniedUsed': 'Accès refusé. Ce mot de passe à usage unique a déjà été utilisé. Demandez-en un nouveau.',
  'notice.interval': {
    one: 'Un nouveau mot de passe à usage unique pour cet ordinateur pourra être demandé dans {count} minute.',
    other: 'Un nouveau mot de passe à usage unique pour cet ordinateur pourra être demandé dans {count} minutes.',
  },
  'notice.intervalResend': 'Vous pouvez renvoyer celui qui a déjà été envoyé.',
  'notice.intervalEmergency':
    'Si vous ne pouvez pas attendre, choisissez « J’ai besoin d’un accès d’urgence à l’ordinateur » : cette demande part au support, quel que soit l’intervalle.',
  'notice.intervalOver': 'Vous pouvez maintenant demander un nouveau mot de passe à usage unique.',

  // ---- notices: what was typed ----
  'notice.emailMissing': 'Saisissez votre adresse e-mail.',
  'notice.emailInvalid': 'Saisissez une adresse e-mail valide, par exemple nom@example.com.',
  'notice.reasonInvalid': 'Le motif contient des caractères invisibles ou de contrôle. Saisissez-le à nouveau sans eux.',
  'notice.loginMissing': 'Saisissez votre identifiant.',
  'notice.passwordMissing': 'Saisissez votre mot de passe.',
  'notice.otpFormat': 'Saisissez le mot de passe à usage unique à {length} chiffres reçu par e-mail.',

  // ---- notices: locking again, verdicts ----
  'notice.relocked':
    'Cet ordinateur a été verrouillé à nouveau parce que {why}. Demandez un nouveau mot de passe à usage unique pour continuer.',
  'notice.relockSent':
    'Cet ordinateur a été verrouillé à nouveau parce que {why}. Un nouveau mot de passe à usage unique a été envoyé à {email}.',
  'relock.windows-unlock': 'Windows a été déverrouillé',
  'relock.reconnect': 'la session a été reconnectée (bureau à distance ou sur cet ordinateur)',
  'relock.resume': 'l’ordinateur est sorti de veille',
  'notice.verdictKey': 'Cet ordinateur ne connaît pas la clé du serveur Latchkey, ou le serveur en a indiqué une autre.',
  'notice.verdictSignature':
    'La réponse de déverrouillage ne portait pas de signature valide du serveur Latchkey : quelque chose entre cet ordinateur et le serveur l’a peut-être modifiée.',
  'notice.verdictStaysLocked':
    'Cet ordinateur reste verrouillé. Réessayez ; si cela se reproduit, prévenez votre support (l’incident a été signalé).',
  'notice.decisionInvalid':
    'La réponse du serveur indiquant si ce compte doit être déverrouillé n’était pas valablement signée : cet ordinateur reste donc verrouillé. Demandez un mot de passe à usage unique ou prévenez votre support.',

  // ---- notices: the server's refusals ----
  'error.unknown': 'Un problème est survenu ({code}). Réessayez ou contactez votre support.',
  'error.access_denied': 'Accès refusé. Le mot de passe à usage unique est erroné, a expiré ou a déjà été utilisé.',
  'error.invalid_credentials': 'L’identifiant ou le mot de passe est erroné.',
  'error.login_locked': 'Trop d’échecs de connexion pour cet identifiant. Réessayez plus tard ou utilisez l’accès d’urgence.',
  'error.method_not_allowed':
    'Cette façon de demander un mot de passe à usage unique n’est plus activée. Le formulaire a été mis à jour ; réessayez.',
  'error.otp_not_allowed': 'Les mots de passe à usage unique ne sont pas autorisés sur cet ordinateur. Contactez votre administrateur.',
  'error.directory_unavailable':
    'L’annuaire de l’entreprise est injoignable pour le moment. Réessayez dans un instant ou utilisez l’accès d’urgence.',
  'error.directory_user_not_found': 'Votre compte est introuvable dans l’annuaire de l’entreprise. Utilisez plutôt l’accès d’urgence.',
  'error.directory_user_disabled': 'Votre compte est désactivé dans l’annuaire de l’entreprise. Contactez votre support.',
  'error.directory_user_no_mail': 'Votre compte d’annuaire n’a pas d’adresse e-mail. Utilisez plutôt l’accès d’urgence.',
  'error.directory_user_ambiguous': 'Plusieurs comptes de l’annuaire correspondent au vôtre. Utilisez plutôt l’accès d’urgence.',
  'error.directory_not_configured': 'Aucun annuaire d’entreprise n’est configuré pour Latchkey. Utilisez plutôt l’accès d’urgence.',
  'error.not_resendable': 'Ce mot de passe à usage unique ne peut plus être renvoyé. Demandez-en un nouveau.',
  'error.rate_limited': 'Trop de tentatives. Patientez un instant et réessayez.',
  'error.rateLimitedFor': {
    one: 'Trop de tentatives. Patientez {count} seconde et réessayez.',
    other: 'Trop de tentatives. Patientez {count} secondes et réessayez.',
  },
  'error.invalid_request': 'Le serveur n’a pas accepté la demande. Vérifiez les champs et réessayez.',
  'error.unauthorized': 'Le serveur ne reconnaît pas cet ordinateur (son inscription a été refusée). Contactez votre administrateur.',
  'error.forbidden': 'Le serveur a refusé cet ordinateur. Contactez votre administrateur.',
  'error.os_user_mismatch': 'Le serveur a refusé ce compte Windows sur cet ordinateur. Contactez votre administrateur.',
  'error.not_found': 'Le serveur ne connaît plus cette demande. Demandez un nouveau mot de passe à usage unique.',
  'error.not_pending': 'Cette demande a été traitée entre-temps.',
  'error.bad_response': 'Le serveur a envoyé une réponse que ce programme ne comprend pas. Contactez votre administrateur.',
  'error.service_unavailable': 'Le serveur Latchkey est occupé. Réessayez dans un instant.',
  'error.internal_error': 'Le serveur Latchkey a rencontré un problème. Réessayez dans un instant.',
  'error.account_not_linked':
    'Ce compte Windows n’est pas lié à votre identifiant du Management Tool. Demandez à votre administrateur de le lier, ou utilisez l’accès d’urgence.',
  'error.email_domain_not_allowed':
    'Les mots de passe à usage unique ne peuvent être envoyés qu’à votre adresse e-mail professionnelle. Saisissez cette adresse.',
  'error.too_many_open_requests': 'Cet ordinateur a déjà autant de demandes en attente que permis. Attendez le support ou appelez-le.',
  'error.resend_limit':
    'Le mot de passe à usage unique a été renvoyé autant de fois que permis. Vérifiez votre boîte de réception, y compris les indésirables, ou demandez-en un nouveau.',

  // ---- notices: offline unlock ----
  'notice.offlineFormat': 'Saisissez le code de réponse de 10 caractères que le support vous a lu, par exemple ABCDE-FGHJK.',
  'notice.offlineWrong': {
    one: 'Ce code de réponse n’est pas bon. Il reste {count} essai pour ce code de défi.',
    other: 'Ce code de réponse n’est pas bon. Il reste {count} essais pour ce code de défi.',
  },
  'notice.offlineBurnt': 'Trop de codes de réponse erronés : ce code de défi ne fonctionne plus.',
  'notice.offlineWait': {
    one: 'Un nouveau code de défi pourra être affiché dans {count} minute.',
    other: 'Un nouveau code de défi pourra être affiché dans {count} minutes.',
  },
  'notice.offlineExpired':
    'Le code de défi a expiré. Un nouveau est affiché : lisez-le à nouveau au support pour obtenir un nouveau code de réponse.',
  'notice.offlineUnavailable': 'Le déverrouillage hors ligne n’est pas disponible sur cet ordinateur. Contactez votre support.',
} as const;
