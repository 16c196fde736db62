// Argument checking for the operator commands: a bad argument is a UsageError (exit 2) that names the
// argument and says what is expected, raised before anything opens the database.
import { existsSync, statSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FEEDS, feedMapping } from '../feeds/mappings.ts';

export class UsageError extends Error {
  readonly usage: string | undefined;
  constructor(message: string, usage?: string) {
    super(message);
    this.name = 'UsageError';
    this.usage = usage;
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''), usage);
  }
}

export function positional(positionals: string[], index: number, name: string, usage: string): string {
  const value = positionals[index];
  if (value === undefined || value === '') throw new UsageError(`missing argument <${name}>`, usage);
  return value;
}

export function noMore(positionals: string[], count: number, usage: string): void {
  if (positionals.length > count) throw new UsageError(`unexpected argument "${positionals[count]}"`, usage);
}

/** A year (2024) or a month (2024-03), checked: 2024-13 is refused. */
export function period(text: string, name = 'period'): string {
  if (!/^\d{4}(-(0[1-9]|1[0-2]))?$/.test(text)) throw new UsageError(`bad ${name} "${text}": expected a year (2024) or a month 01-12 (2024-03)`);
  return text;
}

export function month(text: string, name = 'month'): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(text)) throw new UsageError(`bad ${name} "${text}": expected a month YYYY-MM with the month 01-12, e.g. 2023-09`);
  return text;
}

export function date(text: string, name: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!d || d.toISOString().slice(0, 10) !== text) throw new UsageError(`bad ${name} "${text}": expected a calendar date YYYY-MM-DD, e.g. 2024-03-31`);
  return text;
}

export function positiveInt(text: string | undefined, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(text) || Number(text) > max) throw new UsageError(`bad ${name} "${text}": expected a whole number from 1 to ${max}`);
  return Number(text);
}

export function feedId(text: string): string {
  if (!feedMapping(text)) throw new UsageError(`unknown feed "${text}"; the feeds are: ${FEEDS.map((f) => f.id).join(', ')} (see: cli feeds)`);
  return text;
}

export function existingFile(path: string, name: string): string {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`${name} "${path}" is not a readable file`);
  return path;
}

export function existingDir(path: string, name: string): string {
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new UsageError(`${name} "${path}" is not a directory`);
  return path;
}
