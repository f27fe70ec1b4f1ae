import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES } from '@latchkey/contracts';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('audit event types', () => {
  it('every audit type written in the server source is in the contract list (which the console has words for)', () => {
    const written = new Set<string>();
    for (const file of sources(SRC)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/'((?:[a-z_]+)\.(?:[a-z_]+))'/g)) {
        const name = match[1]!;
        // Only names in the audit namespaces; file names like 'x.js' and SQL aliases are not audit types.
        if (/^(access_request|admin|client|directory|internal_user|otp|session|settings|user|offline_unlock)\./.test(name))
          written.add(name);
      }
    }
    expect(written.size).toBeGreaterThan(20);
    const known = new Set<string>(AUDIT_EVENT_TYPES);
    expect([...written].filter((type) => !known.has(type))).toEqual([]);
  });
});
