import fc from 'fast-check';

/** The part of an OpenAPI 3.0 Schema Object the Latchkey document uses. */
export interface OaSchema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  nullable?: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, OaSchema>;
  required?: string[];
  additionalProperties?: boolean | OaSchema;
  items?: OaSchema;
  minItems?: number;
  maxItems?: number;
  anyOf?: OaSchema[];
  oneOf?: OaSchema[];
  allOf?: OaSchema[];
  [key: string]: unknown;
}

/** Keywords the validator and generator below understand; anything else in the document is a finding. */
export const KNOWN_KEYWORDS = new Set([
  '$ref',
  'type',
  'enum',
  'nullable',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'uniqueItems',
  'anyOf',
  'oneOf',
  'allOf',
  'description',
  'title',
  'default',
  'format',
]);

export type Components = Record<string, OaSchema>;

export function resolve(schema: OaSchema, components: Components): OaSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = components[name];
  if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
  return resolve(target, components);
}

const typeOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;

/** Where `value` breaks `schema` (empty when it conforms), as OpenAPI 3.0 defines the keywords. */
export function validate(schema: OaSchema, value: unknown, components: Components, path = '$'): string[] {
  const s = resolve(schema, components);
  if (value === null && s.nullable) return [];
  const errors: string[] = [];
  if (s.anyOf && !s.anyOf.some((sub) => validate(sub, value, components, path).length === 0)) errors.push(`${path}: matches no anyOf`);
  if (s.oneOf && s.oneOf.filter((sub) => validate(sub, value, components, path).length === 0).length !== 1)
    errors.push(`${path}: matches not exactly one oneOf`);
  for (const sub of s.allOf ?? []) errors.push(...validate(sub, value, components, path));
  if (s.enum && !s.enum.some((e) => e === value)) errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (s.type) {
    const actual = typeOf(value);
    const ok = s.type === actual || (s.type === 'number' && (actual === 'integer' || actual === 'number'));
    if (!ok) return [...errors, `${path}: expected ${s.type}, got ${actual}`];
  }
  if (typeof value === 'string') {
    if (s.pattern && !new RegExp(s.pattern, 'u').test(value)) errors.push(`${path}: does not match ${s.pattern}`);
    const length = [...value].length;
    if (s.minLength !== undefined && length < s.minLength) errors.push(`${path}: shorter than ${s.minLength}`);
    if (s.maxLength !== undefined && length > s.maxLength) errors.push(`${path}: longer than ${s.maxLength}`);
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) errors.push(`${path}: below ${s.minimum}`);
    if (s.maximum !== undefined && value > s.maximum) errors.push(`${path}: above ${s.maximum}`);
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) errors.push(`${path}: fewer than ${s.minItems} items`);
    if (s.maxItems !== undefined && value.length > s.maxItems) errors.push(`${path}: more than ${s.maxItems} items`);
    if (s.items) value.forEach((item, i) => errors.push(...validate(s.items!, item, components, `${path}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const count = Object.keys(obj).length;
    if (typeof s.minProperties === 'number' && count < s.minProperties) errors.push(`${path}: fewer than ${s.minProperties} properties`);
    if (typeof s.maxProperties === 'number' && count > s.maxProperties) errors.push(`${path}: more than ${s.maxProperties} properties`);
    for (const key of s.required ?? []) if (!(key in obj)) errors.push(`${path}: missing ${key}`);
    for (const [key, v] of Object.entries(obj)) {
      const prop = s.properties?.[key];
      if (prop) errors.push(...validate(prop, v, components, `${path}.${key}`));
      else if (s.additionalProperties === false) errors.push(`${path}: unexpected ${key}`);
      else if (typeof s.additionalProperties === 'object')
        errors.push(...validate(s.additionalProperties, v, components, `${path}.${key}`));
    }
  }
  return errors;
}

/**
 * The pattern with each unbounded repetition (`+`, `*`) outside a character class asking for at least
 * `min` repeats: fast-check's generator keeps repetitions short, so a long minLength on `^[a-z]+$` is never met.
 */
function withMinimumRepeats(pattern: string, min: number): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i++;
    } else if (inClass) {
      inClass = c !== ']';
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if ((c === '+' || c === '*') && i > 0 && !'(|^'.includes(pattern[i - 1]!)) out += `{${min},}`;
    else out += c;
  }
  return out;
}

/** How many of 200 sampled values a generator must get right, or the filter below would spin for ever. */
const MIN_FITTING_OF_200 = 20;

function stringArbitrary(s: OaSchema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 40, Math.max(min, 40));
  const fits = (v: string) => [...v].length >= min && [...v].length <= (s.maxLength ?? Infinity);
  if (!s.pattern) return fc.string({ minLength: min, maxLength: max, unit: 'binary' });
  const re = new RegExp(s.pattern, 'u');
  const accepted = (v: string) => re.test(v) && fits(v);
  // A filter that rarely passes never returns, and it spins synchronously: no fetch or test timeout
  // can fire. So each candidate generator is sampled first and one that fits too seldom is not used.
  const candidates: (() => fc.Arbitrary<string>)[] = [
    () => fc.stringMatching(re),
    () => fc.stringMatching(new RegExp(withMinimumRepeats(s.pattern!, min), 'u')),
    // fast-check cannot generate from lookarounds: the only such pattern is the email address.
    () => fc.emailAddress(),
  ];
  for (const candidate of candidates) {
    let arb: fc.Arbitrary<string>;
    try {
      arb = candidate();
    } catch {
      continue;
    }
    if (fc.sample(arb, { numRuns: 200, seed: 1 }).filter(accepted).length >= MIN_FITTING_OF_200) return arb.filter(accepted);
  }
  throw new Error(`no generator for strings of /${s.pattern}/ with length ${min}..${s.maxLength ?? 'any'}`);
}

/** Values the schema accepts. `known` gives real values (ids, keys) for properties of that name. */
export function validArbitrary(
  schema: OaSchema,
  components: Components,
  known: Record<string, unknown[]> = {},
  depth = 0,
): fc.Arbitrary<unknown> {
  const s = resolve(schema, components);
  const plain = (): fc.Arbitrary<unknown> => {
    if (s.enum) return fc.constantFrom(...s.enum);
    const union = s.anyOf ?? s.oneOf;
    if (union) return fc.oneof(...union.map((sub) => validArbitrary(sub, components, known, depth + 1)));
    switch (s.type) {
      case 'string':
        return stringArbitrary(s);
      case 'integer':
        return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
      case 'number':
        return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(validArbitrary(s.items ?? {}, components, known, depth + 1), {
          minLength: s.minItems ?? 0,
          maxLength: Math.min(s.maxItems ?? 5, 5),
        });
      case 'object': {
        const props = s.properties ?? {};
        const required = new Set(s.required ?? []);
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [name, prop] of Object.entries(props)) {
          const generated = validArbitrary(prop, components, known, depth + 1);
          record[name] = known[name] ? fc.oneof({ arbitrary: fc.constantFrom(...known[name]!), weight: 3 }, generated) : generated;
        }
        const min = typeof s.minProperties === 'number' ? s.minProperties : 0;
        return fc.record(record, { requiredKeys: [...required].filter((k) => k in props) }).filter((v) => Object.keys(v).length >= min);
      }
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  };
  const arb = plain();
  return s.nullable ? fc.oneof(arb, fc.constant(null)) : arb;
}

/** Strings an attacker would try in any text field. */
export const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.constantFrom(
    "' OR 1=1 --",
    '"; DROP TABLE users; --',
    '*)(uid=*))(|(uid=*',
    '\u202e\u200b',
    '\ud800',
    '\r\nBcc: victim@example.com',
    '${jndi:ldap://x}',
    '<script>alert(1)</script>',
    '%00',
    '__proto__',
    'constructor',
    'a'.repeat(5000),
    '9'.repeat(400),
    '',
  ),
);

/** Bodies that break the schema on purpose: wrong types, unknown or polluting fields, anything JSON. */
export function hostileBody(schema: OaSchema | undefined, components: Components): fc.Arbitrary<unknown> {
  const any = fc.jsonValue({ maxDepth: 3 });
  if (!schema) return any;
  const s = resolve(schema, components);
  const props = Object.keys(s.properties ?? {});
  const valid = validArbitrary(s, components);
  return fc.oneof(
    any,
    fc.record({ __proto__: fc.constant({ admin: true }), constructor: fc.constant({ prototype: { polluted: 1 } }) }),
    valid.chain((v) =>
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? fc.oneof(
            fc.constant({ ...v, unexpectedField: 'x' }),
            props.length > 0
              ? fc.tuple(fc.constantFrom(...props), fc.oneof(any, hostileString)).map(([k, bad]) => ({ ...v, [k]: bad }))
              : fc.constant(v),
          )
        : fc.constant(v),
    ),
  );
}
