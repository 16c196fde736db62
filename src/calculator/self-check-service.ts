// The 政策计算器 against the database: the latest published library, and for a signed-in enterprise its
// own facts (as the latest import left them) under the answers. The subject is the caller's, never one
// named in a request.
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { factPeriodsFor } from '../matching/compiled-library.ts';
import { latestLibraryHash, libraryByHash } from '../policies/library-registry.ts';
import type { PointModel } from '../rules/lang/model.ts';
import { parsePeriod } from '../rules/lang/period.ts';
import { readSnapshotFacts } from '../subjects/facts-repository.ts';
import { answersToFacts, askableFacts, defaultPeriod, selfCheck, type Questionnaire } from './self-check.ts';

export interface SelfCheckRequest extends Questionnaire {
  period?: string | undefined;
  includeIneligible?: boolean | undefined;
}

async function latestLibrary(db: Database) {
  const hash = await latestLibraryHash(db.orm);
  return { hash, library: await libraryByHash(db.orm, hash) };
}

/** GET /api/public/self-check/questions: what the library's enterprise points read. */
export async function selfCheckQuestions(db: Database) {
  const { hash, library } = await latestLibrary(db);
  return { libraryHash: hash, facts: askableFacts(library.points) };
}

/** The anonymous self-check: the answers only. */
export async function anonymousSelfCheck(db: Database, clock: Clock, request: SelfCheckRequest) {
  const { facts, notes } = answersToFacts(request);
  const { hash, library } = await latestLibrary(db);
  const period = request.period ? parsePeriod(request.period) : defaultPeriod(clock);
  return { libraryHash: hash, notes, ...selfCheck({ points: library.points, period, answers: facts, includeIneligible: request.includeIneligible ?? false }) };
}

/**
 * An enterprise's self-check: its own facts at the latest fact watermark (the facts valid on the period's
 * first day, the periods each point reads), overlaid by any answers; each fact used says where it came from.
 */
export async function enterpriseSelfCheck(db: Database, clock: Clock, subjectKey: string, request: SelfCheckRequest) {
  const { facts, notes } = answersToFacts(request);
  const { hash, library } = await latestLibrary(db);
  const period = request.period ? parsePeriod(request.period) : defaultPeriod(clock);
  const [{ w } = { w: '0' }] = await db.sql<{ w: string }[]>`select coalesce(max(seq), 0)::text as w from fact_records`;
  const byPeriods = new Map<string, Record<string, unknown>>();
  const points = library.points.filter((p) => p.subject === 'enterprise');
  for (const point of points) {
    const periods = factPeriodsFor(point, period);
    const key = periods.join('|');
    if (byPeriods.has(key)) continue;
    let found: Record<string, unknown> = {};
    for await (const s of readSnapshotFacts(db.sql, BigInt(w), periods, { subjectKeys: [subjectKey], subjectType: 'enterprise', validOn: period.text })) found = s.facts;
    byPeriods.set(key, found);
  }
  const profileFor = (point: PointModel) => byPeriods.get(factPeriodsFor(point, period).join('|')) ?? {};
  return { libraryHash: hash, notes, ...selfCheck({ points, period, answers: facts, profileFor, includeIneligible: request.includeIneligible ?? false }) };
}
