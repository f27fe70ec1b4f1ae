import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.js';

type Env = Record<string, string | undefined>;

/** Reads a file a variable names; the error names the variable and the path, never the contents. */
export function readConfigFile(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(variable, `cannot read ${path} (${code})`);
  }
}

/** The secret variables that may instead be given as `<NAME>_FILE` (systemd credentials, container secrets). */
export const SECRET_VARIABLES = [
  'LATCHKEY_SMTP_URL',
  'LATCHKEY_SECRET',
  'LATCHKEY_ADMIN_PASSWORD',
  'LATCHKEY_ENROLLMENT_KEY',
  'LATCHKEY_METRICS_TOKEN',
  'LATCHKEY_LDAP_BIND_PASSWORD',
  'LATCHKEY_DATABASE_URL',
] as const;

/**
 * `name` itself, or the contents of the file `name_FILE` points to (only the one trailing line break
 * an editor adds is dropped). Both set, an unreadable file or an empty one stop the start.
 */
export function secretVariable(env: Env, name: string): string | undefined {
  const direct = env[name];
  const file = env[`${name}_FILE`]?.trim();
  if (!file) return direct || undefined;
  if (direct) throw new ConfigError(`${name}_FILE`, `cannot be set together with ${name}`);
  const value = readConfigFile(`${name}_FILE`, file).replace(/\r?\n$/, '');
  if (!value) throw new ConfigError(`${name}_FILE`, `names an empty file (${file})`);
  return value;
}

/** A copy of `env` with every `<secret>_FILE` read into `<secret>`, so the rest of the configuration sees one variable. */
export function withFileSecrets(env: Env): Env {
  const out: Env = { ...env };
  for (const name of SECRET_VARIABLES) {
    const value = secretVariable(env, name);
    delete out[`${name}_FILE`];
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return out;
}
