import { afterAll, beforeAll } from 'vitest';
import { startServerProcess, type ServerProcess, type ServerProcessOptions } from './server-process.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';
import { standIn } from './stand-in.js';

export interface UseServerProcessOptions extends Omit<ServerProcessOptions, 'smtpUrl' | 'env'> {
  /** Also start an SMTP test server for the server to mail (`server.smtp`). */
  smtp?: boolean;
  /** Its environment, or a function read at the start, for values a `beforeAll` registered before this one makes (a slapd's address). */
  env?: Record<string, string> | (() => Record<string, string>);
}

export interface UsedServerProcess extends ServerProcess {
  /** The SMTP test server it mails; only with `smtp: true`. */
  readonly smtp: SmtpSink;
}

/**
 * The built server as a process for the whole file or describe block: started before its first
 * test, destroyed (with its temp data dir and SMTP server) after its last. `const server =
 * useServerProcess({ smtp: true })` at the top; `server` always stands for the current process, so
 * `await server.restart()` swaps it in place, as `useTestApp` does for the in-process app.
 * Vitest only: Playwright and the benchmark start theirs with `startServerProcess`.
 */
export function useServerProcess(options: UseServerProcessOptions = {}): UsedServerProcess {
  const { smtp: withSmtp, env, ...processOptions } = options;
  let smtp: SmtpSink | undefined;
  let current: ServerProcess | undefined;
  beforeAll(async () => {
    if (withSmtp) smtp = await startSmtpSink();
    current = await startServerProcess({
      ...processOptions,
      ...(env ? { env: typeof env === 'function' ? env() : env } : {}),
      ...(smtp ? { smtpUrl: smtp.url } : {}),
    });
  });
  afterAll(async () => {
    await current?.destroy();
    await smtp?.stop();
  });
  return standIn<ServerProcess, Pick<UsedServerProcess, 'smtp'>>(
    () => {
      if (!current) throw new Error('the server process exists only inside the tests of its block');
      return current;
    },
    (next) => (current = next),
    {
      smtp: () => {
        if (!smtp) throw new Error('useServerProcess: pass { smtp: true } for an SMTP test server');
        return smtp;
      },
    },
  );
}
