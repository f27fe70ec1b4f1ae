; electron-builder nsis.include: runs inside the per-machine (elevated) installer.
;
;   Latchkey-Setup.exe /S /SERVER=https://latchkey.corp.example.com /KEY=<enrollment key> /SERVERKEY=<server key>
;
; /SERVERKEY= (optional, recommended) pins the server's verdict-signing key, as the Management Tool
; shows it under Settings: the Client then refuses any other key at enrollment and unlocks only on
; verdicts that key signed (docs/security.md, "Signed verdicts").
;
; writes %ProgramData%\Latchkey\client.json (server and enrollment key: SYSTEM and Administrators
; only, never Users), enrolls this computer once with it (Latchkey.exe --enroll-machine, which writes
; the protected copy machine-token.json that Users may read and machine-offline-key.json that they
; may not; machine-enrollment.ts), and registers the
; logon task. The ACLs are the ones in machine-enrollment.ts (packaging.test.ts checks they match).
; The task XML comes from the installed program itself (task-xml.ts, unit-tested), so it names this
; installation's path.

!include "FileFunc.nsh"
!include "LogicLib.nsh"

!macro customInstall
  ReadEnvStr $R3 PROGRAMDATA
  ${If} $R3 == ""
    StrCpy $R3 "C:\ProgramData"
  ${EndIf}

  ; Users may create folders in ProgramData: take the folder over before anything secret goes in.
  ; New files inherit SYSTEM and Administrators only; Users may list the folder, nothing more.
  CreateDirectory "$R3\Latchkey"
  nsExec::ExecToLog 'icacls "$R3\Latchkey" /setowner *S-1-5-32-544 /T /C'
  Pop $0
  nsExec::ExecToLog 'icacls "$R3\Latchkey" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:RX'
  Pop $0

  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/SERVER=" $R1
  ${IfNot} ${Errors}
    ClearErrors
    ${GetOptions} $R0 "/KEY=" $R2
    ${IfNot} ${Errors}
      ClearErrors
      ${GetOptions} $R0 "/SERVERKEY=" $R5
      ${If} ${Errors}
        StrCpy $R6 ""
      ${Else}
        StrCpy $R6 ',"serverPublicKey":"$R5"'
      ${EndIf}
      ClearErrors
      FileOpen $R4 "$R3\Latchkey\client.json" w
      ${IfNot} ${Errors}
        FileWrite $R4 '{"serverUrl":"$R1","enrollmentKey":"$R2"$R6}$\r$\n'
        FileClose $R4
      ${EndIf}
      ; A new server or key: enroll again below.
      Delete "$R3\Latchkey\machine-token.json"
      Delete "$R3\Latchkey\machine-offline-key.json"
    ${EndIf}
  ${EndIf}

  ${If} ${FileExists} "$R3\Latchkey\client.json"
    ; The enrollment key: SYSTEM and Administrators only (also for a client.json from an older
    ; version or from Group Policy). The lock, running as the user, never reads it.
    nsExec::ExecToLog 'icacls "$R3\Latchkey\client.json" /inheritance:r /grant:r *S-1-5-18:F *S-1-5-32-544:F'
    Pop $0
    ; Enroll once, elevated: machine-token.json (server and this computer's token) is for the lock,
    ; machine-offline-key.json (SYSTEM and Administrators only) for the guard, which hands each user
    ; their own offline key. A computer enrolled by an older version has no key file: it enrolls again.
    ${IfNot} ${FileExists} "$R3\Latchkey\machine-offline-key.json"
      nsExec::ExecToLog '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --enroll-machine'
      Pop $0
      ${If} $0 != 0
        DetailPrint "Latchkey: enrolling this computer failed ($0). Once the server is reachable, run Latchkey.exe --enroll-machine as an administrator."
      ${EndIf}
    ${EndIf}
  ${EndIf}

  ; Start the lock at every logon (Users group, interactive session, restart on failure).
  nsExec::ExecToLog '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --write-task-xml "$PLUGINSDIR\latchkey-task.xml"'
  Pop $0
  nsExec::ExecToLog 'schtasks.exe /Create /F /TN "Latchkey\Lock" /XML "$PLUGINSDIR\latchkey-task.xml"'
  Pop $0
  ${If} $0 != 0
    DetailPrint "Latchkey: schtasks /Create failed ($0); the lock will not start at logon."
  ${EndIf}

  ; The guard: the same program with --guard, as SYSTEM from boot; it brings back a lock that was
  ; ended before unlock and signs the session out if it cannot (docs/deployment.md).
  nsExec::ExecToLog '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --write-guard-task-xml "$PLUGINSDIR\latchkey-guard-task.xml"'
  Pop $0
  nsExec::ExecToLog 'schtasks.exe /Create /F /TN "Latchkey\Guard" /XML "$PLUGINSDIR\latchkey-guard-task.xml"'
  Pop $0
  ${If} $0 != 0
    DetailPrint "Latchkey: schtasks /Create failed ($0) for the guard; an ended lock comes back only by the logon task's restart."
  ${Else}
    nsExec::ExecToLog 'schtasks.exe /Run /TN "Latchkey\Guard"'
    Pop $0
  ${EndIf}
!macroend

!macro customUnInstall
  nsExec::ExecToLog 'schtasks.exe /End /TN "Latchkey\Guard"'
  Pop $0
  nsExec::ExecToLog 'schtasks.exe /Delete /F /TN "Latchkey\Guard"'
  Pop $0
  nsExec::ExecToLog 'schtasks.exe /Delete /F /TN "Latchkey\Lock"'
  Pop $0
  ; An upgrade runs the old uninstaller too: keep the machine configuration then.
  ${IfNot} ${isUpdated}
    ReadEnvStr $R3 PROGRAMDATA
    Delete "$R3\Latchkey\client.json"
    Delete "$R3\Latchkey\machine-token.json"
    Delete "$R3\Latchkey\machine-offline-key.json"
    RMDir /r "$R3\Latchkey\offline"
    RMDir "$R3\Latchkey"
  ${EndIf}
!macroend
