// tsc does not copy the .sql migrations; the built server reads them next to its code.
import { cpSync } from 'node:fs';
cpSync(new URL('../src/db/migrations/', import.meta.url), new URL('../dist/db/migrations/', import.meta.url), { recursive: true });
