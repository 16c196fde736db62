// What an operator command is, and how it learns who runs it. A command that reads or changes
// something that matters names its permission; it runs as a staff account given with `--as LOGIN`,
// whose password comes from MIANSHEN_PASSWORD or, on a terminal, a prompt that does not echo. Passwords
// are never taken from argv (they would sit in the shell history and in `ps`), and never printed.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { App } from '../app.ts';
import type { Permission, StaffActor } from '../identity/permissions.ts';
import { UsageError } from './args.ts';

/** The work of a command, given the app and the account it runs as (null only for a bootstrap). */
export type Action = (app: App, actor: StaffActor | null) => Promise<number>;

export interface Prepared {
  action: Action;
  /** The permission the command needs; null: it acts as no account (the worker only runs queued jobs). */
  permission: Permission | null;
  workers?: boolean;
  /** May run without --as while no administrator exists (the first `user add`). */
  bootstrap?: boolean;
}

export interface Command {
  usage: string;
  /** Checks the arguments (throws UsageError) and returns the work, or offline work that needs no database. */
  prepare(argv: string[]): Prepared | { offline: () => number | Promise<number> };
}

/** Takes the global `--as LOGIN` (or `--as=LOGIN`) out of argv. */
export function takeAs(argv: string[]): { as: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let as: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--as') {
      as = argv[++i];
      if (as === undefined || as.startsWith('--')) throw new UsageError('--as needs a login: --as LOGIN');
    } else if (arg.startsWith('--as=')) as = arg.slice(5);
    else rest.push(arg);
  }
  if (as !== undefined && as.trim() === '') throw new UsageError('--as needs a login: --as LOGIN');
  return { as, rest };
}

/** All of stdin as one secret, without its final line break. */
export async function readStdinSecret(what: string): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError(`${what} is read from stdin; pipe it in (e.g. from a password manager), do not type it on the command line`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text === '') throw new UsageError(`${what}: stdin was empty`);
  return text;
}

/** The password of the --as account: MIANSHEN_PASSWORD, else a prompt on the terminal (not echoed). */
export async function passwordForAs(login: string, env: Record<string, string | undefined> = process.env): Promise<string> {
  const fromEnv = env.MIANSHEN_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) throw new UsageError(`--as ${login}: set MIANSHEN_PASSWORD to the account's password, or run on a terminal to be asked for it`);
  const muted = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  process.stderr.write(`password for ${login}: `);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
