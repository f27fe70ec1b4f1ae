import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type RouteDescriptor } from '@latchkey/contracts';
import { buildTestApp, bearer, type TestApp } from '../helper.js';

let t: TestApp;
let clientToken: string;
beforeAll(async () => {
  t = await buildTestApp();
  clientToken = (await t.enroll()).clientToken;
});
afterAll(async () => t.destroy());

// Everything here goes unchecked (`t.send`, or the raw text by `t.app.inject`): the bodies are what the schema refuses.
const post = (route: RouteDescriptor, body: unknown) => t.send(route, { token: clientToken, body });
const postRaw = (route: RouteDescriptor, payload: string) =>
  t.app.inject({ method: route.method, url: route.url, headers: { ...bearer(clientToken), 'content-type': 'application/json' }, payload });

describe('bad input', () => {
  it('rejects unknown fields instead of dropping them', async () => {
    const res = await post(routes.createOtpRequest, { osUser: 'ann', method: 'emergency', email: 'ann@corp.example.com', admin: true });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'invalid_request', message: 'Unknown field "admin" in body.' } });
  });

  it.each([
    ['a list of addresses', 'ann@corp.example.com,eve@evil.example.com'],
    ['a header injection', 'ann@corp.example.com\r\nBcc: eve@evil.example.com'],
    ['a display name', 'Ann <ann@corp.example.com>'],
    ['a quoted local part', '"ann"@corp.example.com'],
    ['a comment', 'ann(x)@corp.example.com'],
  ])('accepts exactly one plain email address, not %s', async (_why, email) => {
    const res = await post(routes.createOtpRequest, { osUser: 'ann', method: 'emergency', email });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
    expect(res.body).not.toContain('pattern');
  });

  it('rejects wrong types without coercing them', async () => {
    const res = await post(routes.verifyOtp, {
      osUser: 'ann',
      email: 'ann@corp.example.com',
      otp: 12345678,
      nonce: 'bm9uY2Utbm9uY2Utbm9uY2U',
    });
    expect(res.statusCode).toBe(400);
  });

  it('rejects __proto__ and constructor keys', async () => {
    for (const raw of [
      '{"osUser":"ann","method":"emergency","email":"ann@corp.example.com","__proto__":{"x":1}}',
      '{"constructor":{"prototype":{"x":1}}}',
    ]) {
      const res = await postRaw(routes.createOtpRequest, raw);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_request');
    }
  });

  it('answers 413 to a body over 16 KiB', async () => {
    const res = await post(routes.createOtpRequest, {
      osUser: 'ann',
      method: 'emergency',
      email: 'ann@corp.example.com',
      reason: 'x'.repeat(17 * 1024),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });

  it('answers malformed JSON with invalid_request and no parser text', async () => {
    const res = await postRaw(routes.verifyOtp, '{"osUser": "ann",');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'invalid_request', message: 'The request is not valid.' } });
  });

  it('answers unknown URLs with the error shape', async () => {
    // Raw: a URL the contract does not have, on purpose.
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nothing' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });
});

describe('errors', () => {
  it('hides the detail of an unexpected error behind a generic 500', async () => {
    await t.query('ALTER TABLE clients RENAME TO clients_moved');
    try {
      const res = await t.send(routes.getPolicy, { token: clientToken });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'internal_error', message: 'Something went wrong on the server. Try again.' } });
      expect(res.body).not.toMatch(/clients|SQLITE|relation|postgres|stack/i);
    } finally {
      await t.query('ALTER TABLE clients_moved RENAME TO clients');
    }
  });
});

describe('security headers', () => {
  it('sends a strict Content-Security-Policy and no framing', async () => {
    // Raw (`t.send`): what is read is the answer's headers.
    const res = await t.send(routes.health);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
