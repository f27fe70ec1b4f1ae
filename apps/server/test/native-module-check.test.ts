import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_ENTRY } from '@latchkey/test-support';

// Another Node on this machine whose native-module ABI differs from the one that built
// better-sqlite3 for this run (Debian's /usr/bin/node when the suite runs on Node 24).
function otherNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(candidate)) continue;
    const abi = execFileSync(candidate, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).trim();
    if (abi !== process.versions.modules) return candidate;
  }
  return undefined;
}

const node = otherNode();

describe('start on a Node the native modules were not built for', () => {
  it.skipIf(node === undefined)('prints one clear line naming the Node and writes nothing to the data dir', () => {
    const root = mkdtempSync(join(tmpdir(), 'latchkey-abi-'));
    const dataDir = join(root, 'data');
    try {
      const run = spawnSync(node!, [SERVER_ENTRY], {
        env: { PATH: process.env.PATH, LATCHKEY_DATA_DIR: dataDir, LATCHKEY_PORT: '0' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).not.toBe(0);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^latchkey: better-sqlite3 was built for Node \d+, this is Node [\d.]+; run `npm rebuild better-sqlite3`$/);
      expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
