import type { Json } from '@apiq/sdk';

/**
 * Encodes parameters the way Stripe reads them: nested objects as `a[b]=`, arrays as `a[0]=`,
 * booleans as `true`/`false`, null as an empty value (which unsets a field). Undefined is skipped.
 *
 * @example
 * stripeFormEncode({ amount: 2000, metadata: { order: '42' }, expand: ['customer'] });
 * // 'amount=2000&metadata%5Border%5D=42&expand%5B0%5D=customer'
 */
export function stripeFormEncode(params: Record<string, Json | undefined>): string {
  const out = new URLSearchParams();
  const add = (key: string, value: Json | undefined): void => {
    if (value === undefined) return;
    if (value === null) out.append(key, '');
    else if (Array.isArray(value)) value.forEach((v, i) => add(`${key}[${i}]`, v));
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
    else out.append(key, String(value));
  };
  for (const [k, v] of Object.entries(params)) add(k, v);
  return out.toString();
}
