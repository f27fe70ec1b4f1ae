import { afterEach, describe, expect, it, vi } from 'vitest';
import { routes } from '@latchkey/contracts';
import { startServerProcess, type ServerProcess } from '@latchkey/test-support';

let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.destroy();
});

describe('server start', () => {
  it('prints the verdict-signing key and its fingerprint, the same the Management Tool shows, at every start', async () => {
    server = await startServerProcess();
    const admin = await server.login();
    const key = await server.api(admin)(routes.getServerKey, {});
    const line = `Verdict signing key (Ed25519) ${key.publicKey}, SHA-256 fingerprint ${key.fingerprint}`;
    await vi.waitFor(() => expect(server!.output.join('')).toContain(line), { timeout: 10_000 });
    server = await server.restart();
    await vi.waitFor(() => expect(server!.output.join('')).toContain(line), { timeout: 10_000 });
  });
});
