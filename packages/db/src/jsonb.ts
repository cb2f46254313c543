/**
 * A value for a jsonb column or parameter. pg sends plain objects as JSON but turns
 * JavaScript arrays into PostgreSQL array literals and strings into bare text, both invalid
 * jsonb; serialising first is always right.
 *
 * @example
 * await db.updateTable('step_attempts').set({ ports: jsonb(['true']), output: jsonb('done') })...
 */
export function jsonb(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined)
    throw new TypeError(`jsonb(): ${typeof value} cannot be stored as JSON; use null for "no value".`);
  return text;
}
