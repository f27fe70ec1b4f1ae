; electron-builder nsis.include: runs inside the per-machine (elevated) installer.
;
;   Latchkey-Setup.exe /S /SERVERURL=https://lk1.corp.example.com;https://lk2.corp.example.com /KEY=<enrollment key> /SERVERKEY=<server key>
;
; /SERVERURL= names the server, or several nodes of one deployment with ";" between them, tried in
; that order (server-failover.ts); /SERVER= is the older name for one server. /SERVERKEY= (optional,
; recommended) pins the server's verdict-signing key, as the Management Tool shows it under
; Settings: the Client then refuses any other key at enrollment and unlocks only on verdicts that
; key signed (docs/security.md, "Signed verdicts"); every node signs with the same key.
;
; Writes %ProgramData%\Latchkey\client.json (servers and enrollment key: SYSTEM and Administrators
; only, never Users) and enrolls this computer once with it (Latchkey.exe --enroll-machine:
; machine-token.json and machine-offline-key.json, SYSTEM and Administrators only too;
; machine-enrollment.ts). Then Latchkey.exe --install-machine (installer-steps.ts, unit-tested)
; restricts those files again, writes the two task documents for this installation's path and
; registers them: if any step fails, it removes the tasks it registered and the installer shows why
; and stops (exit code 2 when silent) instead of leaving a computer without its lock task or guard.

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
  ${GetOptions} $R0 "/SERVERURL=" $R1
  ${If} ${Errors}
    ClearErrors
    ${GetOptions} $R0 "/SERVER=" $R1
  ${EndIf}
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
    ; Enroll once, elevated: machine-token.json (servers and this computer's token) and
    ; machine-offline-key.json are the guard's (SYSTEM and Administrators only); it hands each user's
    ; lock a token and an offline key of that user's own. A computer enrolled by an older version has no key file: it enrolls again.
    ${IfNot} ${FileExists} "$R3\Latchkey\machine-offline-key.json"
      nsExec::ExecToLog '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --enroll-machine'
      Pop $0
      ${If} $0 != 0
        DetailPrint "Latchkey: enrolling this computer failed ($0). Once the server is reachable, run Latchkey.exe --enroll-machine as an administrator."
      ${EndIf}
    ${EndIf}
  ${EndIf}

  ; Protect the secrets, register the lock's and the guard's tasks and start the guard; on failure
  ; it has undone its tasks and written why to the result file: show it and stop.
  nsExec::ExecToLog '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --install-machine "$PLUGINSDIR\latchkey-install.txt"'
  Pop $0
  ${If} $0 != 0
    StrCpy $1 "Latchkey.exe --install-machine ended with $0."
    ClearErrors
    FileOpen $2 "$PLUGINSDIR\latchkey-install.txt" r
    ${IfNot} ${Errors}
      FileRead $2 $1
      FileClose $2
    ${EndIf}
    MessageBox MB_OK|MB_ICONSTOP "Latchkey could not protect this computer, so the installation stops.$\r$\n$\r$\n$1" /SD IDOK
    SetErrorLevel 2
    Abort "Latchkey: $1"
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
