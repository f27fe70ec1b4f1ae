/** The lock window and its pop-ups (apps/client/src/renderer, apps/client/src/lock). */
export const lock = {
  // ---- the lock pop-up ----
  'lock.title': 'A one-time password is required',
  'lock.lockedFor': 'This computer is locked for {user}.',
  'lock.lockedForComputer': '{computer} is locked for {user}.',
  'lock.enterEmailed': 'Enter the one-time password that was emailed to you.',
  'lock.requestFirst': 'Request a one-time password to unlock it.',
  'lock.helpdesk': 'Helpdesk: {contact}',
  'lock.email': 'Email',
  'lock.otp': 'One-time password',
  'lock.expiresAt': 'This one-time password is valid until {time}.',
  'lock.reference': 'Request reference',
  'lock.referenceHint': 'Quote it when you call the helpdesk.',
  'lock.logIn': 'Log in',
  'lock.openRequest': 'Request One-Time Password',
  'lock.resend': 'Resend to {email}',
  'lock.wrongAddress': 'Wrong address?',
  'lock.differentEmail': 'Use a different email',
  'lock.tryAgainNow': 'Try again now',
  'lock.signOut': 'Sign out',
  'lock.retryIn': { one: 'Trying again in {count} second.', other: 'Trying again in {count} seconds.' },
  'lock.retryNow': 'Trying again now.',

  // ---- sign-out confirmation ----
  'signOut.title': 'Sign out of Windows?',
  'signOut.text': 'Programs that are open in this session close and unsaved work is lost.',
  'signOut.confirm': 'Sign out',
  'signOut.cancel': 'Stay here',

  // ---- the request pop-up ----
  'request.title': 'Request One-Time Password',
  'request.introEmail': 'Enter your email address. The helpdesk approves the request, then the one-time password is emailed to you.',
  'request.introDirectory': 'The one-time password is sent to the email address your company directory has for you.',
  'request.introInternal': 'Enter your Management Tool login name and password. The one-time password is sent to your email address.',
  'request.login': 'Login name',
  'request.password': 'Password',
  'request.emergency': 'I need emergency access to computer',
  'request.email': 'Email',
  'request.reason': 'Reason',
  'request.reasonHint': 'Optional: tell the helpdesk why you need access.',
  'request.submit': 'Request',
  'request.cancel': 'Cancel',
  'request.nextAt': 'You can request a new one-time password at {time}.',
  'request.useInternal': 'Use my internal login instead',
  'request.useDirectory': 'Use the company directory instead',

  // ---- after the lock ----
  'unlocked.title': 'Unlocked',
  'unlocked.welcome': 'Welcome, {user} ({email}).',
  'signingOut.title': 'Signing out…',
  'page.notInLock': 'This page runs inside the Latchkey lock window only.',
  'page.previewFailed': 'The lock preview could not start: the Latchkey server did not answer. Reload the page to try again.',

  // ---- unlock with the helpdesk (offline) ----
  'offline.offer': 'Unlock with the helpdesk',
  'offline.title': 'Unlock with the helpdesk',
  'offline.intro':
    'The Latchkey server cannot be reached. Call your helpdesk and read them the computer, the user and the challenge below; they read you a response code.',
  'offline.computer': 'Computer',
  'offline.thisComputer': 'This computer',
  'offline.user': 'User',
  'offline.challenge': 'Challenge',
  'offline.response': 'Response code',
  'offline.responseHint': 'The 10 characters the helpdesk reads to you. Dashes and spaces do not matter.',
  'offline.unlock': 'Unlock',
  'offline.back': 'Back',
  'offline.newAt': 'A new challenge can be shown at {time}.',
  'offline.expiresAt': {
    one: 'This challenge expires at {time}. {count} attempt left.',
    other: 'This challenge expires at {time}. {count} attempts left.',
  },

  // ---- notices: the request's status ----
  'notice.guardUnverified':
    'The Latchkey guard of this computer could not be verified, so this computer stays locked. Sign out and in again; if this stays, ask your helpdesk.',
  'notice.unreachable':
    'The Latchkey server cannot be reached, so this computer stays locked. Check the network cable or Wi-Fi, or ask your helpdesk.',
  'notice.waiting':
    'Your request is waiting for approval by the helpdesk. Once it is approved, the one-time password is emailed to {email}.',
  'notice.sent': 'A one-time password has been sent to {email}. Enter it below to log in.',
  'notice.resent': 'The one-time password has been sent to {email} again.',
  'notice.denied': 'Your request for a one-time password was denied. Contact your helpdesk if you still need access.',
  'notice.deniedComment':
    'Your request for a one-time password was denied. The helpdesk wrote: “{comment}”. Contact your helpdesk if you still need access.',
  'notice.lapsed':
    'Your request was not approved in time, so it lapsed and no one-time password was sent. Request a new one, or call your helpdesk.',
  'notice.expired': 'The one-time password sent to {email} has expired. Request a new one.',
  'notice.used': 'That one-time password has already been used. Request a new one.',
  'notice.burnt': 'Too many wrong codes were entered, so this one-time password no longer works, not even the right one.',
  'notice.afterBurnt': 'Request a new one, or call your helpdesk.',
  'notice.afterBurntWait':
    'A new one can be requested at {time}; until then, “Request One-Time Password” leads to emergency access, which the helpdesk approves.',
  'notice.superseded': 'A newer request from this computer replaced this one.',
  'notice.cancelled': 'This request was cancelled. You can request a new one-time password.',
  'notice.cancelledCorrect': 'Your request for {email} was cancelled. Correct the email address and choose Request again.',
  'notice.accessDenied': 'Access denied.',
  'notice.wrongCode': {
    one: 'Access denied: that code is wrong. {count} attempt left for this one-time password.',
    other: 'Access denied: that code is wrong. {count} attempts left for this one-time password.',
  },
  'notice.lastAttempt':
    'Access denied: that code is wrong. This is your last attempt: after one more wrong code this one-time password stops working. Check the code in the email carefully.',
  'notice.deniedExpired': 'Access denied. The one-time password has expired. Request a new one.',
  'notice.deniedUsed': 'Access denied. That one-time password has already been used. Request a new one.',
  'notice.interval': {
    one: 'A new one-time password for this computer can be requested in {count} minute.',
    other: 'A new one-time password for this computer can be requested in {count} minutes.',
  },
  'notice.intervalResend': 'You can resend the one already sent.',
  'notice.intervalEmergency':
    'If you cannot wait, choose “I need emergency access to computer”: that request goes to the helpdesk, whatever the interval.',
  'notice.intervalOver': 'You can request a new one-time password now.',

  // ---- notices: what was typed ----
  'notice.emailMissing': 'Enter your email address.',
  'notice.emailInvalid': 'Enter a valid email address, like name@example.com.',
  'notice.reasonInvalid': 'The reason has invisible or control characters. Type it again without them.',
  'notice.loginMissing': 'Enter your login name.',
  'notice.passwordMissing': 'Enter your password.',
  'notice.otpFormat': 'Enter the {length}-digit one-time password from the email.',

  // ---- notices: locking again, verdicts ----
  'notice.relocked': 'This computer was locked again because {why}. Request a new one-time password to continue.',
  'notice.relockSent': 'This computer was locked again because {why}. A new one-time password has been sent to {email}.',
  'relock.windows-unlock': 'Windows was unlocked',
  'relock.reconnect': 'the session was connected again (remote desktop or at this computer)',
  'relock.resume': 'the computer woke from sleep',
  'notice.verdictKey': 'This computer does not know the Latchkey server’s key, or the server named a different one.',
  'notice.verdictSignature':
    'The unlock answer did not carry a valid signature from the Latchkey server: something between this computer and the server may have changed it.',
  'notice.verdictStaysLocked': 'This computer stays locked. Try again; if it happens again, tell your helpdesk (it has been reported).',
  'notice.decisionInvalid':
    'The server’s answer on whether this account must unlock was not validly signed, so this computer stays locked. Request a one-time password, or tell your helpdesk.',

  // ---- notices: the server's refusals ----
  'error.unknown': 'Something went wrong ({code}). Try again, or contact your helpdesk.',
  'error.access_denied': 'Access denied. The one-time password is wrong, has expired or was already used.',
  'error.invalid_credentials': 'The login name or password is wrong.',
  'error.login_locked': 'Too many failed sign-in attempts for this login. Try again later or use emergency access.',
  'error.method_not_allowed': 'That way of requesting a one-time password is not enabled any more. The form has been updated; try again.',
  'error.otp_not_allowed': 'One-time passwords are not allowed on this computer. Contact your administrator.',
  'error.directory_unavailable': 'The company directory cannot be reached right now. Try again in a moment, or use emergency access.',
  'error.directory_user_not_found': 'Your account was not found in the company directory. Use emergency access instead.',
  'error.directory_user_disabled': 'Your account is disabled in the company directory. Contact your helpdesk.',
  'error.directory_user_no_mail': 'Your directory account has no email address. Use emergency access instead.',
  'error.directory_user_ambiguous': 'More than one directory account matches yours. Use emergency access instead.',
  'error.directory_not_configured': 'No company directory is set up for Latchkey. Use emergency access instead.',
  'error.not_resendable': 'This one-time password can no longer be resent. Request a new one.',
  'error.rate_limited': 'Too many attempts. Wait a moment and try again.',
  'error.rateLimitedFor': {
    one: 'Too many attempts. Wait {count} second and try again.',
    other: 'Too many attempts. Wait {count} seconds and try again.',
  },
  'error.invalid_request': 'The server did not accept the request. Check the fields and try again.',
  'error.unauthorized': 'The server does not recognise this computer (its enrollment was refused). Contact your administrator.',
  'error.forbidden': 'The server refused this computer. Contact your administrator.',
  'error.os_user_mismatch': 'The server refused this Windows account on this computer. Contact your administrator.',
  'error.not_found': 'The server no longer knows that request. Request a new one-time password.',
  'error.not_pending': 'That request was decided meanwhile.',
  'error.bad_response': 'The server sent an answer this program does not understand. Contact your administrator.',
  'error.service_unavailable': 'The Latchkey server is busy. Try again in a moment.',
  'error.internal_error': 'The Latchkey server had a problem. Try again in a moment.',
  'error.account_not_linked':
    'This Windows account is not linked to your Management Tool login. Ask your administrator to link it, or use emergency access.',
  'error.email_domain_not_allowed': 'One-time passwords can only be sent to your work email address. Enter that address.',
  'error.too_many_open_requests': 'This computer already has as many requests waiting as allowed. Wait for the helpdesk, or call them.',
  'error.resend_limit': 'The one-time password was resent as often as allowed. Check your mailbox, including spam, or request a new one.',

  // ---- notices: offline unlock ----
  'notice.offlineFormat': 'Enter the 10-character response code the helpdesk read to you, like ABCDE-FGHJK.',
  'notice.offlineWrong': {
    one: 'That response code is not right. {count} attempt left for this challenge.',
    other: 'That response code is not right. {count} attempts left for this challenge.',
  },
  'notice.offlineBurnt': 'Too many wrong response codes: this challenge no longer works.',
  'notice.offlineWait': {
    one: 'A new challenge can be shown in {count} minute.',
    other: 'A new challenge can be shown in {count} minutes.',
  },
  'notice.offlineExpired': 'The challenge expired. A new challenge is shown: read it to the helpdesk again for a new response code.',
  'notice.offlineUnavailable': 'Offline unlock is not available on this computer. Contact your helpdesk.',
} as const;
