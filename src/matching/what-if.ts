// What-if simulation: a draft of the policy library (changed parameters or conditions) is evaluated
// against the facts as they stand, beside the live version, without writing anything. Staff see the
// headcount and cost against the budget, where the money goes (district, industry, size), and who
// gains and who loses.
import type { Database } from '../db/clients.ts';
import { safeId } from '../subjects/snapshots.ts';
import { AppError } from '../errors.ts';
import { authorize, type Actor } from '../identity/permissions.ts';
import { latestLibraryHash, libraryByHash, libraryFiles, buildLibrary, type LibraryFile } from '../policies/library-registry.ts';
import { parsePeriod } from '../rules/lang/period.ts';
import { evaluateExpression, UNKNOWN } from '../rules/lang/evaluate.ts';
import { standardDictionary } from '../dictionary/index.ts';
import { plainVal } from '../rules/lang/format.ts';
import type { IR } from '../rules/lang/ir.ts';
import { INDUSTRY_SECTIONS } from '../dictionary/codes.ts';
import { mergeParts, readSnapshotParts } from '../subjects/facts-repository.ts';
import { maskUscc } from '../subjects/uscc.ts';
import { runnable } from './compiled-library.ts';
import { budgetLimitFen } from './allocation.ts';
import { factWatermark } from './match-repository.ts';

let sizeClassIr: IR | undefined;
function sizeClassBody(): IR {
  if (sizeClassIr) return sizeClassIr;
  const def = standardDictionary().derived.get('sizeClass');
  if (!def?.ir) throw new AppError('INTERNAL', 'the dictionary has no derived fact sizeClass');
  sizeClassIr = def.ir.body;
  return sizeClassIr;
}

export interface WhatIfRequest {
  pointId: string;
  period: string;
  /** The draft: files that replace (or add to) the live library's files of the same name. */
  draftFiles: LibraryFile[];
  /** Compare with this published library (default: the latest). */
  liveLibraryHash?: string;
  top?: number;
  /** Who simulates: needs whatif.run. */
  actor: Actor;
}

interface Tally {
  eligible: number;
  undetermined: number;
  totalFen: bigint;
}

interface Bucket {
  key: string;
  label: string;
  live: { eligible: number; totalFen: bigint };
  draft: { eligible: number; totalFen: bigint };
}

export interface WhatIfReport {
  pointId: string;
  period: string;
  watermarkSeq: number;
  subjects: number;
  live: Tally;
  draft: Tally & { budgetFen: bigint | null; overBudgetFen: bigint };
  byDistrict: Bucket[];
  byIndustry: Bucket[];
  bySize: Bucket[];
  gainers: { count: number; totalFen: bigint; newlyEligible: number; top: { subject: string; liveFen: bigint; draftFen: bigint }[] };
  losers: { count: number; totalFen: bigint; noLongerEligible: number; top: { subject: string; liveFen: bigint; draftFen: bigint }[] };
}

const DISTRICTS: Record<string, string> = {
  '440303': '罗湖区', '440304': '福田区', '440305': '南山区', '440306': '宝安区', '440307': '龙岗区',
  '440308': '盐田区', '440309': '龙华区', '440310': '坪山区', '440311': '光明区',
};

function bucket(map: Map<string, Bucket>, key: string, label: string): Bucket {
  let b = map.get(key);
  if (!b) {
    b = { key, label, live: { eligible: 0, totalFen: 0n }, draft: { eligible: 0, totalFen: 0n } };
    map.set(key, b);
  }
  return b;
}

export async function simulate(db: Database, request: WhatIfRequest): Promise<WhatIfReport> {
  authorize(request.actor, 'whatif.run');
  const liveHash = request.liveLibraryHash ?? (await latestLibraryHash(db.orm));
  const files = (await libraryFiles(db.orm, liveHash)) ?? [];
  const byName = new Map(files.map((f) => [f.file, f]));
  for (const f of request.draftFiles) byName.set(f.file, f);
  const draftLibrary = buildLibrary([...byName.values()]);
  const liveLibrary = await libraryByHash(db.orm, liveHash);
  const livePoint = liveLibrary.byId.get(request.pointId);
  const draftPoint = draftLibrary.byId.get(request.pointId);
  if (!draftPoint) throw new AppError('POLICY_NOT_FOUND', `The draft has no point ${request.pointId}.`);
  const period = parsePeriod(request.period);
  const [draft] = runnable([draftPoint], request.period);
  const [live] = livePoint ? runnable([livePoint], request.period) : [];
  const periods = [...new Set([...draft!.factPeriods, ...(live?.factPeriods ?? [])])];
  const w = await factWatermark(db.sql);

  const report: WhatIfReport = {
    pointId: request.pointId,
    period: request.period,
    // A JSON number in the staff API, as before; the conversion refuses a seq past 2^53.
    watermarkSeq: safeId(w, 'fact watermark'),
    subjects: 0,
    live: { eligible: 0, undetermined: 0, totalFen: 0n },
    draft: { eligible: 0, undetermined: 0, totalFen: 0n, budgetFen: draftPoint.budget.totalFen, overBudgetFen: 0n },
    byDistrict: [],
    byIndustry: [],
    bySize: [],
    gainers: { count: 0, totalFen: 0n, newlyEligible: 0, top: [] },
    losers: { count: 0, totalFen: 0n, noLongerEligible: 0, top: [] },
  };
  const districts = new Map<string, Bucket>();
  const industries = new Map<string, Bucket>();
  const sizes = new Map<string, Bucket>();
  const gains: { subject: string; liveFen: bigint; draftFen: bigint }[] = [];
  const losses: { subject: string; liveFen: bigint; draftFen: bigint }[] = [];
  const enterprise = draftPoint.subject === 'enterprise';
  // A person's subject key is already a pseudonym (src/subjects/personal-data.ts): shown as it is.
  const mask = enterprise ? maskUscc : (key: string) => key;

  for await (const subject of readSnapshotParts(db.sql, w, periods, { subjectType: draftPoint.subject, validOn: request.period })) {
    report.subjects++;
    const d = draft!.compiled.run(mergeParts(subject.parts, draft!.factPeriods), period);
    const dOutcome = d.outcome;
    const dFen = d.outcome === 'eligible' ? BigInt(d.amountFen ?? 0) : 0n;
    let lOutcome: string = 'ineligible';
    let lFen = 0n;
    if (live) {
      const l = live.compiled.run(mergeParts(subject.parts, live.factPeriods), period);
      lOutcome = l.outcome;
      lFen = l.outcome === 'eligible' ? BigInt(l.amountFen ?? 0) : 0n;
    }
    if (lOutcome === 'eligible') report.live.eligible++;
    if (lOutcome === 'undetermined') report.live.undetermined++;
    report.live.totalFen += lFen;
    if (dOutcome === 'eligible') report.draft.eligible++;
    if (dOutcome === 'undetermined') report.draft.undetermined++;
    report.draft.totalFen += dFen;

    if (dOutcome === 'eligible' || lOutcome === 'eligible') {
      const facts = mergeParts(subject.parts, draft!.factPeriods);
      const region = codeFact(facts.regionCode) ?? codeFact(facts.hukouRegion) ?? '—';
      const targets: Bucket[] = [bucket(districts, region, DISTRICTS[region] ?? region)];
      if (enterprise) {
        const section = (codeFact(facts.industryCode) ?? '—').slice(0, 1);
        targets.push(bucket(industries, section, INDUSTRY_SECTIONS[section] ?? '未知'));
        // The dictionary's 企业划型 table, the one the points themselves use, evaluated for the period.
        const size = evaluateExpression(sizeClassBody(), facts, period).value;
        const label = size === UNKNOWN ? '无法划型' : plainVal(size);
        targets.push(bucket(sizes, label, label));
      }
      for (const b of targets) {
        if (lOutcome === 'eligible') {
          b.live.eligible++;
          b.live.totalFen += lFen;
        }
        if (dOutcome === 'eligible') {
          b.draft.eligible++;
          b.draft.totalFen += dFen;
        }
      }
    }
    if (dFen > lFen) {
      report.gainers.count++;
      report.gainers.totalFen += dFen - lFen;
      if (lOutcome !== 'eligible') report.gainers.newlyEligible++;
      gains.push({ subject: mask(subject.subjectKey), liveFen: lFen, draftFen: dFen });
    } else if (dFen < lFen) {
      report.losers.count++;
      report.losers.totalFen += lFen - dFen;
      if (dOutcome !== 'eligible') report.losers.noLongerEligible++;
      losses.push({ subject: mask(subject.subjectKey), liveFen: lFen, draftFen: dFen });
    }
  }
  const top = request.top ?? 10;
  const byChange = (a: { liveFen: bigint; draftFen: bigint }, b: { liveFen: bigint; draftFen: bigint }) => {
    const da = a.draftFen - a.liveFen;
    const db2 = b.draftFen - b.liveFen;
    return da === db2 ? 0 : (da < 0n ? -da : da) > (db2 < 0n ? -db2 : db2) ? -1 : 1;
  };
  report.gainers.top = gains.sort(byChange).slice(0, top);
  report.losers.top = losses.sort(byChange).slice(0, top);
  const order = (m: Map<string, Bucket>) => [...m.values()].sort((a, b) => (a.draft.totalFen === b.draft.totalFen ? a.key.localeCompare(b.key) : a.draft.totalFen > b.draft.totalFen ? -1 : 1));
  report.byDistrict = order(districts);
  report.byIndustry = order(industries);
  report.bySize = order(sizes);
  // A share budget's limit depends on what the draft's eligible subjects add up to; quotas count whole.
  report.draft.budgetFen = budgetLimitFen(draftPoint.budget, report.draft.totalFen);
  if (report.draft.budgetFen !== null && report.draft.totalFen > report.draft.budgetFen) report.draft.overBudgetFen = report.draft.totalFen - report.draft.budgetFen;
  return report;
}

/** A code fact (region, industry) as the feeds store it: text; anything else counts as not known. */
function codeFact(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
