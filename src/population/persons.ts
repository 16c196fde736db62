// Person i of a population, as a pure function of (seed, population size, data year, i).
//
// 公民身份号码 must be unique without remembering the ones already issued. Birth dates therefore come
// from a bijection: i is permuted onto a position in [0, N), positions are laid out along a cumulative age
// distribution, so each birth date holds a contiguous run of positions; a person's rank inside its date
// picks the address code (from a weighted list rotated per date) and the sequence number, and two persons
// on the same date never share both. Sex follows the sequence's parity (odd = male), as GB 11643 says.
import { buildIdNumber } from '../subjects/id-number.ts';
import type { Context } from './context.ts';
import { enterpriseAt } from './enterprises.ts';
import { compactDate, dayNumber, daysInYear, isoDate } from './dates.ts';
import { fmix32, hashString, Rng, Weighted } from './random.ts';
import { AGE_BANDS, BIRTHPLACE_ELSEWHERE, ELSEWHERE_REGIONS, GIVEN_CHARS, HUKOU_DISTRICT_WEIGHTS, SURNAMES, UNREGISTERED_ID_ADDRESS } from './tables.ts';
import { AppError } from '../errors.ts';

export interface Person {
  index: number;
  idNumber: string;
  name: string;
  sex: 'M' | 'F';
  birthDate: string;
  /** Age reached in the data year. */
  age: number;
  hukouRegion: string;
  deathDate: string | null;
  introducedDate: string | null;
  dibao: boolean;
  lowIncome: boolean;
  disability: { grade: string; category: string; needsLongTermCare: boolean } | null;
  insured: {
    months: number;
    certificateLevel: string | null;
    certificateDate: string | null;
    skillSubsidiesThisYear: number;
    sameCertificateClaimed: boolean;
    trainingSubsidyClaimed: boolean;
    socialInsuranceInShenzhen: boolean;
  } | null;
  talent: { education: string; freshGraduate: boolean; returnee: boolean; usedHousingSecurity: boolean } | null;
}

const PERSON_STREAM = hashString('person');
const MAX_AGE = AGE_BANDS.length * 5 - 1;
const LIST_LENGTH = 200;

/** A weighted address list of fixed length with, per position, its rank among equal codes. */
interface AddressList {
  codes: string[];
  /** Which code a position holds, as a number (the same for every position of one code). */
  codeId: Int32Array;
  occurrence: Int32Array;
  count: Int32Array;
}

function addressList(shenzhenShare: number): AddressList {
  const entries: [string, number][] = [
    ...HUKOU_DISTRICT_WEIGHTS.map(([code, w]) => [code, (w / 100) * shenzhenShare] as [string, number]),
    ...(() => {
      const total = BIRTHPLACE_ELSEWHERE.reduce((s, [, w]) => s + w, 0);
      return BIRTHPLACE_ELSEWHERE.map(([code, w]) => [code, (w / total) * (1 - shenzhenShare)] as [string, number]);
    })(),
  ];
  // Largest remainder: exactly LIST_LENGTH slots, each code at least once.
  const exact = entries.map(([, w]) => w * (LIST_LENGTH - entries.length));
  const slots = exact.map((x) => Math.floor(x) + 1);
  let left = LIST_LENGTH - slots.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    slots[i]!++;
  }
  // Interleave the codes so that a short run of ranks already spreads over many codes.
  const codes: string[] = [];
  const remaining = [...slots];
  while (codes.length < LIST_LENGTH) {
    for (let i = 0; i < entries.length && codes.length < LIST_LENGTH; i++) {
      if (remaining[i]! > 0) {
        remaining[i]!--;
        codes.push(entries[i]![0]);
      }
    }
  }
  const codeId = Int32Array.from(codes, (code) => entries.findIndex(([c]) => c === code));
  const occurrence = new Int32Array(LIST_LENGTH);
  const count = new Int32Array(LIST_LENGTH);
  const seen = new Map<string, number>();
  codes.forEach((code, pos) => {
    const n = seen.get(code) ?? 0;
    occurrence[pos] = n;
    seen.set(code, n + 1);
  });
  codes.forEach((code, pos) => (count[pos] = seen.get(code)!));
  return { codes, codeId, occurrence, count };
}

const BORN_2000_ON = addressList(0.75);
const BORN_1980S_90S = addressList(0.25);
const BORN_BEFORE_1980 = addressList(0.1);
const HUKOU = new Weighted(HUKOU_DISTRICT_WEIGHTS);
const SURNAME = new Weighted(SURNAMES);
const GRADES = new Weighted([['一级', 15], ['二级', 25], ['三级', 25], ['四级', 35]] as const);
const CATEGORIES = new Weighted([['肢体', 50], ['视力', 13], ['听力', 12], ['言语', 1], ['智力', 8], ['精神', 10], ['多重', 6]] as const);
const LEVELS = new Weighted([['初级', 50], ['中级', 35], ['高级', 15]] as const);
const EDUCATION = new Weighted([['本科', 62], ['非全日制本科', 5], ['硕士', 27], ['博士', 6]] as const);

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The per-population layout: cumulative counts by birth year and the permutation of indexes. */
export class PersonSpace {
  readonly ctx: Context;
  readonly count: number;
  /** start[k] = first position born in year firstYear + k; start[years] = count */
  private readonly start: Float64Array;
  private readonly firstYear: number;
  private readonly multiplier: number;
  private readonly offset: number;
  private readonly salt: number;

  constructor(ctx: Context) {
    this.ctx = ctx;
    this.count = ctx.persons;
    this.firstYear = ctx.dataYear - MAX_AGE;
    const weights: number[] = [];
    for (let year = this.firstYear; year <= ctx.dataYear; year++) {
      const age = ctx.dataYear - year;
      weights.push(AGE_BANDS[Math.floor(age / 5)]! / 5);
    }
    const total = weights.reduce((a, b) => a + b, 0);
    this.start = new Float64Array(weights.length + 1);
    let cumulative = 0;
    weights.forEach((w, k) => {
      this.start[k] = Math.round((cumulative / total) * this.count);
      cumulative += w;
    });
    this.start[weights.length] = this.count;
    this.salt = hashString(`persons:${ctx.seed}`);
    const n = Math.max(1, this.count);
    let a = Math.max(1, Math.floor(n * 0.6180339887) | 1);
    while (gcd(a, n) !== 1) a++;
    this.multiplier = a % n || 1;
    this.offset = this.salt % n;
    if (n > 90_000_000) throw new AppError('ARGUMENT_INVALID', 'at most 90 million persons per population');
  }

  /** Birth day number and the rank of person i among those born that day. */
  birth(index: number): { day: number; rank: number; year: number } {
    const position = (this.multiplier * index + this.offset) % this.count;
    let lo = 0;
    let hi = this.start.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.start[mid]! <= position) lo = mid;
      else hi = mid - 1;
    }
    const year = this.firstYear + lo;
    const n = this.start[lo + 1]! - this.start[lo]!;
    const days = daysInYear(year);
    const o = position - this.start[lo]!;
    const d = Math.floor((o * days) / n);
    const rank = o - Math.ceil((d * n) / days);
    return { day: dayNumber(year, 1, 1) + d, rank, year };
  }

  idNumber(day: number, rank: number, year: number): { id: string; sex: 'M' | 'F' } {
    const list = year >= 2000 ? BORN_2000_ON : year >= 1980 ? BORN_1980S_90S : BORN_BEFORE_1980;
    const t = rank + (fmix32((day ^ this.salt) >>> 0) % LIST_LENGTH);
    const pos = t % LIST_LENGTH;
    const block = Math.floor(t / LIST_LENGTH);
    const code = list.codes[pos]!;
    const q = block * list.count[pos]! + list.occurrence[pos]!;
    // The parity flip depends on the date and the code only, so it permutes that code's sequence numbers.
    const flip = fmix32((Math.imul(day, 31) + list.codeId[pos]!) ^ this.salt ^ 0x2545f491) & 1;
    const sequence = (q ^ flip) + 1;
    if (sequence > 999) throw new AppError('ARGUMENT_INVALID', `too many persons born on one day (${isoDate(day)}) for unique 公民身份号码`);
    const seq3 = sequence < 10 ? `00${sequence}` : sequence < 100 ? `0${sequence}` : String(sequence);
    return { id: buildIdNumber(code, compactDate(day), seq3), sex: sequence % 2 === 1 ? 'M' : 'F' };
  }
}

export function personAt(space: PersonSpace, index: number): Person {
  const ctx = space.ctx;
  if (index < 0 || index >= space.count) throw new AppError('ARGUMENT_INVALID', `person ${index} is outside the population of ${space.count}`);
  const { day, rank, year } = space.birth(index);
  const { id, sex } = space.idNumber(day, rank, year);
  const age = ctx.dataYear - year;
  const rng = new Rng(ctx.seed, PERSON_STREAM, index);

  const name = SURNAME.draw(rng) + rng.pick(GIVEN_CHARS) + (rng.chance(0.8) ? rng.pick(GIVEN_CHARS) : '');
  const bornHere = id.startsWith('4403');
  const movedOut = rng.chance(0.005);
  const hukouRegion = movedOut ? rng.pick(ELSEWHERE_REGIONS) : bornHere && rng.chance(0.7) ? id.slice(0, 6) : HUKOU.draw(rng);

  // Deaths registered from two years before the data year up to the as-of date; mortality rises ~10% a year of age.
  const windowStart = Math.max(day, dayNumber(ctx.dataYear - 2, 1, 1));
  const years = Math.max(0, (ctx.asOfDay - windowStart) / 365.25);
  const q = Math.min(0.5, 0.000015 * Math.exp(0.095 * age));
  const deathDate = rng.chance(1 - (1 - q) ** years) ? isoDate(rng.int(windowStart, ctx.asOfDay)) : null;
  const alive = deathDate === null;

  const disabilityP = 0.005 + (age >= 60 ? 0.02 : 0) + (age >= 80 ? 0.03 : 0);
  let disability: Person['disability'] = null;
  if (rng.chance(disabilityP)) {
    const grade = GRADES.draw(rng);
    const care = grade === '一级' ? 0.6 : grade === '二级' ? 0.3 : 0.05;
    disability = { grade, category: CATEGORIES.draw(rng), needsLongTermCare: rng.chance(care) };
  }
  const dibao = rng.chance(0.0015 * (disability ? 3 : 1) * (age >= 60 ? 2 : 1));
  const lowIncome = !dibao && rng.chance(0.002);

  // Talent: introduced to Shenzhen (户籍) 2019-2022 with a degree, aged 22 or more at the time.
  let talent: Person['talent'] = null;
  let introducedDate: string | null = null;
  if (alive && !movedOut && age >= 23 && age <= 45 && rng.chance(age <= 35 ? 0.12 : 0.04)) {
    const from = Math.max(dayNumber(2019, 1, 1), day + Math.ceil(22 * 365.25));
    const to = Math.min(dayNumber(2022, 12, 31), ctx.dataYearEnd);
    if (from <= to) {
      const introduced = rng.int(from, to);
      introducedDate = isoDate(introduced);
      let education = EDUCATION.draw(rng);
      if (education === '博士' && introduced - day < 27 * 365) education = '硕士';
      const advanced = education === '硕士' || education === '博士';
      talent = { education, freshGraduate: rng.chance(0.55), returnee: rng.chance(advanced ? 0.15 : 0.03), usedHousingSecurity: rng.chance(0.08) };
    }
  }

  let insured: Person['insured'] = null;
  if (alive && age >= 18 && age <= 62 && (talent !== null || rng.chance(0.8))) {
    const certified = rng.chance(0.05);
    insured = {
      months: rng.int(1, Math.min(480, (age - 17) * 12)),
      certificateLevel: certified ? LEVELS.draw(rng) : null,
      certificateDate: certified ? isoDate(rng.int(ctx.dataYearStart, ctx.dataYearEnd)) : null,
      skillSubsidiesThisYear: certified && rng.chance(0.1) ? 1 : 0,
      sameCertificateClaimed: certified && rng.chance(0.03),
      trainingSubsidyClaimed: certified && rng.chance(0.05),
      socialInsuranceInShenzhen: rng.chance(0.95),
    };
  }

  return { index, idNumber: id, name, sex, birthDate: isoDate(day), age, hukouRegion, deathDate, introducedDate, dibao, lowIncome, disability, insured, talent };
}

/** A valid 公民身份号码 no generated person has (its address code is used by nobody): dirty rows' unregistered persons. */
export function unregisteredIdNumber(k: number): string {
  const day = dayNumber(1950, 1, 1) + Math.floor(k / 999);
  const sequence = (k % 999) + 1;
  return buildIdNumber(UNREGISTERED_ID_ADDRESS, compactDate(day), String(sequence).padStart(3, '0'));
}

const HIRE_STREAM = hashString('hire');

export interface HireRecord {
  /** 1-12, a month of the data year */
  month: number;
  employerUscc: string;
  contractSigned: boolean;
  insuredMonths: number;
  expansionTarget: boolean;
  absorptionTarget: boolean;
}

/** An employer for a new hire: a 存续 unit with insured staff, larger units more likely (a few tries). */
function employerFor(ctx: Context, rng: Rng): string | null {
  for (let attempt = 0; attempt < 8; attempt++) {
    const e = enterpriseAt(ctx, rng.int(0, ctx.enterprises - 1));
    if (e.status !== '存续' || !e.reporting || e.avgInsured < 1) continue;
    if (attempt < 7 && !rng.chance(Math.min(1, 0.1 + e.avgInsured / 50))) continue;
    return e.uscc;
  }
  return null;
}

/**
 * 就业登记 of the data year: about one person in twelve of working age starts a job; a few start two in
 * the year with different employers (the case the identity ledger must count once). Employers are
 * enterprises of the same population, so the records join the enterprise feeds.
 */
export function hiresOf(ctx: Context, p: Person): HireRecord[] {
  if (p.deathDate !== null || p.age < 16 || p.age > 60 || ctx.enterprises === 0) return [];
  const rng = new Rng(ctx.seed, HIRE_STREAM, p.index);
  if (!rng.chance(p.age <= 24 ? 0.2 : 0.07)) return [];
  const young = p.age <= 24 || (p.talent?.freshGraduate ?? false);
  const out: HireRecord[] = [];
  const first = rng.int(1, 12);
  const months = rng.chance(0.04) && first < 12 ? [first, rng.int(first + 1, 12)] : [first];
  for (const month of months) {
    const employerUscc = employerFor(ctx, rng);
    if (!employerUscc) continue;
    out.push({
      month,
      employerUscc,
      contractSigned: rng.chance(0.95),
      insuredMonths: rng.int(0, 12 - month + 3),
      expansionTarget: young && rng.chance(0.8),
      absorptionTarget: rng.chance(0.1),
    });
  }
  return out;
}
