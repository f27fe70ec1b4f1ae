import { createSecureContext } from 'node:tls';
import { ConfigError } from './config-error.js';
import { readConfigFile } from './config-file.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface TlsMaterial {
  cert: string;
  key: string;
}

/**
 * Reads the PEM certificate (chain) and key and checks that they belong together, so a bad pair stops
 * the start or is refused on reload instead of failing handshakes later.
 */
export function readTls(files: TlsFiles): TlsMaterial {
  const cert = readConfigFile('LATCHKEY_TLS_CERT_FILE', files.certFile);
  const key = readConfigFile('LATCHKEY_TLS_KEY_FILE', files.keyFile);
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError('LATCHKEY_TLS_CERT_FILE', 'must hold a PEM certificate');
  if (!/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(key)) throw new ConfigError('LATCHKEY_TLS_KEY_FILE', 'must hold a PEM private key');
  try {
    createSecureContext({ cert, key });
  } catch {
    throw new ConfigError('LATCHKEY_TLS_KEY_FILE', 'does not match the certificate in LATCHKEY_TLS_CERT_FILE (or cannot be read as a key)');
  }
  return { cert, key };
}

/** Both variables or neither: one alone is a mistake, not "no TLS". */
export function parseTlsFiles(env: Record<string, string | undefined>): TlsFiles | undefined {
  const certFile = env.LATCHKEY_TLS_CERT_FILE?.trim();
  const keyFile = env.LATCHKEY_TLS_KEY_FILE?.trim();
  if (!certFile && !keyFile) return undefined;
  if (!certFile) throw new ConfigError('LATCHKEY_TLS_CERT_FILE', 'must be set together with LATCHKEY_TLS_KEY_FILE');
  if (!keyFile) throw new ConfigError('LATCHKEY_TLS_KEY_FILE', 'must be set together with LATCHKEY_TLS_CERT_FILE');
  const files = { certFile, keyFile };
  readTls(files);
  return files;
}
