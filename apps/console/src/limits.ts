/** A text field's length limit, read from its contract schema (never typed again here). */
export function maxLengthOf(schema: { maxLength?: number }): number {
  if (schema.maxLength === undefined) throw new Error('This schema sets no maxLength.');
  return schema.maxLength;
}
