// Helpers for the policy workflow tests: the 高龄津贴 file of the library and its text with edits, a
// version drafted, submitted and approved by two accounts, and the amounts a month's list holds.
import { and, eq } from 'drizzle-orm';
import type { Clock } from '../../src/clock.ts';
import { listEntries } from '../../src/db/schema/index.ts';
import { runToCompletion } from '../../src/matching/run-service.ts';
import type { StaffActor } from '../../src/identity/permissions.ts';
import { readLibraryFiles } from '../../src/policies/library-registry.ts';
import { createDraft, reviewDraft, submitDraft } from '../../src/policies/policy-workflow.ts';
import { POLICIES_DIR } from '../../src/cycle.ts';
import { silentLog, type TestDatabase } from './database.ts';

export const GAOLING_FILE = 'sz-gaoling/sz-gaoling.policy.yaml';
export const GAOLING = 'gaoling-jintie';

export async function gaolingText(): Promise<string> {
  const file = (await readLibraryFiles(POLICIES_DIR)).find((f) => f.file === GAOLING_FILE);
  if (!file) throw new Error(`${GAOLING_FILE} is not in the library`);
  return file.text;
}

/** The text with each [from, to] replaced once; throws when a from is not found (the test would prove nothing). */
export function edited(text: string, ...edits: [string, string][]): string {
  let out = text;
  for (const [from, to] of edits) {
    if (!out.includes(from)) throw new Error(`not in the text: ${from}`);
    out = out.replace(from, to);
  }
  return out;
}

/** 70-79 year olds get 250元 a month instead of 200元. */
export const RAISE: [string, string] = ['- { when: "[70岁, 80岁)", then: 200元 }', '- { when: "[70岁, 80岁)", then: 250元 }'];

export async function approvedVersion(db: TestDatabase, clock: Clock, author: StaffActor, reviewer: StaffActor, text: string, inForceFrom?: string) {
  const draft = await createDraft(db, clock, { file: GAOLING_FILE, text, inForceFrom, actor: author });
  await submitDraft(db, clock, draft.id, author);
  return reviewDraft(db, clock, draft.id, { decision: 'approve', actor: reviewer });
}

/** Matches 高龄津贴 for a month and returns how many entries the list holds at each amount (fen). */
export async function monthAmounts(db: TestDatabase, clock: Clock, period: string): Promise<Record<string, number>> {
  await runToCompletion(db, clock, silentLog, { scope: GAOLING, period, trigger: 'test', actor: 'staff:test' });
  const rows = await db.orm.select({ amount: listEntries.amountFen }).from(listEntries).where(and(eq(listEntries.pointId, GAOLING), eq(listEntries.period, period), eq(listEntries.outcome, 'eligible')));
  const counts: Record<string, number> = {};
  for (const r of rows) counts[String(r.amount)] = (counts[String(r.amount)] ?? 0) + 1;
  return counts;
}
