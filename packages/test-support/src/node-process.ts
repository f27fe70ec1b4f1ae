import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { freePort } from './free-port.js';

/** GET over HTTPS trusting `ca` (fetch takes no CA of its own). */
export function httpsStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, { ca }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

/**
 * Resolves once `url` answers 200; fails as soon as the process exits, or after `timeoutMs` (60 s by
 * default: a healthy server answers in about a second, but on a loaded 2-core CI machine a cold start
 * has taken more than 20 s, and waiting longer costs nothing when it is up).
 */
export async function waitForHealth(
  url: string,
  child: ChildProcess,
  output: string[],
  options: { tlsCa?: string; timeoutMs?: number } = {},
) {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${child.spawnfile} exited (${child.exitCode ?? child.signalCode}):\n${output.join('')}`);
    try {
      const status = options.tlsCa ? await httpsStatus(url, options.tlsCa) : (await fetch(url)).status;
      if (status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer 200:\n${output.join('')}`);
}

export interface NodeProcessOptions {
  /** The script `node` runs. */
  entry: string;
  /** The whole environment besides PATH: nothing of the test runner's own leaks in. */
  env: Record<string, string>;
  /** Path answered with 200 once the process is ready, e.g. `/api/v1/health`. */
  healthPath: string;
  /** Where the process listens; a free loopback port when left out (given to it as PORT and LATCHKEY_PORT). */
  port?: number;
  cwd?: string;
  nodeArgs?: string[];
  /** It speaks HTTPS with a certificate of this CA. */
  tlsCa?: string;
  startTimeoutMs?: number;
}

export interface NodeProcess {
  baseUrl: string;
  port: number;
  pid: number;
  /** What the process printed, stdout and stderr interleaved. */
  output: string[];
  running(): boolean;
  /** CPU seconds (user + system) the process has used so far, from /proc. */
  cpuSeconds(): number;
  /** SIGTERM, SIGKILL after `graceMs`, and wait for the exit. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL, no shutdown of any kind. */
  kill9(): Promise<void>;
}

/** `node entry` as its own process on a loopback port, once it answers its health path. */
export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  const port = options.port ?? (await freePort());
  const baseUrl = `${options.tlsCa ? 'https' : 'http'}://127.0.0.1:${port}`;
  const output: string[] = [];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry], {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    env: { PATH: process.env.PATH ?? '', PORT: String(port), LATCHKEY_PORT: String(port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForHealth(`${baseUrl}${options.healthPath}`, child, output, {
      ...(options.tlsCa ? { tlsCa: options.tlsCa } : {}),
      ...(options.startTimeoutMs ? { timeoutMs: options.startTimeoutMs } : {}),
    });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }

  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    baseUrl,
    port,
    pid: child.pid!,
    output,
    running,
    cpuSeconds() {
      try {
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        return NaN;
      }
    },
    async stop(graceMs = 10_000) {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill9() {
      if (!running()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Whether a process with this PID exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
