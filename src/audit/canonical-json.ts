// A canonical JSON text for hashing: keys sorted, bigints and dates as strings. What is stored in the
// jsonb payload is this same normalised value, so reading it back and re-serialising gives the same text.
import { AppError } from '../errors.ts';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function toJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (inner !== undefined) out[key] = toJson(inner);
    }
    return out;
  }
  // JSON has no NaN or Infinity (JSON.stringify would write null, silently changing what was recorded).
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new AppError('AUDIT_PAYLOAD_INVALID', `Cannot record the non-finite number ${value} as JSON; the caller must pass a finite number, a string, or null.`);
  }
  return value as Json;
}

export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as Json)}`).join(',')}}`;
}
