/**
 * The request reference a user reads out on the phone ("K7QF-2M9X"): 40 bits of an FNV-1a hash of
 * the request id in Crockford's base 32 (no I, L, O or U, so nothing is misheard or misread), shown
 * on the lock beside a waiting or sent request and in the console's Access Requests, where the
 * helpdesk can search by it. Derived, never stored as a secret: it identifies, it does not authorise.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

export function requestReference(requestId: string): string {
  let hash = FNV_OFFSET;
  for (let i = 0; i < requestId.length; i++) {
    hash ^= BigInt(requestId.charCodeAt(i));
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    out += CROCKFORD[Number((hash >> BigInt(5 * i)) & 31n)];
  }
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

/** What a person typed as a reference ("k7qf 2m9x", "K7QF-2M9X", "k7qf2m9x"), in the form requestReference gives, or null. */
export function normaliseRequestReference(typed: string): string | null {
  const plain = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (!/^[0-9A-HJKMNP-TV-Z]{8}$/.test(plain)) return null;
  return `${plain.slice(0, 4)}-${plain.slice(4)}`;
}
