// Rows for every feed declared in src/feeds/mappings.ts, generated one subject at a time: registry feeds
// list every subject, list feeds only the subjects concerned, as departments send them. Values are
// written as a department's file holds them: 元 as "12345.67", 是/否, YYYY-MM-DD, YYYY and YYYY-MM.
import { FEEDS, feedMapping, type ColumnMapping, type FeedMapping } from '../feeds/mappings.ts';
import type { NumberedRecord, RawRecord } from '../feeds/parse.ts';
import { USCC_ALPHABET } from '../subjects/uscc.ts';
import { contextOf, DIRTY_KINDS, type Context, type DirtyKind, type PopulationOptions } from './context.ts';
import { fenToYuan } from './dates.ts';
import { enterpriseAt, listingOf, monthlyHires, unregisteredUscc, type Enterprise } from './enterprises.ts';
import { hiresOf, PersonSpace, personAt, unregisteredIdNumber, type Person } from './persons.ts';
import { hashString, Rng } from './random.ts';
import { AppError } from '../errors.ts';

export type Row = string[];

const yn = (b: boolean) => (b ? '是' : '否');
const opt = (v: string | null) => v ?? '';
const yuanOrEmpty = (fen: number | null) => (fen === null ? '' : fenToYuan(fen));

type EnterpriseRows = (e: Enterprise, ctx: Context, out: Row[]) => void;
type PersonRows = (p: Person, ctx: Context, out: Row[]) => void;

/** Per feed: how a subject becomes rows, in the column order of feedHeader(). */
const ENTERPRISE_FEEDS: Record<string, EnterpriseRows> = {
  'samr-registry': (e, _c, out) => void out.push([e.uscc, e.name, e.regionCode, e.industryCode, e.status, e.orgKind, yn(e.abnormalOperation)]),
  'tax-annual': (e, c, out) => {
    if (e.reporting) out.push([e.uscc, String(c.dataYear), yuanOrEmpty(e.revenueFen), yuanOrEmpty(e.totalAssetsFen), yuanOrEmpty(e.rdExpenseFen), opt(e.siAccount)]);
  },
  'hrss-ui-annual': (e, c, out) => {
    if (e.reporting && e.avgInsured > 0) {
      out.push([e.uscc, String(c.dataYear), String(e.staff), fenToYuan(e.uiPaidFen), String(e.uiMonthsPaidInFull), String(e.avgInsured), String(e.newClaimants), String(e.insuredAtStart), String(e.insuredAtEnd), yn(e.laborDispatch)]);
    }
  },
  'credit-status': (e, _c, out) => void out.push([e.uscc, yn(e.seriousDishonest), yn(e.majorPenalty), yn(e.falsifiedDocuments)]),
  'bank-accounts': (e, _c, out) => {
    if (e.basicAccount) out.push([e.uscc, e.basicAccount]);
  },
  'most-high-tech': (e, _c, out) => {
    if (e.highTech) out.push([e.uscc, e.highTech.acceptedDate, e.highTech.certDate, e.highTech.kind]);
  },
  'miit-specialised': (e, _c, out) => {
    if (e.zjtxProvincialDate || e.littleGiantDate || e.singleChampionDate) out.push([e.uscc, opt(e.zjtxProvincialDate), opt(e.littleGiantDate), opt(e.singleChampionDate), yn(e.energyNonCompliant)]);
  },
  'culture-star-hotels': (e, _c, out) => {
    if (e.star) out.push([e.uscc, opt(e.star.rating), opt(e.star.ratedDate), opt(e.star.standardMet), opt(e.star.standardMetDate)]);
  },
  'stats-above-scale': (e, c, out) => {
    if (e.aboveScale) out.push([e.uscc, String(c.dataYear), '是']);
  },
  'hrss-hires-monthly': (e, c, out) => {
    for (const h of monthlyHires(c, e)) {
      const month = `${c.dataYear}-${h.month < 10 ? '0' : ''}${h.month}`;
      out.push([e.uscc, month, String(h.expansionHires1m), String(h.expansionHires3m), String(h.absorbedHires), String(h.difficultHires), fenToYuan(h.difficultHiresEmployerContribFen)]);
    }
  },
  'csrc-listing': (e, c, out) => {
    const l = listingOf(c, e);
    if (l) {
      out.push([
        e.uscc,
        opt(l.counselingFiledDate),
        opt(l.counselingAcceptedDate),
        opt(l.exchangeAcceptedDate),
        opt(l.exchangeApprovedDate),
        opt(l.ipoRegisteredDate),
        opt(l.ipoListingDate),
        yuanOrEmpty(l.ipoRaisedFen),
        opt(l.relocatedListedDate),
        opt(l.neeqListedDate),
        opt(l.neeqInnovationRelocatedDate),
        yn(l.localOperationCommitted),
        opt(l.localSubstantiveOpsDate),
      ]);
    }
  },
};

const PERSON_FEEDS: Record<string, PersonRows> = {
  'police-population': (p, _c, out) => void out.push([p.idNumber, p.name, p.hukouRegion, opt(p.deathDate), opt(p.introducedDate)]),
  'civil-assistance': (p, _c, out) => {
    if (p.dibao || p.lowIncome) out.push([p.idNumber, yn(p.dibao), yn(p.lowIncome)]);
  },
  'disabled-certificates': (p, _c, out) => {
    if (p.disability) out.push([p.idNumber, p.disability.grade, p.disability.category, yn(p.disability.needsLongTermCare)]);
  },
  'hrss-persons': (p, _c, out) => {
    const i = p.insured;
    if (i) out.push([p.idNumber, String(i.months), opt(i.certificateLevel), opt(i.certificateDate), String(i.skillSubsidiesThisYear), yn(i.sameCertificateClaimed), yn(i.trainingSubsidyClaimed), yn(i.socialInsuranceInShenzhen)]);
  },
  'hrss-sscard-accounts': (p, c, out) => {
    // Every living person holds a card; the account is drawn from its own stream (seeded by the id
    // number), so adding this feed left every other generated value as it was.
    if (p.deathDate === null) out.push([p.idNumber, ssCardAccount(c, p)]);
  },
  'edu-talent': (p, _c, out) => {
    const t = p.talent;
    if (t) out.push([p.idNumber, t.education, yn(t.freshGraduate), yn(t.returnee), yn(t.usedHousingSecurity)]);
  },
  'hrss-hire-records': (p, c, out) => {
    for (const h of hiresOf(c, p)) {
      const month = `${c.dataYear}-${h.month < 10 ? '0' : ''}${h.month}`;
      out.push([p.idNumber, month, h.employerUscc, yn(h.contractSigned), String(h.insuredMonths), yn(h.expansionTarget), yn(h.absorptionTarget)]);
    }
  },
};

/** A 19-digit 社保卡 bank-card number (6225 prefix); never ending in 0000, which the sandbox bank treats as closed. */
function ssCardAccount(c: Context, p: Person): string {
  const rng = new Rng(c.seed, SSCARD_STREAM, hashString(p.idNumber));
  const digits = `622588${String(rng.u32() % 10_000_000).padStart(7, '0')}${String(rng.u32() % 1_000_000).padStart(6, '0')}`;
  return digits.endsWith('0000') ? `${digits.slice(0, 18)}1` : digits;
}

const SSCARD_STREAM = hashString('sscard');

/** Feeds this system derives itself (e.g. from the identity ledger) rather than receiving from a department. */
export function isDerivedFeed(mapping: FeedMapping): boolean {
  return 'derivedBy' in mapping && Boolean((mapping as { derivedBy?: string }).derivedBy);
}

/**
 * Feeds the generator produces: every declared feed a department sends (derived feeds are computed by
 * the system, not sent); a test keeps this in step with mappings.ts.
 */
// Every department feed: one without a generator here (a feed added with a policy, whose facts the demo
// population does not model) carries only the rows planted from the policy library's test cases.
export const GENERATED_FEEDS: readonly string[] = FEEDS.filter((f) => !isDerivedFeed(f)).map((f) => f.id);

/** The columns of a feed file, in order: the subject key, the period column if any, then the mapped columns. */
export function feedHeader(mapping: FeedMapping): string[] {
  return [mapping.keyColumn, ...(mapping.period.kind === 'current' ? [] : [mapping.period.column]), ...mapping.columns.map((c) => c.column)];
}

function mappingOf(feedId: string): FeedMapping {
  const mapping = feedMapping(feedId);
  if (!mapping || isDerivedFeed(mapping)) throw new AppError('ARGUMENT_INVALID', `no generator for feed "${feedId}"`);
  return mapping;
}

/** The kinds of bad row that make sense for a feed (an amount can only be garbled where there is one). */
export function dirtyKindsFor(mapping: FeedMapping): DirtyKind[] {
  const has = (kind: ColumnMapping['type']['kind']) => mapping.columns.some((c) => c.type.kind === kind);
  return DIRTY_KINDS.filter((kind) => {
    switch (kind) {
      case 'bad-amount':
        return has('yuan');
      case 'bad-date':
        return has('date');
      case 'unknown-code':
        return has('enum') || has('code');
      case 'bad-number':
        return has('int');
      case 'bad-bool':
        return has('bool');
      case 'unregistered':
        return !mapping.registers;
      default:
        return true;
    }
  });
}

interface DirtyState {
  mapping: FeedMapping;
  header: string[];
  ctx: Context;
  unregistered: number;
}

/** A bad copy of a valid row, of the given kind. */
function corrupt(state: DirtyState, kind: DirtyKind, row: Row): Row {
  const { mapping, header, ctx } = state;
  const out = [...row];
  const index = (predicate: (c: ColumnMapping) => boolean) => {
    const column = mapping.columns.find(predicate);
    return column ? header.indexOf(column.column) : -1;
  };
  switch (kind) {
    case 'bad-check': {
      const key = out[0]!;
      const alphabet = mapping.subject === 'enterprise' ? USCC_ALPHABET : '0123456789X';
      const at = alphabet.indexOf(key[17]!);
      out[0] = key.slice(0, 17) + alphabet[(at + 1) % alphabet.length];
      break;
    }
    case 'bad-amount':
      out[index((c) => c.type.kind === 'yuan')] = '12,34x.00';
      break;
    case 'bad-date':
      out[index((c) => c.type.kind === 'date')] = `${ctx.dataYear}-02-30`;
      break;
    case 'unknown-code': {
      const at = index((c) => c.type.kind === 'enum' || c.type.kind === 'code');
      const type = mapping.columns.find((c) => c.column === header[at])!.type;
      out[at] = type.kind === 'code' ? (type.list === 'region' ? '44030X' : 'Z9999') : '其他';
      break;
    }
    case 'bad-number':
      out[index((c) => c.type.kind === 'int')] = '-4';
      break;
    case 'bad-bool':
      out[index((c) => c.type.kind === 'bool')] = '也许';
      break;
    case 'missing-required': {
      const at = index((c) => c.required);
      out[at >= 0 ? at : 0] = '';
      break;
    }
    case 'duplicate':
      break;
    case 'unregistered':
      out[0] = mapping.subject === 'enterprise' ? unregisteredUscc(ctx.seed, state.unregistered) : unregisteredIdNumber(state.unregistered);
      state.unregistered++;
      break;
  }
  return out;
}

export interface GeneratedRow {
  row: Row;
  /** Set on deliberately bad rows. */
  dirty: DirtyKind | null;
  /** The subject index the row derives from (-1 for planted and appended bad rows). */
  subject: number;
}

export interface FeedProgress {
  feedId: string;
  subjectsDone: number;
  subjectsTotal: number;
  rows: number;
}

/**
 * The rows of one feed in file order, generated in one pass with flat memory. Every valid row is
 * produced; with dirtyRate > 0 some are followed by a bad row whose kind rotates over dirtyKindsFor().
 */
export function* feedRows(feedId: string, options: PopulationOptions | Context, onProgress?: (p: FeedProgress) => void): Generator<GeneratedRow> {
  const mapping = mappingOf(feedId);
  const ctx = 'asOfDay' in options ? options : contextOf(options);
  const header = feedHeader(mapping);
  const kinds = dirtyKindsFor(mapping);
  const state: DirtyState = { mapping, header, ctx, unregistered: 0 };
  const rate = mapping.atomic && !ctx.dirtyAtomic ? 0 : ctx.dirtyRate;
  const dice = new Rng(ctx.seed, hashString(`dirty:${feedId}`), 0);
  const firstRows: Row[] = [];
  let dirtyCount = 0;
  let rows = 0;
  const buffer: Row[] = [];
  const total = mapping.subject === 'enterprise' ? ctx.enterprises : ctx.persons;
  const space = mapping.subject === 'person' ? new PersonSpace(ctx) : null;
  const enterpriseRows = ENTERPRISE_FEEDS[feedId];
  const personRows = PERSON_FEEDS[feedId];
  for (let i = 0; enterpriseRows || personRows ? i < total : false; i++) {
    if (space) personRows!(personAt(space, i), ctx, buffer);
    else enterpriseRows!(enterpriseAt(ctx, i), ctx, buffer);
    for (const row of buffer) {
      rows++;
      if (firstRows.length < 16) firstRows.push(row);
      yield { row, dirty: null, subject: i };
      if (rate > 0 && dice.next() < rate) {
        const kind = kinds[dirtyCount++ % kinds.length]!;
        rows++;
        yield { row: corrupt(state, kind, row), dirty: kind, subject: i };
      }
    }
    buffer.length = 0;
    if (onProgress && ((i + 1) % 16384 === 0 || i + 1 === total)) onProgress({ feedId, subjectsDone: i + 1, subjectsTotal: total, rows });
  }
  for (const row of ctx.extraRows[feedId] ?? []) {
    rows++;
    yield { row: [...row], dirty: null, subject: -1 };
  }
  const appended = ctx.dirtyRows[feedId] ?? [];
  for (let k = 0; k < appended.length; k++) {
    const base = firstRows[k % Math.max(1, firstRows.length)];
    if (!base) break;
    yield { row: corrupt(state, appended[k]!, base), dirty: appended[k]!, subject: -1 };
  }
}

export function rowRecord(header: readonly string[], row: Row): RawRecord {
  const record: RawRecord = {};
  for (let k = 0; k < header.length; k++) record[header[k]!] = row[k]!;
  return record;
}

/**
 * A feed's records as the importer takes them (`importFeed(..., { input: { name, records } })`), numbered
 * as in the feed's CSV file: the header is row 1, so the first record is row 2.
 */
export function* feedRecords(feedId: string, options: PopulationOptions | Context): Generator<NumberedRecord> {
  const header = feedHeader(mappingOf(feedId));
  let rowNo = 1;
  for (const { row } of feedRows(feedId, options)) yield { rowNo: ++rowNo, record: rowRecord(header, row) };
}
