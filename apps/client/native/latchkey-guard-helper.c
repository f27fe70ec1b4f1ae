/*
 * latchkey-guard-helper.exe: the Win32 calls the Latchkey guard needs and Node cannot make
 * (apps/client/src/guard/windows-host.ts, `Win32Calls`). The guard (Latchkey.exe --guard, SYSTEM)
 * starts this program and speaks to it over stdin/stdout, one JSON object a line, ASCII only
 * (anything else is written as \uXXXX):
 *
 *   guard -> helper  {"id":N,"op":"sessions"}                      -> {"id":N,"ok":true,"sessions":[...]}
 *                    {"id":N,"op":"start","sessionId":S,"exe":"..","commandLine":".."} -> {"id":N,"ok":true,"pid":P}
 *                    {"id":N,"op":"terminate","pid":P}             -> {"id":N,"ok":true}
 *                    {"id":N,"op":"logoff","sessionId":S}          -> {"id":N,"ok":true}
 *                    {"id":N,"op":"pipe-listen"} / "pipe-stop"     -> {"id":N,"ok":true}
 *                    {"id":N,"op":"pipe-write","conn":C,"data":"<base64>"} / {"id":N,"op":"pipe-close","conn":C}
 *   a failure        {"id":N,"ok":false,"error":"<the call that failed>","code":<GetLastError>}
 *   helper -> guard  events, no id: ready, session {kind, sessionId}, exit {pid, code},
 *                    pipe-open {conn, pid, sessionId}, pipe-data {conn, data}, pipe-close {conn},
 *                    fatal {error, code} (then the helper exits).
 *
 * A line the helper cannot read is fatal: the guard is its only peer, so a broken line means a
 * broken guard, and the helper ends (the guard then fails closed). Every buffer has a fixed bound.
 * Build: apps/client/scripts/build-native.mjs (mingw-w64, static, -municode).
 */
#define WIN32_LEAN_AND_MEAN
#define _WIN32_WINNT 0x0A00
#ifndef UNICODE /* -municode defines them */
#define UNICODE
#endif
#ifndef _UNICODE
#define _UNICODE
#endif
#include <windows.h>
#include <wtsapi32.h>
#include <userenv.h>
#include <sddl.h>
#include <string.h>

#define MAX_REQUEST_LINE (64 * 1024)  /* a request line, newline excluded */
#define MAX_REPLY_LINE (1024 * 1024)  /* the sessions reply is the longest line */
#define MAX_EVENT_LINE 4096           /* every event but pipe-data */
#define PIPE_CHUNK (12 * 1024)        /* pipe bytes per pipe-data line (16 KiB of base64) */
#define MAX_CONNECTIONS 64
#define MAX_PROCESSES 64
#define MAX_NAME 257                  /* user and domain names, NUL included */
#define MAX_WIDE 32768                /* exe and command line (CreateProcess's own limit), NUL included */
#define WRITE_TIMEOUT_MS 5000         /* a pipe client that does not read loses its connection */

static const wchar_t PIPE_NAME[] = L"\\\\.\\pipe\\Latchkey.Guard";
/* SYSTEM and Administrators all; interactive users read and write; protected (no inheritance). */
static const wchar_t PIPE_SDDL[] = L"D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GRGW;;;IU)";

/* ------------------------------------------------------------------------------------------ */
/* Output: whole lines, one writer at a time                                                  */
/* ------------------------------------------------------------------------------------------ */

static HANDLE g_stdout;
static CRITICAL_SECTION g_out_lock;

typedef struct {
  char *p;
  size_t len, cap;
  BOOL failed; /* something did not fit: the line is not sent */
} Buf;

static void buf_init(Buf *b, size_t cap) {
  b->p = HeapAlloc(GetProcessHeap(), 0, cap);
  b->len = 0;
  b->cap = cap;
  b->failed = b->p == NULL;
}

static void buf_free(Buf *b) {
  if (b->p) HeapFree(GetProcessHeap(), 0, b->p);
  b->p = NULL;
}

static void buf_raw(Buf *b, const char *s, size_t n) {
  if (b->failed || n > b->cap - b->len) {
    b->failed = TRUE;
    return;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
}

static void buf_str(Buf *b, const char *s) { buf_raw(b, s, strlen(s)); }

static void buf_u64(Buf *b, unsigned long long v) {
  char t[24];
  int i = (int)sizeof t;
  do {
    t[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v && i > 0);
  buf_raw(b, t + i, sizeof t - (size_t)i);
}

/* A JSON string from UTF-16, ASCII only: quotes, backslashes and anything outside 0x20..0x7e escaped. */
static void buf_wstr(Buf *b, const wchar_t *s) {
  static const char hex[] = "0123456789abcdef";
  buf_raw(b, "\"", 1);
  for (; *s && !b->failed; s++) {
    unsigned c = (unsigned)*s;
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      buf_raw(b, e, 2);
    } else if (c >= 0x20 && c < 0x7f) {
      char ch = (char)c;
      buf_raw(b, &ch, 1);
    } else {
      char e[6] = {'\\', 'u', hex[(c >> 12) & 15], hex[(c >> 8) & 15], hex[(c >> 4) & 15], hex[c & 15]};
      buf_raw(b, e, 6);
    }
  }
  buf_raw(b, "\"", 1);
}

static void buf_base64(Buf *b, const unsigned char *data, size_t n) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  buf_raw(b, "\"", 1);
  for (size_t i = 0; i < n && !b->failed; i += 3) {
    unsigned v = (unsigned)data[i] << 16;
    if (i + 1 < n) v |= (unsigned)data[i + 1] << 8;
    if (i + 2 < n) v |= data[i + 2];
    char q[4] = {alphabet[(v >> 18) & 63], alphabet[(v >> 12) & 63], i + 1 < n ? alphabet[(v >> 6) & 63] : '=',
                 i + 2 < n ? alphabet[v & 63] : '='};
    buf_raw(b, q, 4);
  }
  buf_raw(b, "\"", 1);
}

/* Writes the line and frees the buffer. The guard gone (stdout closed) ends the helper. */
static void send_line(Buf *b) {
  buf_raw(b, "}\n", 2);
  if (b->failed) {
    /* Only an allocation failure gets here (every line's size is bounded below its buffer). */
    buf_free(b);
    ExitProcess(70);
  }
  EnterCriticalSection(&g_out_lock);
  size_t done = 0;
  while (done < b->len) {
    DWORD wrote = 0;
    DWORD chunk = (DWORD)(b->len - done > 0x10000 ? 0x10000 : b->len - done);
    if (!WriteFile(g_stdout, b->p + done, chunk, &wrote, NULL) || wrote == 0) ExitProcess(0);
    done += wrote;
  }
  LeaveCriticalSection(&g_out_lock);
  buf_free(b);
}

static void event_begin(Buf *b, const char *name, size_t cap) {
  buf_init(b, cap);
  buf_str(b, "{\"event\":\"");
  buf_str(b, name);
  buf_str(b, "\"");
}

static void reply_begin(Buf *b, unsigned long long id, size_t cap) {
  buf_init(b, cap);
  buf_str(b, "{\"id\":");
  buf_u64(b, id);
  buf_str(b, ",\"ok\":true");
}

static void reply_ok(unsigned long long id) {
  Buf b;
  reply_begin(&b, id, MAX_EVENT_LINE);
  send_line(&b);
}

/* `call` names the Win32 call (or the rule) that failed; `code` is its GetLastError. */
static void reply_error(unsigned long long id, const char *call, DWORD code) {
  Buf b;
  buf_init(&b, MAX_EVENT_LINE);
  buf_str(&b, "{\"id\":");
  buf_u64(&b, id);
  buf_str(&b, ",\"ok\":false,\"error\":\"");
  buf_str(&b, call);
  buf_str(&b, "\",\"code\":");
  buf_u64(&b, code);
  send_line(&b);
}

/* Says why and ends the helper: the guard sees it gone and fails closed. */
static void fatal(const char *what, DWORD code) {
  Buf b;
  event_begin(&b, "fatal", MAX_EVENT_LINE);
  buf_str(&b, ",\"error\":\"");
  buf_str(&b, what);
  buf_str(&b, "\",\"code\":");
  buf_u64(&b, code);
  send_line(&b);
  ExitProcess(3);
}

/* ------------------------------------------------------------------------------------------ */
/* Requests: one flat JSON object, ASCII, known keys only                                     */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  unsigned long long id;
  wchar_t op[32];
  unsigned long long session_id, pid, conn;
  BOOL has_id, has_op, has_session_id, has_pid, has_conn, has_exe, has_command_line, has_data;
} Request;

/* The string fields, too large for the stack; only the main thread parses. */
static wchar_t g_exe[MAX_WIDE];
static wchar_t g_command_line[MAX_WIDE];
static wchar_t g_data[MAX_REQUEST_LINE];

typedef struct {
  const char *p, *end;
} Cursor;

static void skip_ws(Cursor *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r')) c->p++;
}

static int hex_value(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* A JSON string into `out` (UTF-16, NUL-terminated, at most cap - 1 characters); no NUL inside. */
static BOOL parse_string(Cursor *c, wchar_t *out, size_t cap) {
  size_t n = 0;
  if (c->p >= c->end || *c->p != '"') return FALSE;
  c->p++;
  while (c->p < c->end) {
    unsigned char ch = (unsigned char)*c->p++;
    wchar_t w;
    if (ch == '"') {
      out[n] = 0;
      return TRUE;
    }
    if (ch < 0x20 || ch >= 0x7f) return FALSE;
    if (ch != '\\') {
      w = ch;
    } else {
      if (c->p >= c->end) return FALSE;
      ch = (unsigned char)*c->p++;
      switch (ch) {
        case '"': w = L'"'; break;
        case '\\': w = L'\\'; break;
        case '/': w = L'/'; break;
        case 'b': w = L'\b'; break;
        case 'f': w = L'\f'; break;
        case 'n': w = L'\n'; break;
        case 'r': w = L'\r'; break;
        case 't': w = L'\t'; break;
        case 'u': {
          unsigned v = 0;
          if (c->end - c->p < 4) return FALSE;
          for (int i = 0; i < 4; i++) {
            int h = hex_value(*c->p++);
            if (h < 0) return FALSE;
            v = (v << 4) | (unsigned)h;
          }
          if (v == 0) return FALSE;
          w = (wchar_t)v;
          break;
        }
        default: return FALSE;
      }
    }
    if (n + 1 >= cap) return FALSE;
    out[n++] = w;
  }
  return FALSE;
}

/* A non-negative integer below 2^53 (what JSON numbers carry exactly). */
static BOOL parse_uint(Cursor *c, unsigned long long *out) {
  unsigned long long v = 0;
  int digits = 0;
  while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
    if (++digits > 16) return FALSE;
    v = v * 10 + (unsigned long long)(*c->p++ - '0');
  }
  if (digits == 0 || v >= (1ULL << 53)) return FALSE;
  *out = v;
  return TRUE;
}

static BOOL parse_request(const char *line, size_t len, Request *r) {
  Cursor c = {line, line + len};
  memset(r, 0, sizeof *r);
  skip_ws(&c);
  if (c.p >= c.end || *c.p++ != '{') return FALSE;
  skip_ws(&c);
  if (c.p < c.end && *c.p == '}') return FALSE; /* no id, no op */
  for (;;) {
    wchar_t key[16];
    skip_ws(&c);
    if (!parse_string(&c, key, sizeof key / sizeof key[0])) return FALSE;
    skip_ws(&c);
    if (c.p >= c.end || *c.p++ != ':') return FALSE;
    skip_ws(&c);
    BOOL ok;
#define FIELD(name, flag, parse) \
  else if (wcscmp(key, name) == 0) { \
    if (r->flag) return FALSE; \
    r->flag = TRUE; \
    ok = parse; \
  }
    if (0) {
      ok = FALSE;
    }
    FIELD(L"id", has_id, parse_uint(&c, &r->id))
    FIELD(L"op", has_op, parse_string(&c, r->op, sizeof r->op / sizeof r->op[0]))
    FIELD(L"sessionId", has_session_id, parse_uint(&c, &r->session_id))
    FIELD(L"pid", has_pid, parse_uint(&c, &r->pid))
    FIELD(L"conn", has_conn, parse_uint(&c, &r->conn))
    FIELD(L"exe", has_exe, parse_string(&c, g_exe, MAX_WIDE))
    FIELD(L"commandLine", has_command_line, parse_string(&c, g_command_line, MAX_WIDE))
    FIELD(L"data", has_data, parse_string(&c, g_data, MAX_REQUEST_LINE))
    else return FALSE;
#undef FIELD
    if (!ok) return FALSE;
    skip_ws(&c);
    if (c.p >= c.end) return FALSE;
    if (*c.p == '}') break;
    if (*c.p++ != ',') return FALSE;
  }
  c.p++;
  skip_ws(&c);
  return c.p == c.end && r->has_id && r->has_op;
}

/* Base64 (with padding) into `out`; FALSE when it is not base64 or does not fit. */
static BOOL base64_decode(const wchar_t *in, unsigned char *out, size_t cap, size_t *n) {
  size_t len = wcslen(in), o = 0;
  if (len % 4 != 0) return FALSE;
  for (size_t i = 0; i < len; i += 4) {
    unsigned v = 0;
    int pad = 0;
    for (size_t j = 0; j < 4; j++) {
      wchar_t ch = in[i + j];
      int d;
      if (ch >= L'A' && ch <= L'Z') d = ch - L'A';
      else if (ch >= L'a' && ch <= L'z') d = ch - L'a' + 26;
      else if (ch >= L'0' && ch <= L'9') d = ch - L'0' + 52;
      else if (ch == L'+') d = 62;
      else if (ch == L'/') d = 63;
      else if (ch == L'=' && i + 4 == len && j >= 2) d = 0, pad++;
      else return FALSE;
      if (pad && ch != L'=') return FALSE;
      v = (v << 6) | (unsigned)d;
    }
    size_t take = 3 - (size_t)pad;
    if (o + take > cap) return FALSE;
    out[o++] = (unsigned char)(v >> 16);
    if (take > 1) out[o++] = (unsigned char)(v >> 8);
    if (take > 2) out[o++] = (unsigned char)v;
  }
  *n = o;
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* Sessions                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* WTSQuerySessionInformationW for a string; FALSE when it fails or is longer than MAX_NAME - 1. */
static BOOL query_session_string(DWORD session, WTS_INFO_CLASS what, wchar_t out[MAX_NAME]) {
  LPWSTR value = NULL;
  DWORD bytes = 0;
  if (!WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, session, what, &value, &bytes)) return FALSE;
  size_t len = wcsnlen(value, bytes / sizeof(wchar_t));
  BOOL fits = len < MAX_NAME;
  if (fits) {
    memcpy(out, value, len * sizeof(wchar_t));
    out[len] = 0;
  }
  WTSFreeMemory(value);
  if (!fits) SetLastError(ERROR_INSUFFICIENT_BUFFER);
  return fits;
}

/*
 * WTSEnumerateSessionsW(WTS_CURRENT_SERVER_HANDLE); WTSActive and WTSDisconnected sessions other
 * than 0, each with WTSQuerySessionInformationW(WTSUserName, WTSDomainName, WTSClientProtocolType).
 * A session without a user (the logon screen) is listed with "" and left to the guard.
 */
static void op_sessions(unsigned long long id) {
  WTS_SESSION_INFOW *list = NULL;
  DWORD count = 0;
  if (!WTSEnumerateSessionsW(WTS_CURRENT_SERVER_HANDLE, 0, 1, &list, &count)) {
    reply_error(id, "WTSEnumerateSessionsW", GetLastError());
    return;
  }
  Buf b;
  reply_begin(&b, id, MAX_REPLY_LINE);
  buf_str(&b, ",\"sessions\":[");
  BOOL first = TRUE;
  for (DWORD i = 0; i < count; i++) {
    const WTS_SESSION_INFOW *s = &list[i];
    if (s->SessionId == 0 || (s->State != WTSActive && s->State != WTSDisconnected)) continue;
    wchar_t user[MAX_NAME], domain[MAX_NAME];
    USHORT *protocol = NULL;
    DWORD bytes = 0;
    if (!query_session_string(s->SessionId, WTSUserName, user) || !query_session_string(s->SessionId, WTSDomainName, domain)) {
      DWORD code = GetLastError();
      buf_free(&b);
      WTSFreeMemory(list);
      reply_error(id, "WTSQuerySessionInformationW", code);
      return;
    }
    if (!WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, s->SessionId, WTSClientProtocolType, (LPWSTR *)&protocol, &bytes) ||
        bytes < sizeof(USHORT)) {
      DWORD code = GetLastError();
      if (protocol) WTSFreeMemory(protocol);
      buf_free(&b);
      WTSFreeMemory(list);
      reply_error(id, "WTSQuerySessionInformationW", code);
      return;
    }
    buf_str(&b, first ? "{\"sessionId\":" : ",{\"sessionId\":");
    first = FALSE;
    buf_u64(&b, s->SessionId);
    buf_str(&b, ",\"user\":");
    buf_wstr(&b, user);
    buf_str(&b, ",\"domain\":");
    buf_wstr(&b, domain);
    buf_str(&b, ",\"protocol\":");
    buf_u64(&b, *protocol);
    buf_str(&b, "}");
    WTSFreeMemory(protocol);
  }
  WTSFreeMemory(list);
  buf_str(&b, "]");
  if (b.failed) {
    buf_free(&b);
    reply_error(id, "too many sessions", ERROR_INSUFFICIENT_BUFFER);
    return;
  }
  send_line(&b);
}

/* WTSLogoffSession(WTS_CURRENT_SERVER_HANDLE, sessionId, FALSE): asynchronous, as the guard wants. */
static void op_logoff(const Request *r) {
  if (!r->has_session_id || r->session_id > MAXDWORD) {
    reply_error(r->id, "sessionId", ERROR_INVALID_PARAMETER);
    return;
  }
  if (!WTSLogoffSession(WTS_CURRENT_SERVER_HANDLE, (DWORD)r->session_id, FALSE)) {
    reply_error(r->id, "WTSLogoffSession", GetLastError());
    return;
  }
  reply_ok(r->id);
}

/* ------------------------------------------------------------------------------------------ */
/* Session notifications: a message-only window on its own thread                              */
/* ------------------------------------------------------------------------------------------ */

static HANDLE g_notify_ready; /* set once the window is registered for both notifications */

static void send_session_event(const char *kind, BOOL with_session, DWORD session) {
  Buf b;
  event_begin(&b, "session", MAX_EVENT_LINE);
  buf_str(&b, ",\"kind\":\"");
  buf_str(&b, kind);
  buf_str(&b, "\"");
  if (with_session) {
    buf_str(&b, ",\"sessionId\":");
    buf_u64(&b, session);
  }
  send_line(&b);
}

/*
 * WM_WTSSESSION_CHANGE (WTSRegisterSessionNotification, NOTIFY_FOR_ALL_SESSIONS): WTS_SESSION_LOGON,
 * _LOGOFF, _LOCK, _UNLOCK, WTS_REMOTE_CONNECT, WTS_CONSOLE_CONNECT with the session id in lParam.
 * WM_POWERBROADCAST PBT_APMRESUMEAUTOMATIC (RegisterSuspendResumeNotification: a message-only
 * window gets no broadcasts, so it asks for this one by name).
 */
static LRESULT CALLBACK notify_window_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp) {
  if (msg == WM_WTSSESSION_CHANGE) {
    const char *kind = NULL;
    switch (wp) {
      case WTS_SESSION_LOGON: kind = "logon"; break;
      case WTS_SESSION_LOGOFF: kind = "logoff"; break;
      case WTS_SESSION_LOCK: kind = "lock"; break;
      case WTS_SESSION_UNLOCK: kind = "unlock"; break;
      case WTS_REMOTE_CONNECT: kind = "remote-connect"; break;
      case WTS_CONSOLE_CONNECT: kind = "console-connect"; break;
      default: break;
    }
    if (kind) send_session_event(kind, TRUE, (DWORD)lp);
    return 0;
  }
  if (msg == WM_POWERBROADCAST) {
    if (wp == PBT_APMRESUMEAUTOMATIC) send_session_event("resume", FALSE, 0);
    return TRUE;
  }
  return DefWindowProcW(hwnd, msg, wp, lp);
}

/*
 * RegisterClassExW + CreateWindowExW(HWND_MESSAGE), WTSRegisterSessionNotification(hwnd,
 * NOTIFY_FOR_ALL_SESSIONS), RegisterSuspendResumeNotification(hwnd, DEVICE_NOTIFY_WINDOW_HANDLE),
 * then GetMessageW/DispatchMessageW for as long as the helper runs. Early at boot the session
 * service may not answer yet (RPC_S_INVALID_BINDING): it is asked again for up to a minute.
 */
static DWORD WINAPI notify_thread(LPVOID unused) {
  (void)unused;
  HINSTANCE instance = GetModuleHandleW(NULL);
  WNDCLASSEXW wc;
  memset(&wc, 0, sizeof wc);
  wc.cbSize = sizeof wc;
  wc.lpfnWndProc = notify_window_proc;
  wc.hInstance = instance;
  wc.lpszClassName = L"LatchkeyGuardHelper";
  if (!RegisterClassExW(&wc)) fatal("RegisterClassExW", GetLastError());
  HWND hwnd = CreateWindowExW(0, wc.lpszClassName, L"", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, instance, NULL);
  if (!hwnd) fatal("CreateWindowExW", GetLastError());
  BOOL registered = FALSE;
  for (int attempt = 0; attempt < 60 && !registered; attempt++) {
    registered = WTSRegisterSessionNotification(hwnd, NOTIFY_FOR_ALL_SESSIONS);
    if (!registered && GetLastError() != RPC_S_INVALID_BINDING) break;
    if (!registered) Sleep(1000);
  }
  if (!registered) fatal("WTSRegisterSessionNotification", GetLastError());
  HPOWERNOTIFY power = RegisterSuspendResumeNotification(hwnd, DEVICE_NOTIFY_WINDOW_HANDLE);
  if (!power) fatal("RegisterSuspendResumeNotification", GetLastError());
  SetEvent(g_notify_ready);
  MSG msg;
  while (GetMessageW(&msg, NULL, 0, 0) > 0) DispatchMessageW(&msg);
  UnregisterSuspendResumeNotification(power);
  WTSUnRegisterSessionNotification(hwnd);
  DestroyWindow(hwnd);
  return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Processes started as a session's user, held by their handle                                 */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  BOOL in_use;
  DWORD pid;
  HANDLE process; /* held until the exit is reported: the pid cannot be reused meanwhile */
  HANDLE wait;
} Process;

static Process g_processes[MAX_PROCESSES];
static CRITICAL_SECTION g_process_lock;

/* RegisterWaitForSingleObject's callback: GetExitCodeProcess, the exit event, then the handle closed. */
static VOID CALLBACK on_process_exit(PVOID context, BOOLEAN timed_out) {
  (void)timed_out;
  Process *p = context;
  EnterCriticalSection(&g_process_lock);
  DWORD code = 0;
  if (!GetExitCodeProcess(p->process, &code)) code = 0;
  Buf b;
  event_begin(&b, "exit", MAX_EVENT_LINE);
  buf_str(&b, ",\"pid\":");
  buf_u64(&b, p->pid);
  buf_str(&b, ",\"code\":");
  buf_u64(&b, code);
  send_line(&b);
  /* From inside its own callback UnregisterWait does not block; it frees the wait once we return. */
  UnregisterWait(p->wait);
  CloseHandle(p->process);
  memset(p, 0, sizeof *p);
  LeaveCriticalSection(&g_process_lock);
}

/*
 * WTSQueryUserToken(sessionId) → DuplicateTokenEx(TokenPrimary) → CreateEnvironmentBlock →
 * CreateProcessAsUserW(exe, commandLine, lpDesktop L"winsta0\\default", CREATE_UNICODE_ENVIRONMENT);
 * the process HANDLE is kept and RegisterWaitForSingleObject reports its end. The reply is written
 * under the process lock, so the guard always hears {pid} before that pid's exit.
 */
static void op_start(const Request *r) {
  if (!r->has_session_id || r->session_id > MAXDWORD || !r->has_exe || !r->has_command_line) {
    reply_error(r->id, "sessionId, exe and commandLine", ERROR_INVALID_PARAMETER);
    return;
  }
  HANDLE user_token = NULL, primary = NULL;
  void *environment = NULL;
  PROCESS_INFORMATION pi;
  memset(&pi, 0, sizeof pi);
  const char *failed = NULL;
  DWORD code = 0;

  EnterCriticalSection(&g_process_lock);
  Process *slot = NULL;
  for (int i = 0; i < MAX_PROCESSES && !slot; i++)
    if (!g_processes[i].in_use) slot = &g_processes[i];
  if (!slot) {
    failed = "too many processes";
    code = ERROR_TOO_MANY_TCBS;
  } else if (!WTSQueryUserToken((ULONG)r->session_id, &user_token)) {
    failed = "WTSQueryUserToken";
  } else if (!DuplicateTokenEx(user_token, MAXIMUM_ALLOWED, NULL, SecurityIdentification, TokenPrimary, &primary)) {
    failed = "DuplicateTokenEx";
  } else if (!CreateEnvironmentBlock(&environment, primary, FALSE)) {
    failed = "CreateEnvironmentBlock";
  } else {
    STARTUPINFOW si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.lpDesktop = L"winsta0\\default";
    /* lpCommandLine must be writable; g_command_line is ours until the next request. */
    if (!CreateProcessAsUserW(primary, g_exe, g_command_line, NULL, NULL, FALSE, CREATE_UNICODE_ENVIRONMENT, environment, NULL, &si, &pi)) {
      failed = "CreateProcessAsUserW";
    } else {
      CloseHandle(pi.hThread);
      slot->in_use = TRUE;
      slot->pid = pi.dwProcessId;
      slot->process = pi.hProcess;
      if (!RegisterWaitForSingleObject(&slot->wait, pi.hProcess, on_process_exit, slot, INFINITE, WT_EXECUTEONLYONCE)) {
        /* Without a wait its end would go unseen: end it rather than hold a lock nobody watches. */
        failed = "RegisterWaitForSingleObject";
        code = GetLastError();
        TerminateProcess(pi.hProcess, 1);
        CloseHandle(pi.hProcess);
        memset(slot, 0, sizeof *slot);
      }
    }
  }
  if (failed && code == 0) code = GetLastError();
  if (failed) {
    reply_error(r->id, failed, code);
  } else {
    Buf b;
    reply_begin(&b, r->id, MAX_EVENT_LINE);
    buf_str(&b, ",\"pid\":");
    buf_u64(&b, pi.dwProcessId);
    send_line(&b);
  }
  LeaveCriticalSection(&g_process_lock);
  if (environment) DestroyEnvironmentBlock(environment);
  if (primary) CloseHandle(primary);
  if (user_token) CloseHandle(user_token);
}

/* TerminateProcess on the handle kept by op_start; the exit event follows from the wait. */
static void op_terminate(const Request *r) {
  if (!r->has_pid) {
    reply_error(r->id, "pid", ERROR_INVALID_PARAMETER);
    return;
  }
  EnterCriticalSection(&g_process_lock);
  Process *p = NULL;
  for (int i = 0; i < MAX_PROCESSES && !p; i++)
    if (g_processes[i].in_use && g_processes[i].pid == r->pid) p = &g_processes[i];
  if (!p) reply_error(r->id, "not a process this helper started", ERROR_NOT_FOUND);
  else if (!TerminateProcess(p->process, 1)) reply_error(r->id, "TerminateProcess", GetLastError());
  else reply_ok(r->id);
  LeaveCriticalSection(&g_process_lock);
}

/* ------------------------------------------------------------------------------------------ */
/* The pipe, relayed over stdio                                                               */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  BOOL in_use;
  unsigned long long id; /* never reused, so a late request cannot reach a newer connection */
  HANDLE pipe;           /* closed only by the connection's reader thread; NULL once closed */
  HANDLE write_event;
  CRITICAL_SECTION io;   /* held by a writer, and by the reader while it closes the pipe */
} Connection;

/* Lock order: g_conn_lock, then a connection's io; never the other way round. */
static Connection g_conns[MAX_CONNECTIONS];
static CRITICAL_SECTION g_conn_lock;
static unsigned long long g_next_conn;
static SECURITY_ATTRIBUTES g_pipe_sa;
static HANDLE g_pipe_stop, g_pipe_thread;
static HANDLE g_first_instance;

/* CreateNamedPipeW with the DACL above; the first instance with FILE_FLAG_FIRST_PIPE_INSTANCE. */
static HANDLE create_pipe_instance(BOOL first) {
  return CreateNamedPipeW(PIPE_NAME, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
                          PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, PIPE_UNLIMITED_INSTANCES,
                          PIPE_CHUNK, PIPE_CHUNK, 0, &g_pipe_sa);
}

static void send_conn_event(const char *name, unsigned long long conn) {
  Buf b;
  event_begin(&b, name, MAX_EVENT_LINE);
  buf_str(&b, ",\"conn\":");
  buf_u64(&b, conn);
  send_line(&b);
}

/* One per connection: overlapped ReadFile until the client goes or the guard closes it (CancelIoEx). */
static DWORD WINAPI connection_reader(LPVOID context) {
  Connection *c = context;
  unsigned long long id = c->id;
  HANDLE pipe = c->pipe;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof ov);
  ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
  unsigned char *chunk = HeapAlloc(GetProcessHeap(), 0, PIPE_CHUNK);
  while (ov.hEvent && chunk) {
    DWORD n = 0;
    ResetEvent(ov.hEvent);
    BOOL ok = ReadFile(pipe, chunk, PIPE_CHUNK, NULL, &ov);
    if (ok || GetLastError() == ERROR_IO_PENDING) ok = GetOverlappedResult(pipe, &ov, &n, TRUE);
    if (!ok) break;
    if (n == 0) continue;
    Buf b;
    event_begin(&b, "pipe-data", 64 + (PIPE_CHUNK / 3 + 1) * 4);
    buf_str(&b, ",\"conn\":");
    buf_u64(&b, id);
    buf_str(&b, ",\"data\":");
    buf_base64(&b, chunk, n);
    send_line(&b);
  }
  if (chunk) HeapFree(GetProcessHeap(), 0, chunk);
  if (ov.hEvent) CloseHandle(ov.hEvent);
  /* Wait for a writer to finish, then close: DisconnectNamedPipe, CloseHandle. */
  EnterCriticalSection(&c->io);
  DisconnectNamedPipe(pipe);
  CloseHandle(pipe);
  CloseHandle(c->write_event);
  c->pipe = NULL;
  c->write_event = NULL;
  LeaveCriticalSection(&c->io);
  EnterCriticalSection(&g_conn_lock);
  c->in_use = FALSE;
  LeaveCriticalSection(&g_conn_lock);
  send_conn_event("pipe-close", id);
  return 0;
}

/*
 * A connected instance: GetNamedPipeClientProcessId and GetNamedPipeClientSessionId, then a
 * connection slot and its reader thread. No slot (MAX_CONNECTIONS) or no caller: disconnected.
 */
static void accept_client(HANDLE pipe) {
  ULONG pid = 0, session = 0;
  Connection *c = NULL;
  if (GetNamedPipeClientProcessId(pipe, &pid) && GetNamedPipeClientSessionId(pipe, &session)) {
    EnterCriticalSection(&g_conn_lock);
    for (int i = 0; i < MAX_CONNECTIONS && !c; i++)
      if (!g_conns[i].in_use) c = &g_conns[i];
    if (c) {
      HANDLE write_event = CreateEventW(NULL, TRUE, FALSE, NULL);
      if (!write_event) {
        c = NULL;
      } else {
        EnterCriticalSection(&c->io);
        c->in_use = TRUE;
        c->id = ++g_next_conn;
        c->pipe = pipe;
        c->write_event = write_event;
        LeaveCriticalSection(&c->io);
        Buf b;
        event_begin(&b, "pipe-open", MAX_EVENT_LINE);
        buf_str(&b, ",\"conn\":");
        buf_u64(&b, c->id);
        buf_str(&b, ",\"pid\":");
        buf_u64(&b, pid);
        buf_str(&b, ",\"sessionId\":");
        buf_u64(&b, session);
        send_line(&b);
        HANDLE reader = CreateThread(NULL, 0, connection_reader, c, 0, NULL);
        if (reader) {
          CloseHandle(reader);
        } else {
          unsigned long long id = c->id;
          CloseHandle(write_event);
          c->id = 0;
          c->pipe = NULL;
          c->write_event = NULL;
          c->in_use = FALSE;
          c = NULL;
          send_conn_event("pipe-close", id);
        }
      }
    }
    LeaveCriticalSection(&g_conn_lock);
  }
  if (!c) {
    DisconnectNamedPipe(pipe);
    CloseHandle(pipe);
  }
}

/* ConnectNamedPipe (overlapped) on one waiting instance at a time, until pipe-stop. */
static DWORD WINAPI pipe_thread(LPVOID unused) {
  (void)unused;
  HANDLE listening = g_first_instance;
  OVERLAPPED ov;
  memset(&ov, 0, sizeof ov);
  ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
  if (!ov.hEvent) fatal("CreateEventW", GetLastError());
  for (;;) {
    DWORD n = 0;
    ResetEvent(ov.hEvent);
    BOOL connected = ConnectNamedPipe(listening, &ov);
    DWORD err = connected ? 0 : GetLastError();
    if (err == ERROR_IO_PENDING) {
      HANDLE waits[2] = {ov.hEvent, g_pipe_stop};
      if (WaitForMultipleObjects(2, waits, FALSE, INFINITE) != WAIT_OBJECT_0) {
        CancelIoEx(listening, &ov);
        GetOverlappedResult(listening, &ov, &n, TRUE);
        break;
      }
      connected = GetOverlappedResult(listening, &ov, &n, FALSE);
    } else if (err == ERROR_PIPE_CONNECTED) {
      connected = TRUE;
    }
    if (connected) {
      accept_client(listening);
    } else {
      DisconnectNamedPipe(listening);
      CloseHandle(listening);
    }
    listening = create_pipe_instance(FALSE);
    if (listening == INVALID_HANDLE_VALUE) fatal("CreateNamedPipeW", GetLastError());
  }
  CloseHandle(listening);
  CloseHandle(ov.hEvent);
  return 0;
}

/*
 * ConvertStringSecurityDescriptorToSecurityDescriptorW(PIPE_SDDL), the first instance created here
 * so that a name squatted by someone else fails this request (ERROR_ACCESS_DENIED or
 * ERROR_PIPE_BUSY) and the guard stops, then the accepting thread.
 */
static void op_pipe_listen(unsigned long long id) {
  if (g_pipe_thread) {
    reply_error(id, "pipe already served", ERROR_ALREADY_EXISTS);
    return;
  }
  if (!g_pipe_sa.lpSecurityDescriptor) {
    PSECURITY_DESCRIPTOR sd = NULL;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(PIPE_SDDL, SDDL_REVISION_1, &sd, NULL)) {
      reply_error(id, "ConvertStringSecurityDescriptorToSecurityDescriptorW", GetLastError());
      return;
    }
    g_pipe_sa.nLength = sizeof g_pipe_sa;
    g_pipe_sa.lpSecurityDescriptor = sd; /* kept for every later instance; freed with the process */
    g_pipe_sa.bInheritHandle = FALSE;
  }
  g_first_instance = create_pipe_instance(TRUE);
  if (g_first_instance == INVALID_HANDLE_VALUE) {
    g_first_instance = NULL;
    reply_error(id, "CreateNamedPipeW", GetLastError());
    return;
  }
  g_pipe_thread = CreateThread(NULL, 0, pipe_thread, NULL, 0, NULL);
  if (!g_pipe_thread) {
    DWORD code = GetLastError();
    CloseHandle(g_first_instance);
    g_first_instance = NULL;
    reply_error(id, "CreateThread", code);
    return;
  }
  reply_ok(id);
}

/* Finds a live connection and enters its io lock; NULL when it is gone. */
static Connection *enter_connection(unsigned long long id) {
  Connection *found = NULL;
  EnterCriticalSection(&g_conn_lock);
  for (int i = 0; i < MAX_CONNECTIONS && !found; i++) {
    Connection *c = &g_conns[i];
    if (c->in_use && c->id == id) {
      EnterCriticalSection(&c->io);
      if (c->pipe) found = c;
      else LeaveCriticalSection(&c->io);
    }
  }
  LeaveCriticalSection(&g_conn_lock);
  return found;
}

/* Ends a connection: CancelIoEx wakes its reader, which disconnects, closes and says pipe-close. */
static void close_connection_locked(Connection *c) { CancelIoEx(c->pipe, NULL); }

/* Stops accepting (the stop event, then the thread's end) and closes every connection. */
static void op_pipe_stop(unsigned long long id) {
  if (g_pipe_thread) {
    SetEvent(g_pipe_stop);
    WaitForSingleObject(g_pipe_thread, INFINITE);
    CloseHandle(g_pipe_thread);
    g_pipe_thread = NULL;
    ResetEvent(g_pipe_stop);
  }
  EnterCriticalSection(&g_conn_lock);
  for (int i = 0; i < MAX_CONNECTIONS; i++) {
    Connection *c = &g_conns[i];
    if (!c->in_use) continue;
    EnterCriticalSection(&c->io);
    if (c->pipe) close_connection_locked(c);
    LeaveCriticalSection(&c->io);
  }
  LeaveCriticalSection(&g_conn_lock);
  reply_ok(id);
}

/* Overlapped WriteFile of the decoded bytes, bounded by WRITE_TIMEOUT_MS (then CancelIoEx and close). */
static void op_pipe_write(const Request *r) {
  static unsigned char bytes[MAX_REQUEST_LINE / 4 * 3];
  size_t n = 0;
  if (!r->has_conn || !r->has_data || !base64_decode(g_data, bytes, sizeof bytes, &n)) {
    reply_error(r->id, "conn and base64 data", ERROR_INVALID_PARAMETER);
    return;
  }
  Connection *c = enter_connection(r->conn);
  if (!c) {
    reply_error(r->id, "connection closed", ERROR_PIPE_NOT_CONNECTED);
    return;
  }
  OVERLAPPED ov;
  memset(&ov, 0, sizeof ov);
  ov.hEvent = c->write_event;
  ResetEvent(ov.hEvent);
  DWORD wrote = 0, code = 0;
  BOOL ok = WriteFile(c->pipe, bytes, (DWORD)n, NULL, &ov);
  if (!ok && GetLastError() == ERROR_IO_PENDING) {
    if (WaitForSingleObject(ov.hEvent, WRITE_TIMEOUT_MS) != WAIT_OBJECT_0) {
      CancelIoEx(c->pipe, &ov);
      GetOverlappedResult(c->pipe, &ov, &wrote, TRUE);
      SetLastError(WAIT_TIMEOUT);
      ok = FALSE;
    } else {
      ok = GetOverlappedResult(c->pipe, &ov, &wrote, FALSE);
    }
  } else if (ok) {
    ok = GetOverlappedResult(c->pipe, &ov, &wrote, FALSE);
  }
  if (ok && wrote != n) {
    ok = FALSE;
    SetLastError(ERROR_WRITE_FAULT);
  }
  if (!ok) {
    code = GetLastError();
    close_connection_locked(c);
  }
  LeaveCriticalSection(&c->io);
  if (ok) reply_ok(r->id);
  else reply_error(r->id, "WriteFile", code);
}

static void op_pipe_close(const Request *r) {
  Connection *c = r->has_conn ? enter_connection(r->conn) : NULL;
  if (c) {
    close_connection_locked(c);
    LeaveCriticalSection(&c->io);
  }
  reply_ok(r->id); /* closing a closed connection is done already */
}

/* ------------------------------------------------------------------------------------------ */
/* Main: stdin lines, one request each, in order                                              */
/* ------------------------------------------------------------------------------------------ */

static void handle_line(const char *line, size_t len) {
  Request r;
  if (!parse_request(line, len, &r)) fatal("malformed request", ERROR_INVALID_DATA);
  if (wcscmp(r.op, L"sessions") == 0) op_sessions(r.id);
  else if (wcscmp(r.op, L"start") == 0) op_start(&r);
  else if (wcscmp(r.op, L"terminate") == 0) op_terminate(&r);
  else if (wcscmp(r.op, L"logoff") == 0) op_logoff(&r);
  else if (wcscmp(r.op, L"pipe-listen") == 0) op_pipe_listen(r.id);
  else if (wcscmp(r.op, L"pipe-stop") == 0) op_pipe_stop(r.id);
  else if (wcscmp(r.op, L"pipe-write") == 0) op_pipe_write(&r);
  else if (wcscmp(r.op, L"pipe-close") == 0) op_pipe_close(&r);
  else reply_error(r.id, "unknown op", ERROR_INVALID_FUNCTION);
}

int wmain(void) {
  static char line[MAX_REQUEST_LINE + 1];
  size_t len = 0;
  g_stdout = GetStdHandle(STD_OUTPUT_HANDLE);
  HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  if (g_stdout == INVALID_HANDLE_VALUE || in == INVALID_HANDLE_VALUE || !g_stdout || !in) return 2;
  InitializeCriticalSection(&g_out_lock);
  InitializeCriticalSection(&g_process_lock);
  InitializeCriticalSection(&g_conn_lock);
  for (int i = 0; i < MAX_CONNECTIONS; i++) InitializeCriticalSection(&g_conns[i].io);
  g_pipe_stop = CreateEventW(NULL, TRUE, FALSE, NULL);
  g_notify_ready = CreateEventW(NULL, TRUE, FALSE, NULL);
  if (!g_pipe_stop || !g_notify_ready) fatal("CreateEventW", GetLastError());
  HANDLE notifier = CreateThread(NULL, 0, notify_thread, NULL, 0, NULL);
  if (!notifier) fatal("CreateThread", GetLastError());
  /* The notifier ends the process itself when it cannot register; ready means it listens. */
  HANDLE waits[2] = {g_notify_ready, notifier};
  if (WaitForMultipleObjects(2, waits, FALSE, INFINITE) != WAIT_OBJECT_0) fatal("session notifications", ERROR_INVALID_STATE);
  CloseHandle(notifier);
  CloseHandle(g_notify_ready);
  {
    Buf b;
    event_begin(&b, "ready", MAX_EVENT_LINE);
    send_line(&b);
  }

  for (;;) {
    char chunk[4096];
    DWORD got = 0;
    /* EOF or a broken pipe: the guard is gone. Its locks keep running; the helper ends. */
    if (!ReadFile(in, chunk, sizeof chunk, &got, NULL) || got == 0) break;
    for (DWORD i = 0; i < got; i++) {
      if (chunk[i] == '\n') {
        handle_line(line, len);
        len = 0;
      } else if (len < MAX_REQUEST_LINE) {
        line[len++] = chunk[i];
      } else {
        fatal("request line too long", ERROR_INSUFFICIENT_BUFFER);
      }
    }
  }
  if (g_pipe_thread) {
    SetEvent(g_pipe_stop);
    WaitForSingleObject(g_pipe_thread, 5000);
    CloseHandle(g_pipe_thread);
  }
  if (g_pipe_sa.lpSecurityDescriptor) LocalFree(g_pipe_sa.lpSecurityDescriptor);
  CloseHandle(g_pipe_stop);
  return 0;
}
