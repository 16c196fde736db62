// One declared mapping per feed: which department sends it, what identifies the subject, what period
// a row is for, and for every column its fact, type, unit and code list. Facts are named as in the
// data dictionary (src/dictionary/facts.ts); a test checks that every mapped fact exists there.

import { account, bool, col, date, industry, int, opt, region, text, yuan, average, type FeedMapping } from './mapping-kit.ts';
import { CULTURE_FEEDS } from './mappings-culture.ts';
import { EMPLOYMENT_FEEDS } from './mappings-employment.ts';
import { GROWTH_FEEDS } from './mappings-growth.ts';
import { TALENT_FEEDS } from './mappings-talent.ts';
import { WELFARE_FEEDS } from './mappings-welfare.ts';

export type { ColumnMapping, FeedMapping } from './mapping-kit.ts';

const STARS = ['一星', '二星', '三星', '四星', '五星'] as const;

const CORE_FEEDS: readonly FeedMapping[] = [
  {
    id: 'samr-registry',
    department: '市场监管',
    title: '市场主体登记信息',
    subject: 'enterprise',
    keyColumn: 'uscc',
    period: { kind: 'current' },
    mode: 'full',
    registers: { nameColumn: 'name', regionColumn: 'region_code' },
    effectiveColumn: 'effective_date',
    columns: [
      col('name', undefined, text, true),
      col('region_code', 'regionCode', region, true),
      col('industry_code', 'industryCode', industry, true),
      col('status', 'status', { kind: 'enum', values: ['存续', '注销', '吊销'] }, true),
      opt(col('org_kind', 'orgKind', { kind: 'enum', values: ['企业', '社会组织', '机关事业单位', '个体工商户'] })),
      opt(col('abnormal_operation', 'abnormalOperation', bool)),
    ],
  },
  {
    id: 'tax-annual',
    department: '税务',
    title: '企业年度纳税与财务信息',
    subject: 'enterprise',
    keyColumn: 'uscc',
    period: { kind: 'year', column: 'year' },
    mode: 'full',
    columns: [
      opt(col('revenue_yuan', 'revenueFen', yuan)),
      opt(col('total_assets_yuan', 'totalAssetsFen', yuan)),
      opt(col('rd_expense_yuan', 'rdExpenseFen', yuan)),
      opt(account(col('si_account', 'siAccount', text))),
    ],
  },
  {
    id: 'hrss-ui-annual',
    department: '人社',
    title: '失业保险年度参保缴费信息',
    subject: 'enterprise',
    keyColumn: 'uscc',
    period: { kind: 'year', column: 'year' },
    mode: 'full',
    columns: [
      col('staff', 'staff', int),
      col('ui_paid_yuan', 'uiContributionsPaidFen', yuan),
      col('ui_months_paid_in_full', 'uiMonthsPaidInFull', int),
      col('avg_insured', 'avgInsured', average),
      col('new_claimants', 'newClaimants', int),
      opt(col('insured_at_start', 'insuredAtStartOfDataYear', int)),
      opt(col('insured_at_end', 'insuredAtEndOfDataYear', int)),
      col('labor_dispatch', 'laborDispatch', bool),
    ],
  },
  {
    id: 'credit-status',
    department: '信用中国',
    title: '信用状况（严重失信主体名单、重大行政处罚）',
    subject: 'enterprise',
    keyColumn: 'uscc',
    period: { kind: 'current' },
    mode: 'full',
    atomic: true,
    columns: [col('serious_dishonest', 'seriousDishonest', bool, true), opt(col('major_penalty', 'majorPenalty', bool)), opt(col('falsified_documents', 'falsifiedDocuments', bool))],
  },
  {
    id: 'bank-accounts',
    department: '人民银行/开户银行',
    title: '单位基本存款账户',
    subject: 'enterprise',
    keyColumn: 'uscc',
    period: { kind: 'current' },
    mode: 'full',
    columns: [account(col('basic_account', 'basicAccount', text))],
  },
  {
    id: 'most-high-tech',
    department: '科技',
    title: '高新技术企业认定',
    subject: 'enterprise',
    keyColumn: 'uscc',
    period: { kind: 'current' },
    mode: 'delta',
    columns: [col('accepted_date', 'highTechAcceptedDate', date), col('cert_date', 'highTechCertDate', date), col('cert_kind', 'highTechCertKind', { kind: 'enum', values: ['首次认定', '重新认定'] })],
  },
  {
    id: 'miit-specialised',
    department: '工信',
    title: '专精特新、小巨人、单项冠军认定',
    subject: 'enterprise',
    keyColumn: 'uscc',
    period: { kind: 'current' },
    mode: 'delta',
    columns: [
      col('zjtx_provincial_date', 'zjtxProvincialDate', date),
      col('little_giant_date', 'littleGiantDate', date),
      col('single_champion_date', 'singleChampionDate', date),
      col('energy_non_compliant', 'energyNonCompliant', bool),
    ],
  },
  {
    id: 'culture-star-hotels',
    department: '文旅',
    title: '旅游饭店星级评定',
    subject: 'enterprise',
    keyColumn: 'uscc',
    period: { kind: 'current' },
    mode: 'delta',
    columns: [
      col('star_rating', 'starRating', { kind: 'enum', values: STARS }),
      col('star_rated_date', 'starRatedDate', date),
      col('star_standard_met', 'starStandardMet', { kind: 'enum', values: STARS }),
      col('star_standard_met_date', 'starStandardMetDate', date),
    ],
  },
  {
    id: 'stats-above-scale',
    department: '统计',
    title: '规模以上企业名录',
    subject: 'enterprise',
    keyColumn: 'uscc',
    period: { kind: 'year', column: 'year' },
    mode: 'full',
    columns: [col('above_scale', 'aboveScale', bool, true)],
  },
  {
    id: 'hrss-hires-monthly',
    department: '人社',
    title: '月度新招用人员（扩岗、吸纳就业、就业困难人员）',
    subject: 'enterprise',
    keyColumn: 'uscc',
    period: { kind: 'month', column: 'month' },
    mode: 'full',
    columns: [
      col('expansion_hires_1m', 'expansionHires1m', int),
      col('expansion_hires_3m', 'expansionHires3m', int),
      col('absorbed_hires', 'absorbedHires', int),
      opt(col('difficult_hires', 'difficultHires', int)),
      opt(col('difficult_hires_employer_contrib_yuan', 'difficultHiresEmployerContribFen', yuan)),
    ],
  },
  {
    id: 'csrc-listing',
    department: '证监局/地方金融监管',
    title: '上市进程与上市公司迁入',
    subject: 'enterprise',
    keyColumn: 'uscc',
    period: { kind: 'current' },
    mode: 'delta',
    columns: [
      col('counseling_filed_date', 'counselingFiledDate', date),
      col('counseling_accepted_date', 'counselingAcceptedDate', date),
      col('exchange_accepted_date', 'exchangeAcceptedDate', date),
      opt(col('exchange_approved_date', 'exchangeApprovedDate', date)),
      col('ipo_registered_date', 'ipoRegisteredDate', date),
      col('ipo_listing_date', 'ipoListingDate', date),
      col('ipo_raised_yuan', 'ipoRaisedFen', yuan),
      col('relocated_listed_date', 'relocatedListedDate', date),
      col('neeq_listed_date', 'neeqListedDate', date),
      col('neeq_innovation_relocated_date', 'neeqInnovationRelocatedDate', date),
      col('local_operation_committed', 'localOperationCommitted', bool),
      opt(col('local_substantive_ops_date', 'localSubstantiveOpsDate', date)),
    ],
  },
  {
    id: 'hrss-hire-records',
    department: '人社',
    title: '就业登记：新招用人员（逐人）',
    subject: 'person',
    keyColumn: 'id_number',
    period: { kind: 'month', column: 'hire_month' },
    mode: 'full',
    rowsPerPeriod: { column: 'employer_uscc', fact: 'hires' },
    columns: [
      col('employer_uscc', 'hiredBy', { kind: 'uscc' }, true),
      col('contract_signed', 'hireContractSigned', bool, true),
      col('insured_months', 'hireInsuredMonths', int, true),
      col('expansion_target', 'expansionTarget', bool),
      col('absorption_target', 'absorptionTarget', bool),
    ],
  },
  {
    id: 'ledger-hires-monthly',
    department: '本系统（身份台账）',
    title: '按身份台账去重后的月度新招用人数',
    subject: 'enterprise',
    keyColumn: 'uscc',
    period: { kind: 'month', column: 'month' },
    mode: 'full',
    derivedBy: 'src/matching/identity-ledger.ts',
    columns: [col('expansion_hires_1m', 'expansionHires1m', int, true), col('expansion_hires_3m', 'expansionHires3m', int, true), col('absorbed_hires', 'absorbedHires', int, true)],
  },
  {
    id: 'police-population',
    department: '公安',
    title: '户籍人口与死亡登记',
    subject: 'person',
    keyColumn: 'id_number',
    period: { kind: 'current' },
    mode: 'full',
    registers: { nameColumn: 'name', regionColumn: 'hukou_region' },
    effectiveColumn: 'effective_date',
    columns: [
      col('name', undefined, text, true, true),
      col('hukou_region', 'hukouRegion', region, true),
      opt(col('death_date', 'deathDate', date)),
      opt(col('introduced_date', 'introducedDate', date)),
    ],
  },
  {
    id: 'civil-assistance',
    department: '民政',
    title: '低保与低收入家庭',
    subject: 'person',
    keyColumn: 'id_number',
    period: { kind: 'current' },
    mode: 'full',
    columns: [col('dibao', 'dibaoHousehold', bool, true), opt(col('low_income', 'lowIncomeHousehold', bool))],
  },
  {
    id: 'disabled-certificates',
    department: '残联',
    title: '残疾人证',
    subject: 'person',
    keyColumn: 'id_number',
    period: { kind: 'current' },
    mode: 'full',
    effectiveColumn: 'effective_date',
    columns: [
      col('grade', 'disabilityGrade', { kind: 'enum', values: ['一级', '二级', '三级', '四级'] }, true),
      col('category', 'disabilityCategory', { kind: 'enum', values: ['视力', '听力', '言语', '肢体', '智力', '精神', '多重'] }, true),
      opt(col('needs_long_term_care', 'needsLongTermCare', bool)),
    ],
  },
  {
    id: 'hrss-persons',
    department: '人社',
    title: '个人参保与职业技能证书',
    subject: 'person',
    keyColumn: 'id_number',
    period: { kind: 'current' },
    mode: 'full',
    columns: [
      col('ui_insured_months', 'uiInsuredMonths', int),
      col('certificate_level', 'certificateLevel', { kind: 'enum', values: ['初级', '中级', '高级'] }),
      col('certificate_date', 'certificateDate', date),
      col('skill_subsidies_this_year', 'skillSubsidiesThisYear', int),
      col('same_certificate_claimed', 'sameCertificateClaimed', bool),
      col('training_subsidy_claimed', 'trainingSubsidyClaimed', bool),
      col('social_insurance_in_shenzhen', 'socialInsuranceInShenzhen', bool),
    ],
  },
  {
    // Persons are paid to the financial account of their social-security card (社保卡金融账户), as 民政
    // and 残联 pay 高龄津贴 and 残疾人两项补贴; 人社 holds the card register. Current state, the whole
    // register each time, so a card closed or replaced drops out of the next file.
    id: 'hrss-sscard-accounts',
    department: '人社',
    title: '社会保障卡金融账户',
    subject: 'person',
    keyColumn: 'id_number',
    period: { kind: 'current' },
    mode: 'full',
    columns: [account(col('sscard_account', 'ssCardAccount', text, true))],
  },
  {
    id: 'edu-talent',
    department: '教育/人才',
    title: '人才学历与引进信息',
    subject: 'person',
    keyColumn: 'id_number',
    period: { kind: 'current' },
    mode: 'full',
    columns: [
      col('education', 'education', { kind: 'enum', values: ['本科', '非全日制本科', '硕士', '博士'] }),
      col('fresh_graduate', 'freshGraduate', bool),
      col('returnee', 'returnee', bool),
      col('used_housing_security', 'usedHousingSecurity', bool),
    ],
  },
];

// Feeds added with the policies of one topic live in that topic's file (mappings-*.ts).
export const FEEDS: readonly FeedMapping[] = [...CORE_FEEDS, ...EMPLOYMENT_FEEDS, ...TALENT_FEEDS, ...WELFARE_FEEDS, ...GROWTH_FEEDS, ...CULTURE_FEEDS];

/** Feeds whose facts win over department feeds' within a period. */
export const DERIVED_FEED_IDS: ReadonlySet<string> = new Set(FEEDS.filter((f) => f.derivedBy).map((f) => f.id));

export function feedMapping(id: string): FeedMapping | undefined {
  return FEEDS.find((feed) => feed.id === id);
}
