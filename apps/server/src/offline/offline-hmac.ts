import { createHmac } from 'node:crypto';
import type { HmacSha256 } from '@latchkey/contracts';

/** The HMAC primitive the shared offline-code arithmetic needs, from node:crypto. */
export const nodeHmacSha256: HmacSha256 = async (key, message) =>
  new Uint8Array(createHmac('sha256', key).update(message, 'utf8').digest());
