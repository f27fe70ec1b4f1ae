/** The lock window and its pop-ups (apps/client/src/renderer, apps/client/src/lock). */
export const lock = {
  // ---- the lock pop-up ----
  'lock.title': 'Ein Einmalpasswort ist erforderlich',
  'lock.lockedFor': 'Dieser Computer ist für {user} gesperrt.',
  'lock.lockedForComputer': '{computer} ist für {user} gesperrt.',
  'lock.enterEmailed': 'Geben Sie das Einmalpasswort ein, das Ihnen per E-Mail geschickt wurde.',
  'lock.requestFirst': 'Fordern Sie ein Einmalpasswort an, um ihn zu entsperren.',
  'lock.helpdesk': 'Helpdesk: {contact}',
  'lock.email': 'E-Mail',
  'lock.otp': 'Einmalpasswort',
  'lock.expiresAt': 'Dieses Einmalpasswort gilt bis {time} Uhr.',
  'lock.reference': 'Anfragenummer',
  'lock.referenceHint': 'Nennen Sie sie, wenn Sie den Helpdesk anrufen.',
  'lock.logIn': 'Anmelden',
  'lock.openRequest': 'Einmalpasswort anfordern',
  'lock.resend': 'Erneut an {email} senden',
  'lock.wrongAddress': 'Falsche Adresse?',
  'lock.differentEmail': 'Andere E-Mail-Adresse verwenden',
  'lock.tryAgainNow': 'Jetzt erneut versuchen',
  'lock.signOut': 'Abmelden',
  'lock.retryIn': { one: 'Neuer Versuch in {count} Sekunde.', other: 'Neuer Versuch in {count} Sekunden.' },
  'lock.retryNow': 'Neuer Versuch läuft.',

  // ---- sign-out confirmation ----
  'signOut.title': 'Von Windows abmelden?',
  'signOut.text': 'Geöffnete Programme dieser Sitzung werden geschlossen, und nicht gespeicherte Arbeit geht verloren.',
  'signOut.confirm': 'Abmelden',
  'signOut.cancel': 'Hierbleiben',

  // ---- the request pop-up ----
  'request.title': 'Einmalpasswort anfordern',
  'request.introEmail':
    'Geben Sie Ihre E-Mail-Adresse ein. Der Helpdesk genehmigt die Anfrage, danach wird Ihnen das Einmalpasswort per E-Mail geschickt.',
  'request.introDirectory': 'Das Einmalpasswort wird an die E-Mail-Adresse geschickt, die das Unternehmensverzeichnis für Sie kennt.',
  'request.introInternal':
    'Geben Sie Ihren Anmeldenamen und Ihr Passwort für das Management Tool ein. Das Einmalpasswort wird an Ihre E-Mail-Adresse geschickt.',
  'request.login': 'Anmeldename',
  'request.password': 'Passwort',
  'request.emergency': 'Ich brauche Notfallzugang zum Computer',
  'request.email': 'E-Mail',
  'request.reason': 'Grund',
  'request.reasonHint': 'Optional: Sagen Sie dem Helpdesk, warum Sie Zugang brauchen.',
  'request.submit': 'Anfordern',
  'request.cancel': 'Abbrechen',
  'request.nextAt': 'Ein neues Einmalpasswort können Sie um {time} Uhr anfordern.',
  'request.useInternal': 'Stattdessen meine interne Anmeldung verwenden',
  'request.useDirectory': 'Stattdessen das Unternehmensverzeichnis verwenden',

  // ---- after the lock ----
  'unlocked.title': 'Entsperrt',
  'unlocked.welcome': 'Willkommen, {user} ({email}).',
  'signingOut.title': 'Abmeldung läuft …',
  'page.notInLock': 'Diese Seite läuft nur im Sperrfenster von Latchkey.',
  'page.previewFailed':
    'Die Vorschau der Sperre konnte nicht starten: Der Latchkey-Server hat nicht geantwortet. Laden Sie die Seite neu, um es erneut zu versuchen.',

  // ---- unlock with the helpdesk (offline) ----
  'offline.offer': 'Mit dem Helpdesk entsperren',
  'offline.title': 'Mit dem Helpdesk entsperren',
  'offline.intro':
    'Der Latchkey-Server ist nicht erreichbar. Rufen Sie Ihren Helpdesk an und lesen Sie Computer, Benutzer und Challenge unten vor; Sie erhalten einen Antwortcode.',
  'offline.computer': 'Computer',
  'offline.thisComputer': 'Dieser Computer',
  'offline.user': 'Benutzer',
  'offline.challenge': 'Challenge',
  'offline.response': 'Antwortcode',
  'offline.responseHint': 'Die 10 Zeichen, die der Helpdesk Ihnen vorliest. Bindestriche und Leerzeichen spielen keine Rolle.',
  'offline.unlock': 'Entsperren',
  'offline.back': 'Zurück',
  'offline.newAt': 'Eine neue Challenge kann um {time} Uhr angezeigt werden.',
  'offline.expiresAt': {
    one: 'Diese Challenge läuft um {time} Uhr ab. Noch {count} Versuch.',
    other: 'Diese Challenge läuft um {time} Uhr ab. Noch {count} Versuche.',
  },

  // ---- notices: the request's status ----
  'notice.guardUnverified':
    'Der Latchkey-Wächter dieses Computers konnte nicht überprüft werden, daher bleibt dieser Computer gesperrt. Melden Sie sich ab und wieder an; bleibt es so, fragen Sie Ihren Helpdesk.',
  'notice.unreachable':
    'Der Latchkey-Server ist nicht erreichbar, daher bleibt dieser Computer gesperrt. Prüfen Sie Netzwerkkabel oder WLAN, oder fragen Sie Ihren Helpdesk.',
  'notice.waiting':
    'Ihre Anfrage wartet auf die Genehmigung durch den Helpdesk. Sobald sie genehmigt ist, wird das Einmalpasswort an {email} geschickt.',
  'notice.sent': 'Ein Einmalpasswort wurde an {email} geschickt. Geben Sie es unten ein, um sich anzumelden.',
  'notice.resent': 'Das Einmalpasswort wurde erneut an {email} geschickt.',
  'notice.denied':
    'Ihre Anfrage nach einem Einmalpasswort wurde abgelehnt. Wenden Sie sich an Ihren Helpdesk, wenn Sie weiterhin Zugang brauchen.',
  'notice.deniedComment':
    'Ihre Anfrage nach einem Einmalpasswort wurde abgelehnt. Der Helpdesk schreibt: „{comment}“. Wenden Sie sich an Ihren Helpdesk, wenn Sie weiterhin Zugang brauchen.',
  'notice.lapsed':
    'Ihre Anfrage wurde nicht rechtzeitig genehmigt; sie ist verfallen, und es wurde kein Einmalpasswort geschickt. Fordern Sie ein neues an oder rufen Sie Ihren Helpdesk an.',
  'notice.expired': 'Das an {email} geschickte Einmalpasswort ist abgelaufen. Fordern Sie ein neues an.',
  'notice.used': 'Dieses Einmalpasswort wurde bereits verwendet. Fordern Sie ein neues an.',
  'notice.burnt': 'Es wurden zu viele falsche Codes eingegeben; dieses Einmalpasswort funktioniert nicht mehr, auch nicht das richtige.',
  'notice.afterBurnt': 'Fordern Sie ein neues an oder rufen Sie Ihren Helpdesk an.',
  'notice.afterBurntWait':
    'Ein neues kann um {time} Uhr angefordert werden; bis dahin führt „Einmalpasswort anfordern“ zum Notfallzugang, den der Helpdesk genehmigt.',
  'notice.superseded': 'Eine neuere Anfrage von diesem Computer hat diese ersetzt.',
  'notice.cancelled': 'Diese Anfrage wurde zurückgezogen. Sie können ein neues Einmalpasswort anfordern.',
  'notice.cancelledCorrect':
    'Ihre Anfrage für {email} wurde zurückgezogen. Korrigieren Sie die E-Mail-Adresse und wählen Sie erneut „Anfordern“.',
  'notice.accessDenied': 'Zugriff verweigert.',
  'notice.wrongCode': {
    one: 'Zugriff verweigert: Dieser Code ist falsch. Für dieses Einmalpasswort bleibt noch {count} Versuch.',
    other: 'Zugriff verweigert: Dieser Code ist falsch. Für dieses Einmalpasswort bleiben noch {count} Versuche.',
  },
  'notice.lastAttempt':
    'Zugriff verweigert: Dieser Code ist falsch. Dies ist Ihr letzter Versuch: Nach einem weiteren falschen Code funktioniert dieses Einmalpasswort nicht mehr. Prüfen Sie den Code in der E-Mail genau.',
  'notice.deniedExpired': 'Zugriff verweigert. Das Einmalpasswort ist abgelaufen. Fordern Sie ein neues an.',
  'notice.deniedUsed': 'Zugriff verweigert. Dieses Einmalpasswort wurde bereits verwendet. Fordern Sie ein neues an.',
  'notice.interval': {
    one: 'Ein neues Einmalpasswort für diesen Computer kann in {count} Minute angefordert werden.',
    other: 'Ein neues Einmalpasswort für diesen Computer kann in {count} Minuten angefordert werden.',
  },
  'notice.intervalResend': 'Das bereits geschickte können Sie erneut senden lassen.',
  'notice.intervalEmergency':
    'Wenn Sie nicht warten können, wählen Sie „Ich brauche Notfallzugang zum Computer“: Diese Anfrage geht unabhängig vom Intervall an den Helpdesk.',
  'notice.intervalOver': 'Sie können jetzt ein neues Einmalpasswort anfordern.',

  // ---- notices: what was typed ----
  'notice.emailMissing': 'Geben Sie Ihre E-Mail-Adresse ein.',
  'notice.emailInvalid': 'Geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@example.com.',
  'notice.reasonInvalid': 'Der Grund enthält unsichtbare oder Steuerzeichen. Geben Sie ihn ohne diese erneut ein.',
  'notice.loginMissing': 'Geben Sie Ihren Anmeldenamen ein.',
  'notice.passwordMissing': 'Geben Sie Ihr Passwort ein.',
  'notice.otpFormat': 'Geben Sie das {length}-stellige Einmalpasswort aus der E-Mail ein.',

  // ---- notices: locking again, verdicts ----
  'notice.relocked': 'Dieser Computer wurde erneut gesperrt, weil {why}. Fordern Sie ein neues Einmalpasswort an, um fortzufahren.',
  'notice.relockSent': 'Dieser Computer wurde erneut gesperrt, weil {why}. Ein neues Einmalpasswort wurde an {email} geschickt.',
  'relock.windows-unlock': 'Windows entsperrt wurde',
  'relock.reconnect': 'die Sitzung erneut verbunden wurde (Remotedesktop oder an diesem Computer)',
  'relock.resume': 'der Computer aus dem Energiesparmodus aufgewacht ist',
  'notice.verdictKey': 'Dieser Computer kennt den Schlüssel des Latchkey-Servers nicht, oder der Server hat einen anderen genannt.',
  'notice.verdictSignature':
    'Die Antwort zum Entsperren trug keine gültige Signatur des Latchkey-Servers: Etwas zwischen diesem Computer und dem Server hat sie möglicherweise verändert.',
  'notice.verdictStaysLocked':
    'Dieser Computer bleibt gesperrt. Versuchen Sie es erneut; wenn es wieder passiert, informieren Sie Ihren Helpdesk (es wurde gemeldet).',
  'notice.decisionInvalid':
    'Die Antwort des Servers, ob dieses Konto entsperren muss, war nicht gültig signiert; daher bleibt dieser Computer gesperrt. Fordern Sie ein Einmalpasswort an oder informieren Sie Ihren Helpdesk.',

  // ---- notices: the server's refusals ----
  'error.unknown': 'Etwas ist schiefgegangen ({code}). Versuchen Sie es erneut oder wenden Sie sich an Ihren Helpdesk.',
  'error.access_denied': 'Zugriff verweigert. Das Einmalpasswort ist falsch, abgelaufen oder wurde bereits verwendet.',
  'error.invalid_credentials': 'Anmeldename oder Passwort ist falsch.',
  'error.login_locked':
    'Zu viele fehlgeschlagene Anmeldeversuche für diesen Anmeldenamen. Versuchen Sie es später erneut oder verwenden Sie den Notfallzugang.',
  'error.method_not_allowed':
    'Diese Art, ein Einmalpasswort anzufordern, ist nicht mehr aktiviert. Das Formular wurde aktualisiert; versuchen Sie es erneut.',
  'error.otp_not_allowed': 'Einmalpasswörter sind auf diesem Computer nicht erlaubt. Wenden Sie sich an Ihren Administrator.',
  'error.directory_unavailable':
    'Das Unternehmensverzeichnis ist gerade nicht erreichbar. Versuchen Sie es gleich erneut oder verwenden Sie den Notfallzugang.',
  'error.directory_user_not_found':
    'Ihr Konto wurde im Unternehmensverzeichnis nicht gefunden. Verwenden Sie stattdessen den Notfallzugang.',
  'error.directory_user_disabled': 'Ihr Konto ist im Unternehmensverzeichnis deaktiviert. Wenden Sie sich an Ihren Helpdesk.',
  'error.directory_user_no_mail': 'Ihr Verzeichniskonto hat keine E-Mail-Adresse. Verwenden Sie stattdessen den Notfallzugang.',
  'error.directory_user_ambiguous': 'Mehr als ein Verzeichniskonto passt zu Ihrem. Verwenden Sie stattdessen den Notfallzugang.',
  'error.directory_not_configured':
    'Für Latchkey ist kein Unternehmensverzeichnis eingerichtet. Verwenden Sie stattdessen den Notfallzugang.',
  'error.not_resendable': 'Dieses Einmalpasswort kann nicht mehr erneut gesendet werden. Fordern Sie ein neues an.',
  'error.rate_limited': 'Zu viele Versuche. Warten Sie einen Moment und versuchen Sie es erneut.',
  'error.rateLimitedFor': {
    one: 'Zu viele Versuche. Warten Sie {count} Sekunde und versuchen Sie es erneut.',
    other: 'Zu viele Versuche. Warten Sie {count} Sekunden und versuchen Sie es erneut.',
  },
  'error.invalid_request': 'Der Server hat die Anfrage nicht angenommen. Prüfen Sie die Felder und versuchen Sie es erneut.',
  'error.unauthorized':
    'Der Server erkennt diesen Computer nicht (seine Registrierung wurde abgelehnt). Wenden Sie sich an Ihren Administrator.',
  'error.forbidden': 'Der Server hat diesen Computer abgewiesen. Wenden Sie sich an Ihren Administrator.',
  'error.os_user_mismatch': 'Der Server hat dieses Windows-Konto auf diesem Computer abgewiesen. Wenden Sie sich an Ihren Administrator.',
  'error.not_found': 'Der Server kennt diese Anfrage nicht mehr. Fordern Sie ein neues Einmalpasswort an.',
  'error.not_pending': 'Über diese Anfrage wurde inzwischen entschieden.',
  'error.bad_response':
    'Der Server hat eine Antwort geschickt, die dieses Programm nicht versteht. Wenden Sie sich an Ihren Administrator.',
  'error.service_unavailable': 'Der Latchkey-Server ist ausgelastet. Versuchen Sie es gleich erneut.',
  'error.internal_error': 'Beim Latchkey-Server ist ein Problem aufgetreten. Versuchen Sie es gleich erneut.',
  'error.account_not_linked':
    'Dieses Windows-Konto ist nicht mit Ihrer Anmeldung am Management Tool verknüpft. Bitten Sie Ihren Administrator, es zu verknüpfen, oder verwenden Sie den Notfallzugang.',
  'error.email_domain_not_allowed':
    'Einmalpasswörter können nur an Ihre geschäftliche E-Mail-Adresse geschickt werden. Geben Sie diese Adresse ein.',
  'error.too_many_open_requests':
    'Für diesen Computer warten bereits so viele Anfragen wie erlaubt. Warten Sie auf den Helpdesk oder rufen Sie ihn an.',
  'error.resend_limit':
    'Das Einmalpasswort wurde so oft wie erlaubt erneut gesendet. Prüfen Sie Ihr Postfach, auch den Spam-Ordner, oder fordern Sie ein neues an.',

  // ---- notices: offline unlock ----
  'notice.offlineFormat': 'Geben Sie den 10-stelligen Antwortcode ein, den der Helpdesk Ihnen vorgelesen hat, zum Beispiel ABCDE-FGHJK.',
  'notice.offlineWrong': {
    one: 'Dieser Antwortcode stimmt nicht. Für diese Challenge bleibt noch {count} Versuch.',
    other: 'Dieser Antwortcode stimmt nicht. Für diese Challenge bleiben noch {count} Versuche.',
  },
  'notice.offlineBurnt': 'Zu viele falsche Antwortcodes: Diese Challenge funktioniert nicht mehr.',
  'notice.offlineWait': {
    one: 'Eine neue Challenge kann in {count} Minute angezeigt werden.',
    other: 'Eine neue Challenge kann in {count} Minuten angezeigt werden.',
  },
  'notice.offlineExpired':
    'Die Challenge ist abgelaufen. Eine neue wird angezeigt: Lesen Sie sie dem Helpdesk erneut vor, um einen neuen Antwortcode zu erhalten.',
  'notice.offlineUnavailable': 'Entsperren ohne Server ist auf diesem Computer nicht verfügbar. Wenden Sie sich an Ihren Helpdesk.',
} as const;
