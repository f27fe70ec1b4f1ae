// tsc does not copy the .sql migrations; the built server reads them next to its code. The target
// is emptied first: a migration renamed in src must not survive in dist as a second one.
import { cpSync, rmSync } from 'node:fs';
const target = new URL('../dist/db/migrations/', import.meta.url);
rmSync(target, { recursive: true, force: true });
cpSync(new URL('../src/db/migrations/', import.meta.url), target, { recursive: true });
