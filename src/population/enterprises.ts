// Enterprise i of a population, as a pure function of (seed, data year, i): the facts every enterprise
// feed draws on. Indexes 0-9 are the fixed anchor firms.
import { buildUscc, USCC_ALPHABET } from '../subjects/uscc.ts';
import { ANCHORS, type Anchor } from './anchors.ts';
import type { Context } from './context.ts';
import { dayNumber, isoDate, parseIsoDate } from './dates.ts';
import { hashString, Rng, Weighted } from './random.ts';
import {
  aboveScaleThresholdYuan,
  BRAND_CHARS,
  DISTRICT_NAMES,
  ENTERPRISE_DISTRICT_WEIGHTS,
  INDUSTRY_SECTIONS,
  LITTLE_GIANT_DATES,
  SECTION_BY_LETTER,
  SHENZHEN_DISTRICTS,
  TOWN_NAMES,
  type IndustryClass,
} from './tables.ts';
import { AppError } from '../errors.ts';

type OrgKind = '企业' | '个体工商户' | '社会组织' | '机关事业单位';
type Status = '存续' | '注销' | '吊销';

export interface Enterprise {
  index: number;
  uscc: string;
  name: string;
  regionCode: string;
  industryCode: string;
  status: Status;
  orgKind: OrgKind;
  abnormalOperation: boolean;
  /** Files tax and social-insurance returns for the data year (every 存续 unit; some closed after it). */
  reporting: boolean;
  revenueFen: number | null;
  totalAssetsFen: number | null;
  rdExpenseFen: number | null;
  siAccount: string | null;
  basicAccount: string | null;
  staff: number;
  avgInsured: number;
  insuredAtStart: number;
  insuredAtEnd: number;
  newClaimants: number;
  uiPaidFen: number;
  uiMonthsPaidInFull: number;
  laborDispatch: boolean;
  seriousDishonest: boolean;
  majorPenalty: boolean;
  falsifiedDocuments: boolean;
  highTech: { acceptedDate: string; certDate: string; kind: '首次认定' | '重新认定' } | null;
  zjtxProvincialDate: string | null;
  littleGiantDate: string | null;
  singleChampionDate: string | null;
  energyNonCompliant: boolean;
  star: { rating: string | null; ratedDate: string | null; standardMet: string | null; standardMetDate: string | null } | null;
  aboveScale: boolean;
}

const ENTERPRISE_STREAM = hashString('enterprise');

// 统一社会信用代码 organisation bodies: "MA5" + 5 characters of the USCC alphabet, numbered by an affine
// bijection of [0, 31^5): unique for up to 28.6 million enterprises with no set kept in memory.
const BODY_SPACE = 31 ** 5;
const BODY_MULTIPLIER = 7_368_787; // not a multiple of 31, so i -> (a*i + b) mod 31^5 is a bijection

function base31(value: number): string {
  let out = '';
  for (let k = 0; k < 5; k++) {
    out = USCC_ALPHABET[value % 31]! + out;
    value = Math.floor(value / 31);
  }
  return out;
}

export function organisationBody(seed: number, index: number, prefix = 'MA5'): string {
  if (index >= BODY_SPACE) throw new AppError('ARGUMENT_INVALID', `at most ${BODY_SPACE} enterprises per population`);
  const offset = hashString(`uscc:${seed}`) % BODY_SPACE;
  return prefix + base31((BODY_MULTIPLIER * index + offset) % BODY_SPACE);
}

/** A valid 统一社会信用代码 that no generated enterprise has: the "unregistered subject" of dirty rows. */
export function unregisteredUscc(seed: number, k: number): string {
  return buildUscc('9', '1', '440305', organisationBody(seed, k, 'MA6'));
}

const USCC_PREFIX: Record<OrgKind, [string, string]> = { 企业: ['9', '1'], 个体工商户: ['9', '2'], 社会组织: ['5', '2'], 机关事业单位: ['1', '2'] };

const DISTRICTS = new Weighted(ENTERPRISE_DISTRICT_WEIGHTS);
const CLASSES = new Weighted<IndustryClass>(
  INDUSTRY_SECTIONS.flatMap((s) => {
    const total = s.classes.reduce((sum, k) => sum + k.weight, 0);
    return s.classes.map((k) => [k, (s.weight * k.weight) / total] as const);
  }),
);
const SOLE_TRADER_CLASSES = new Weighted<IndustryClass>([
  [{ code: 'F5212', label: '便利店', weight: 0 }, 25],
  [{ code: 'F5221', label: '粮油店', weight: 0 }, 8],
  [{ code: 'F5271', label: '手机店', weight: 0 }, 8],
  [{ code: 'F5292', label: '网店', weight: 0 }, 12],
  [{ code: 'H6210', label: '餐馆', weight: 0 }, 20],
  [{ code: 'H6220', label: '快餐店', weight: 0 }, 12],
  [{ code: 'H6291', label: '小吃店', weight: 0 }, 10],
  [{ code: 'O8010', label: '家政服务部', weight: 0 }, 3],
  [{ code: 'O8111', label: '汽车维修店', weight: 0 }, 2],
]);
const DISPATCH_CLASS: IndustryClass = { code: 'L7263', label: '人力资源', weight: 0 };
const STAR_LEVELS = new Weighted([['二星', 3], ['三星', 30], ['四星', 35], ['五星', 32]] as const);
const BANK_PREFIXES = ['4000', '7559', '4420', '4410', '8110', '3380', '6225'];

function accountNumber(rng: Rng, closed = false): string {
  let digits = rng.pick(BANK_PREFIXES);
  const a = rng.u32();
  const b = rng.u32();
  digits += String(a % 1_000_000).padStart(6, '0') + String(b % 1_000_000).padStart(6, '0');
  // The sandbox bank treats accounts ending in 0000 as closed (AC04); only a designated anchor has one.
  if (closed) return `${digits.slice(0, 12)}0000`;
  return digits.endsWith('0000') ? `${digits.slice(0, 15)}1` : digits;
}

function dateIn(rng: Rng, from: number, to: number): string {
  return isoDate(rng.int(from, Math.max(from, to)));
}

function anchorEnterprise(ctx: Context, index: number, anchor: Anchor): Enterprise {
  const rng = new Rng(ctx.seed, ENTERPRISE_STREAM, index);
  const [regionCode] = SHENZHEN_DISTRICTS[index % SHENZHEN_DISTRICTS.length]!;
  const revenueFen = anchor.revenueYuan * 100;
  const basic = anchor.account === 'none' || anchor.account === 'social-insurance' ? null : accountNumber(rng, anchor.account === 'closed');
  const status = anchor.status ?? '存续';
  return {
    index,
    uscc: buildUscc('9', '1', regionCode, organisationBody(ctx.seed, index)),
    name: `深圳市${anchor.label}有限公司`,
    regionCode,
    industryCode: anchor.industryCode,
    status,
    orgKind: '企业',
    abnormalOperation: false,
    reporting: true,
    revenueFen,
    totalAssetsFen: Math.round(revenueFen * 0.6),
    rdExpenseFen: 0,
    siAccount: anchor.account === 'none' ? null : accountNumber(rng),
    basicAccount: basic,
    staff: anchor.staff,
    avgInsured: anchor.avgInsured,
    insuredAtStart: anchor.avgInsured + Math.ceil(anchor.newClaimants / 2),
    insuredAtEnd: anchor.avgInsured - Math.floor(anchor.newClaimants / 2),
    newClaimants: anchor.newClaimants,
    uiPaidFen: Number(anchor.contributionsFen),
    uiMonthsPaidInFull: anchor.months,
    laborDispatch: anchor.laborDispatch ?? false,
    seriousDishonest: anchor.seriousDishonest ?? false,
    majorPenalty: false,
    falsifiedDocuments: false,
    highTech: null,
    zjtxProvincialDate: null,
    littleGiantDate: null,
    singleChampionDate: null,
    energyNonCompliant: false,
    star: null,
    aboveScale: status === '存续' && anchor.revenueYuan >= aboveScaleThresholdYuan(anchor.industryCode),
  };
}

function orgKindOf(rng: Rng): OrgKind {
  const roll = rng.next();
  return roll < 0.86 ? '企业' : roll < 0.98 ? '个体工商户' : roll < 0.995 ? '社会组织' : '机关事业单位';
}

export function enterpriseAt(ctx: Context, index: number): Enterprise {
  const anchor = ANCHORS[index];
  if (anchor) return anchorEnterprise(ctx, index, anchor);
  const rng = new Rng(ctx.seed, ENTERPRISE_STREAM, index);
  const year = ctx.dataYear;

  const orgKind = orgKindOf(rng);
  const regionCode = DISTRICTS.draw(rng);
  const laborDispatch = orgKind === '企业' && rng.chance(0.03);
  let industry: IndustryClass;
  if (laborDispatch && rng.chance(0.6)) industry = DISPATCH_CLASS;
  else if (orgKind === '个体工商户') industry = SOLE_TRADER_CLASSES.draw(rng);
  else if (orgKind === '社会组织') industry = { code: 'S9522', label: '行业协会', weight: 0 };
  else if (orgKind === '机关事业单位') industry = rng.pick([{ code: 'Q8411', label: '医院', weight: 0 }, { code: 'P8394', label: '教育服务中心', weight: 0 }, { code: 'S9121', label: '服务中心', weight: 0 }]);
  else industry = CLASSES.draw(rng);
  const section = SECTION_BY_LETTER[industry.code[0]!];

  const statusRoll = rng.next();
  const status: Status = statusRoll < 0.95 ? '存续' : statusRoll < 0.985 ? '注销' : '吊销';
  const abnormalOperation = status === '存续' ? rng.chance(0.06) : status === '吊销' && rng.chance(0.4);
  const reporting = status === '存续' || rng.chance(0.3);

  // Size: log-normal headcount by section; sole traders are one to a few people; a large share of
  // registered firms are dormant shells with a person or two and next to no revenue.
  const dormant = orgKind === '企业' && rng.chance(0.4);
  let staff: number;
  if (dormant) staff = rng.int(1, 3);
  else if (orgKind === '个体工商户') staff = Math.max(1, Math.round(rng.logNormal(0.4, 0.6)));
  else if (orgKind === '机关事业单位') staff = Math.max(5, Math.round(rng.logNormal(3.8, 1.0)));
  else if (orgKind === '社会组织') staff = Math.max(1, Math.round(rng.logNormal(1.5, 0.9)));
  else staff = Math.max(1, Math.round(rng.logNormal(section?.staffMu ?? 1.5, section?.staffSigma ?? 1.2)));
  staff = Math.min(staff, 250_000);

  const insuredShare = orgKind === '个体工商户' ? (rng.chance(0.35) ? 0.5 + rng.next() * 0.5 : 0) : 0.7 + rng.next() * 0.3;
  let avgInsured = Math.round(staff * insuredShare);
  if (orgKind !== '个体工商户') avgInsured = Math.max(1, avgInsured);
  // Growth over the data year, roughly +3% a year with a wide spread.
  const growth = Math.max(-0.6, Math.min(1.5, 0.03 + 0.15 * rng.normal()));
  const insuredAtStart = Math.max(0, Math.round(avgInsured * (1 - growth / 2)));
  const insuredAtEnd = Math.max(0, Math.round(avgInsured * (1 + growth / 2)));
  // Layoffs: most firms none; about one in twenty above the 5.5% rate 稳岗返还 allows.
  const layoffRoll = rng.next();
  const layoffRate = layoffRoll < 0.72 ? 0 : layoffRoll < 0.95 ? rng.next() * 0.055 : 0.055 + rng.next() * 0.25;
  let newClaimants = Math.min(avgInsured, Math.round(avgInsured * layoffRate));
  if (layoffRate > 0.055 && newClaimants === 0 && avgInsured > 0) newClaimants = 1;
  // Unemployment insurance: about 1% of wages (2,360 to 30,000 元 a month), months since the last arrears.
  const ageMonths = Math.max(1, Math.round(-Math.log(1 - rng.next()) * 7 * 12));
  const uiMonthsPaidInFull = avgInsured === 0 ? 0 : rng.chance(0.08) ? rng.int(1, 11) : Math.min(ageMonths, 360);
  const perHeadFen = Math.min(360_000, Math.max(28_320, Math.round(rng.logNormal(Math.log(110_000), 0.45))));
  const uiPaidFen = Math.round((avgInsured * perHeadFen * Math.min(12, uiMonthsPaidInFull)) / 12);

  let revenueFen: number | null = null;
  let totalAssetsFen: number | null = null;
  let rdExpenseFen: number | null = null;
  const perHead = orgKind === '个体工商户' ? 120_000 : orgKind === '企业' ? (industry.code.startsWith('F52') ? 400_000 : (section?.revenuePerHead ?? 500_000)) : 200_000;
  const revenueYuan = dormant ? rng.next() * 200_000 : Math.min(5e11, staff * perHead * rng.logNormal(-1.1, 0.8));
  if (!rng.chance(0.02)) revenueFen = Math.floor(revenueYuan) * 100 + rng.int(0, 99);
  if (revenueFen !== null && rng.chance(0.85)) totalAssetsFen = Math.floor((revenueFen * rng.logNormal(-0.3, 0.8)) / 100) * 100 + rng.int(0, 99);
  const researchSection = industry.code[0] === 'C' || industry.code[0] === 'I' || industry.code[0] === 'M';

  // 高新技术企业: C, I and M firms with some staff, about 1% of all units.
  let highTech: Enterprise['highTech'] = null;
  if (orgKind === '企业' && status === '存续' && staff >= 3) {
    const sizeFactor = staff < 10 ? 0.3 : staff < 50 ? 1.5 : staff < 300 ? 3 : 4;
    if (rng.chance((section?.highTech ?? 0) * 0.012 * sizeFactor)) {
      const certYear = year - rng.int(0, 2);
      highTech = {
        acceptedDate: dateIn(rng, dayNumber(certYear, 5, 1), dayNumber(certYear, 7, 31)),
        certDate: dateIn(rng, dayNumber(certYear, 11, 1), dayNumber(certYear, 12, 28)),
        kind: rng.chance(0.45) ? '首次认定' : '重新认定',
      };
    }
  }
  if (revenueFen !== null && orgKind === '企业' && researchSection && (highTech || rng.chance(0.4))) {
    const ratio = highTech ? 0.04 + rng.next() * 0.1 : 0.005 + rng.next() * 0.08;
    rdExpenseFen = Math.floor(revenueFen * ratio);
  } else if (revenueFen !== null) rdExpenseFen = 0;

  // 专精特新 (provincial), 小巨人 (national, a subset), 单项冠军 (large manufacturers).
  let zjtxProvincialDate: string | null = null;
  let littleGiantDate: string | null = null;
  let singleChampionDate: string | null = null;
  if (orgKind === '企业' && status === '存续' && staff >= 10 && staff < 1000 && rng.chance(researchSection ? 0.012 : 0.0015)) {
    const y = rng.int(Math.min(2019, year), year);
    zjtxProvincialDate = dateIn(rng, dayNumber(y, 6, 1), dayNumber(y, 12, 28));
    if (rng.chance(0.12)) {
      const batches = LITTLE_GIANT_DATES.filter((d) => d <= `${year}-12-31`);
      if (batches.length > 0) littleGiantDate = rng.pick(batches);
    }
  }
  if (orgKind === '企业' && status === '存续' && industry.code[0] === 'C' && staff >= 300 && rng.chance(0.01)) {
    const y = rng.int(Math.min(2016, year), year);
    singleChampionDate = dateIn(rng, dayNumber(y, 11, 1), dayNumber(y, 12, 28));
  }
  const energyNonCompliant = (zjtxProvincialDate !== null || singleChampionDate !== null) && rng.chance(0.03);

  // Star-rated hotels among 旅游饭店 (H6110).
  let star: Enterprise['star'] = null;
  if (industry.code === 'H6110' && status === '存续') {
    const roll = rng.next();
    if (roll < 0.15) star = { rating: STAR_LEVELS.draw(rng), ratedDate: dateIn(rng, dayNumber(year - 6, 1, 1), ctx.dataYearEnd), standardMet: null, standardMetDate: null };
    else if (roll < 0.2) star = { rating: null, ratedDate: null, standardMet: rng.chance(0.6) ? '三星' : '四星', standardMetDate: dateIn(rng, dayNumber(year - 2, 1, 1), ctx.dataYearEnd) };
  }

  const seriousDishonest = rng.chance(0.015);
  const majorPenalty = rng.chance(0.01);
  const falsifiedDocuments = rng.chance(0.001);

  const hasBasic = rng.chance(orgKind === '个体工商户' ? 0.5 : orgKind === '企业' ? 0.93 : 0.98);
  const basicAccount = hasBasic ? accountNumber(rng) : null;
  const siAccount = avgInsured > 0 && rng.chance(0.92) ? accountNumber(rng) : null;

  const district = DISTRICT_NAMES[regionCode]!;
  const brand = rng.pick(BRAND_CHARS) + rng.pick(BRAND_CHARS);
  let name: string;
  if (orgKind === '企业') name = `深圳市${brand}${industry.label}${rng.chance(0.05) ? '股份' : ''}有限公司`;
  else if (orgKind === '个体工商户') name = `深圳市${district}区${rng.pick(TOWN_NAMES)}${brand}${industry.label}`;
  else if (orgKind === '社会组织') name = `深圳市${brand}${rng.pick(['电子', '软件', '物流', '餐饮', '家居', '医疗器械', '跨境电商'])}${industry.label}`;
  else name = `深圳市${district}区${brand}${industry.label}`;

  return {
    index,
    uscc: buildUscc(...USCC_PREFIX[orgKind], regionCode, organisationBody(ctx.seed, index)),
    name,
    regionCode,
    industryCode: industry.code,
    status,
    orgKind,
    abnormalOperation,
    reporting,
    revenueFen,
    totalAssetsFen,
    rdExpenseFen,
    siAccount,
    basicAccount,
    staff,
    avgInsured,
    insuredAtStart,
    insuredAtEnd,
    newClaimants,
    uiPaidFen,
    uiMonthsPaidInFull,
    laborDispatch,
    seriousDishonest,
    majorPenalty,
    falsifiedDocuments,
    highTech,
    zjtxProvincialDate,
    littleGiantDate,
    singleChampionDate,
    energyNonCompliant,
    star,
    aboveScale: status === '存续' && reporting && revenueFen !== null && revenueFen >= aboveScaleThresholdYuan(industry.code) * 100,
  };
}

const HIRES_STREAM = hashString('hires');

export interface MonthlyHires {
  month: number;
  expansionHires1m: number;
  expansionHires3m: number;
  absorbedHires: number;
  difficultHires: number;
  difficultHiresEmployerContribFen: number;
}

/** The data year's months in which an enterprise hired people that 扩岗/吸纳就业/就业困难 subsidies count. */
export function monthlyHires(ctx: Context, e: Enterprise): MonthlyHires[] {
  if (!e.reporting || e.status !== '存续' || e.avgInsured < 1) return [];
  const rng = new Rng(ctx.seed, HIRES_STREAM, e.index);
  const p = e.avgInsured < 10 ? 0.03 : e.avgInsured < 50 ? 0.08 : e.avgInsured < 300 ? 0.2 : 0.45;
  const out: MonthlyHires[] = [];
  for (let month = 1; month <= 12; month++) {
    if (!rng.chance(p)) continue;
    const scale = Math.max(1, Math.round(e.avgInsured * 0.01));
    const h1 = rng.int(0, 2 * scale);
    const h3 = Math.round(h1 * rng.next());
    const absorbed = rng.chance(0.25) ? rng.int(1, scale) : 0;
    const difficult = rng.chance(0.15) ? rng.int(1, 3) : 0;
    if (h1 + absorbed + difficult === 0) continue;
    out.push({ month, expansionHires1m: h1, expansionHires3m: h3, absorbedHires: absorbed, difficultHires: difficult, difficultHiresEmployerContribFen: difficult * rng.int(48_000, 90_000) });
  }
  return out;
}

const LISTING_STREAM = hashString('listing');

export interface Listing {
  counselingFiledDate: string | null;
  counselingAcceptedDate: string | null;
  exchangeAcceptedDate: string | null;
  exchangeApprovedDate: string | null;
  ipoRegisteredDate: string | null;
  ipoListingDate: string | null;
  ipoRaisedFen: number | null;
  relocatedListedDate: string | null;
  neeqListedDate: string | null;
  neeqInnovationRelocatedDate: string | null;
  localOperationCommitted: boolean;
  /** 首次在本地实质开展业务运营 (地方金融监管's finding), for relocated listed and 新三板创新层 firms. */
  localSubstantiveOpsDate: string | null;
}

/**
 * The enterprise's place in the listing pipeline (上市辅导备案 -> 验收 -> 交易所受理 -> 注册 -> 上市), its
 * 新三板 listing, or its relocation here as a listed company; null for almost everyone (about 0.05%).
 * Drawn from a stream of its own, so the other feeds do not change with it.
 */
export function listingOf(ctx: Context, e: Enterprise): Listing | null {
  if (e.orgKind !== '企业' || e.status !== '存续') return null;
  const rng = new Rng(ctx.seed, LISTING_STREAM, e.index);
  const pipeline = e.staff >= 100 && rng.chance(0.02);
  const neeq = !pipeline && e.staff >= 20 && rng.chance(0.004);
  const relocated = !pipeline && !neeq && e.staff >= 300 && rng.chance(0.01);
  if (!pipeline && !neeq && !relocated) return null;
  const end = ctx.dataYearEnd;
  const listing: Listing = {
    counselingFiledDate: null,
    counselingAcceptedDate: null,
    exchangeAcceptedDate: null,
    exchangeApprovedDate: null,
    ipoRegisteredDate: null,
    ipoListingDate: null,
    ipoRaisedFen: null,
    relocatedListedDate: null,
    neeqListedDate: null,
    neeqInnovationRelocatedDate: null,
    localOperationCommitted: rng.chance(0.5),
    localSubstantiveOpsDate: null,
  };
  if (pipeline) {
    // Each stage follows the previous one by months; a firm stops at a random stage (or before the data year ends).
    let day = rng.int(dayNumber(ctx.dataYear - 4, 1, 1), end);
    const stages = rng.int(1, 5);
    const gaps = [0, rng.int(150, 360), rng.int(60, 200), rng.int(120, 360), rng.int(15, 60)];
    const keys = ['counselingFiledDate', 'counselingAcceptedDate', 'exchangeAcceptedDate', 'ipoRegisteredDate', 'ipoListingDate'] as const;
    for (let k = 0; k < stages; k++) {
      day += gaps[k]!;
      if (day > end) break;
      listing[keys[k]!] = isoDate(day);
    }
    // The listing committee's approval falls between acceptance and registration (about three weeks before it).
    if (listing.ipoRegisteredDate && listing.exchangeAcceptedDate) {
      listing.exchangeApprovedDate = isoDate(Math.max(parseIsoDate(listing.exchangeAcceptedDate), parseIsoDate(listing.ipoRegisteredDate) - 20));
    }
    if (listing.ipoListingDate) listing.ipoRaisedFen = rng.int(3_000, 60_000) * 10_000_000 + rng.int(0, 99);
  } else if (neeq) {
    listing.neeqListedDate = dateIn(rng, dayNumber(ctx.dataYear - 8, 1, 1), end);
    if (rng.chance(0.1)) listing.neeqInnovationRelocatedDate = dateIn(rng, dayNumber(ctx.dataYear - 1, 1, 1), end);
  } else {
    listing.relocatedListedDate = dateIn(rng, dayNumber(ctx.dataYear - 2, 1, 1), end);
  }
  // Substantive operations here start about a month after the move, when they start within the data.
  const moved = listing.relocatedListedDate ?? listing.neeqInnovationRelocatedDate;
  if (moved && parseIsoDate(moved) + 30 <= end) listing.localSubstantiveOpsDate = isoDate(parseIsoDate(moved) + 30);
  return listing;
}
