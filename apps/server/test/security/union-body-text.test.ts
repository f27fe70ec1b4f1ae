import { Type } from '@sinclair/typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { CommentSchema, OsUserSchema, defineRoute, errorResponses } from '@latchkey/contracts';
import { routeOptions } from '../../src/routes/route-options.js';
import { buildTestApp, type TestApp } from '../helper.js';

/**
 * No route of the contract has a union body yet: this one is registered the way every route is
 * (routeOptions of a descriptor, the real app's Ajv and formats), so the first that does is covered.
 */
const UnionBodySchema = Type.Union([
  Type.Object(
    { kind: Type.Literal('person'), osUser: OsUserSchema, reason: Type.Optional(CommentSchema) },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('key'), key: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
]);
const unionRoute = defineRoute({
  method: 'POST',
  url: '/api/v1/test/union-body',
  auth: { kind: 'none' },
  successStatus: 200,
  schema: { body: UnionBodySchema, response: { 200: UnionBodySchema, ...errorResponses() } },
});

let t: TestApp | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

const post = (payload: Record<string, string>) => t!.app.inject({ method: 'POST', url: unionRoute.url, payload });

describe('typed text in a union body', () => {
  it('is stored NFC like any other body, and a secret in another member stays as sent', async () => {
    t = await buildTestApp({ beforeReady: (app) => app.route({ ...routeOptions(unionRoute), handler: async (request) => request.body }) });

    const person = await post({ kind: 'person', osUser: 'CORP\\Zoe\u0308', reason: 'Re\u0301ception\nlost my phone' });
    expect(person.statusCode).toBe(200);
    expect(person.json()).toEqual({ kind: 'person', osUser: 'CORP\\Zo\u00eb', reason: 'R\u00e9ception\nlost my phone' });

    const key = await post({ kind: 'key', key: 'key-e\u0301' });
    expect(key.statusCode).toBe(200);
    expect(key.json()).toEqual({ kind: 'key', key: 'key-e\u0301' });
  });

  it('refuses control and format characters, as in any other body', async () => {
    t = await buildTestApp({ beforeReady: (app) => app.route({ ...routeOptions(unionRoute), handler: async (request) => request.body }) });
    for (const osUser of ['CORP\\ann\u200b', 'CORP\\\u202eann', 'CORP\\ann\u0000', 'CORP\\ann\r\nBcc: x']) {
      const res = await post({ kind: 'person', osUser });
      expect(res.statusCode, JSON.stringify(osUser)).toBe(400);
      expect(res.json().error.code).toBe('invalid_request');
    }
    const reason = await post({ kind: 'person', osUser: 'CORP\\ann', reason: 'lost\u2028phone' });
    expect(reason.statusCode).toBe(400);
  });
});
