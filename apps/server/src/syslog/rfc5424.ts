import type { AuditEvent } from '@latchkey/contracts';

/** authpriv: security and authorization messages, the facility SIEM rules expect for this. */
const FACILITY = 10;
const SEVERITY_WARNING = 4;
const SEVERITY_NOTICE = 5;
/** The structured-data ID: our name at the example enterprise number of RFC 5612 (no number of our own). */
export const SD_ID = 'latchkey@32473';

const FIELDS = ['actor', 'clientId', 'computerName', 'osUser', 'email', 'requestId'] as const;

/** RFC 5424 6.3.3: inside a PARAM-VALUE, `"`, `\` and `]` are escaped with a backslash. */
export function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** Header fields are printable US-ASCII without spaces; anything else becomes `_`, and `-` stands for empty. */
function headerField(value: string, max: number): string {
  const cleaned = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return cleaned || '-';
}

const isRefusal = (type: string) => /failed|locked|denied|refused/.test(type);

/**
 * One audit event as an RFC 5424 message: MSGID is the event type, the structured data carries every
 * field, MSG repeats it for people. Audit events hold no secrets by construction (no OTP, password or
 * token is ever recorded), so nothing needs removing here.
 */
export function formatAuditEvent(event: AuditEvent, origin: { hostname: string; procId: number }): string {
  const pri = FACILITY * 8 + (isRefusal(event.type) ? SEVERITY_WARNING : SEVERITY_NOTICE);
  const params = [`id="${event.id}"`, `type="${escapeParamValue(event.type)}"`];
  for (const field of FIELDS) {
    const value = event[field];
    if (value !== null && value !== undefined) params.push(`${field}="${escapeParamValue(String(value))}"`);
  }
  const header = [
    `<${pri}>1`,
    new Date(event.at).toISOString(),
    headerField(origin.hostname, 255),
    'latchkey',
    headerField(String(origin.procId), 128),
    headerField(event.type, 32),
  ].join(' ');
  const text = `${event.type}${event.detail ? `: ${event.detail}` : ''}`.replace(/[\r\n]+/g, ' ');
  // The BOM marks MSG as UTF-8 (RFC 5424 6.4).
  return `${header} [${SD_ID} ${params.join(' ')}] \ufeff${text}`;
}
