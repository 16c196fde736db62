// Typed stand-ins for vitest's asymmetric matchers and for HTTP reply bodies. vitest types
// expect.stringContaining() and friends as `any`, and an inject reply's json() is `any` too; with these
// the type-aware lint can still tell a real `any` leaking out of the code under test.
import { expect } from 'vitest';

/** Matches any string. */
export const anyString = (): unknown => expect.any(String);
/** Matches a string that contains `text`. */
export const stringContaining = (text: string): unknown => expect.stringContaining(text);
/** Matches an object that has at least these properties. */
export const objectContaining = (properties: Record<string, unknown>): unknown => expect.objectContaining(properties);
/** Matches a string that `pattern` matches. */
export const stringMatching = (pattern: RegExp): unknown => expect.stringMatching(pattern);

/** What a T looks like after toJson() and the wire: bigints as decimal strings, dates as ISO text. */
export type Wire<T> = T extends bigint
  ? string
  : T extends Date
    ? string
    : T extends readonly (infer U)[]
      ? Wire<U>[]
      : T extends object
        ? { [K in keyof T]: Wire<T[K]> }
        : T;
