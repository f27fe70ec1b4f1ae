; electron-builder nsis.include: runs inside the per-machine (elevated) installer.
;
;   Latchkey-Setup.exe /S /SERVER=https://latchkey.corp.example.com /KEY=<enrollment key> /SERVERKEY=<server key>
;
; /SERVERKEY= (optional, recommended) pins the server's verdict-signing key, as the Management Tool
; shows it under Settings: the Client then refuses any other key at enrollment and unlocks only on
; verdicts that key signed (docs/security.md, "Signed verdicts").
;
; writes %ProgramData%\Latchkey\client.json (readable by Users, writable by Administrators and
; SYSTEM only) and registers the logon task. The task XML comes from the installed program itself
; (task-xml.ts, unit-tested), so it names this installation's path.

!include "FileFunc.nsh"
!include "LogicLib.nsh"

!macro customInstall
  ReadEnvStr $R3 PROGRAMDATA
  ${If} $R3 == ""
    StrCpy $R3 "C:\ProgramData"
  ${EndIf}

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
      CreateDirectory "$R3\Latchkey"
      ClearErrors
      FileOpen $R4 "$R3\Latchkey\client.json" w
      ${IfNot} ${Errors}
        FileWrite $R4 '{"serverUrl":"$R1","enrollmentKey":"$R2"$R6}$\r$\n'
        FileClose $R4
      ${EndIf}
      ; Users read it (the lock runs as the user); only Administrators and SYSTEM change it.
      nsExec::ExecToLog 'icacls "$R3\Latchkey\client.json" /inheritance:r /grant:r *S-1-5-32-544:F *S-1-5-18:F *S-1-5-32-545:R'
      Pop $0
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
    RMDir "$R3\Latchkey"
  ${EndIf}
!macroend
