import { createRequire } from 'node:module';

/**
 * Loads better-sqlite3's native addon before anything touches the data dir. An addon compiled for
 * another Node.js (ERR_DLOPEN_FAILED, "NODE_MODULE_VERSION 115 ... requires 137") would otherwise
 * fail only after secret.key and friends were written. Returns one clear line, or null when it loads.
 */
export function nativeModuleProblem(): string | null {
  const require = createRequire(import.meta.url);
  try {
    const Database = require('better-sqlite3') as new (file: string) => { close(): void };
    new Database(':memory:').close();
    return null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const built = /NODE_MODULE_VERSION (\d+)/.exec(message)?.[1];
    if (built === undefined) return `better-sqlite3 cannot be loaded (${message.split('\n')[0]}); run \`npm rebuild better-sqlite3\``;
    const forNode = NODE_FOR_ABI[Number(built)] ?? `ABI ${built}`;
    return `better-sqlite3 was built for Node ${forNode}, this is Node ${process.versions.node}; run \`npm rebuild better-sqlite3\``;
  }
}

/** process.versions.modules of each Node major the project has met. */
const NODE_FOR_ABI: Record<number, string> = { 115: '20', 127: '22', 131: '23', 137: '24', 141: '25', 147: '26' };
