// Derived facts: rules like any other, written in the policy language and checked with it.
//
// 企业划型: the one table of the system, 工信部联企业〔2011〕300号《中小企业划型标准规定》第四条 (一)-(十六),
// with industries mapped from GB/T 4754-2017 codes as 国统字〔2017〕213号《统计上大中小微型企业划分办法
// （2017）》 maps them. Large, medium and small must meet every listed lower bound ("须同时满足所列指标的
// 下限，否则下划一档"); micro is what is left. 营业收入 and 资产总额 come in fen from the tax-annual feed
// (revenueFen, totalAssetsFen); 从业人员 from staff. A figure a row does not use is '-' so an enterprise
// missing it is still classified (e.g. 农、林、牧、渔业 needs 营业收入 only).
//
// Sources read (2026-12, through the stored-pages search; no page of the issuing ministries was in the store,
// so every figure below rests on reprints that quote the notice, [S2]):
//   - 第四条 (一)-(六) quoted verbatim: https://www.xueke.org/wenku/193994.html and https://juduo.cc/club/7730001.html
//     ("（一）农、林、牧、渔业。营业收入20000万元以下的为中小微型企业。其中，营业收入500万元及以上的为中型
//     企业，营业收入50万元及以上的为小型企业…"; "（三）建筑业。营业收入80000万元以下或资产总额80000万元以下的
//     为中小微型企业。其中，营业收入6000万元及以上，且资产总额5000万元及以上的为中型企业；营业收入300万元及以上，
//     且资产总额300万元及以上的为小型企业…")
//   - the 213号 table (all 16 groups, X/Y/Z bounds): https://kubaishu.com/life/202393.html
//     ("房地产开发经营 营业收入(Y) Y≥200000 1000≤Y<200000 100≤Y<1000 Y<100 资产总额(Z) Z≥10000 5000≤Z<10000 …")
//   - (十三)-(十六): http://sichuanhong.com/content/202511/2630471_2.html ("13、房地产开发经营。营业收入200000万元
//     以下或资产总额10000万元以下的为中小微型企业。其中营业收入100万元及以上，且资产总额2000万元及以上的为小型
//     企业…14、物业管理。从业人员1000人以下或营业收入5000万元以下…15、租赁和商务服务业。从业人员300人以下或
//     资产总额120000万元以下…16、其他未列明行业。从业人员300人以下的为中小微型企业")
// Industry mapping (213号 附表, GB/T 4754-2017): 工业 = B, C, D; 交通运输业 = G53-G58; 仓储业 = G59; 邮政业 = G60;
// 信息传输业 = I63, I64; 软件和信息技术服务业 = I65; 房地产开发经营 = K701; 物业管理 = K702; 租赁和商务服务业 = L;
// 其他未列明行业 = the rest, including K703 房地产中介服务 and K709 其他房地产业. Not modelled, and said here so
// nobody thinks it is: the 213号 note that 其他未列明行业 excludes 自有房地产经营活动 (K704 is classified as
// 其他未列明行业 here), and sections the 300号 standard does not cover at all (J 金融业 has its own standard,
// 银发〔2015〕309号; P, Q84, S, T are not enterprises in the usual sense) fall into 其他未列明行业 too.
import type { NamedDefSpec } from '../rules/lang/spec.ts';
import type { SubjectType } from './facts.ts';

export interface DerivedFactSpec extends NamedDefSpec {
  subject: SubjectType;
  description: string;
}

const S = (text: string) => ({ text });
const CITE_300 = '工信部联企业〔2011〕300号 第四条';

/** One band: the lower bounds on 从业人员 (人), 营业收入 and 资产总额 (万元); null = not a criterion of the group. */
type Band = readonly [staff: number | null, revenueWan: number | null, assetsWan: number | null];

/** [group, clause of 第四条, large, medium, small]; micro is every enterprise of the group below small. */
const SIZE_TABLE: readonly (readonly [group: string, clause: string, large: Band, medium: Band, small: Band])[] = [
  ['农、林、牧、渔业', '（一）', [null, 20000, null], [null, 500, null], [null, 50, null]],
  ['工业', '（二）', [1000, 40000, null], [300, 2000, null], [20, 300, null]],
  ['建筑业', '（三）', [null, 80000, 80000], [null, 6000, 5000], [null, 300, 300]],
  ['批发业', '（四）', [200, 40000, null], [20, 5000, null], [5, 1000, null]],
  ['零售业', '（五）', [300, 20000, null], [50, 500, null], [10, 100, null]],
  ['交通运输业', '（六）', [1000, 30000, null], [300, 3000, null], [20, 200, null]],
  ['仓储业', '（七）', [200, 30000, null], [100, 1000, null], [20, 100, null]],
  ['邮政业', '（八）', [1000, 30000, null], [300, 2000, null], [20, 100, null]],
  ['住宿业', '（九）', [300, 10000, null], [100, 2000, null], [10, 100, null]],
  ['餐饮业', '（十）', [300, 10000, null], [100, 2000, null], [10, 100, null]],
  ['信息传输业', '（十一）', [2000, 100000, null], [100, 1000, null], [10, 100, null]],
  ['软件和信息技术服务业', '（十二）', [300, 10000, null], [100, 1000, null], [10, 50, null]],
  ['房地产开发经营', '（十三）', [null, 200000, 10000], [null, 1000, 5000], [null, 100, 2000]],
  ['物业管理', '（十四）', [1000, 5000, null], [300, 1000, null], [100, 500, null]],
  ['租赁和商务服务业', '（十五）', [300, null, 120000], [100, null, 8000], [10, null, 100]],
  ['其他未列明行业', '（十六）', [300, null, null], [100, null, null], [10, null, null]],
];

/** GB/T 4754-2017 code prefix -> group, first match wins (213号 附表). */
const SIZE_INDUSTRY_PREFIXES: readonly (readonly [prefixes: readonly string[], group: string])[] = [
  [['A'], '农、林、牧、渔业'],
  [['B', 'C', 'D'], '工业'],
  [['E'], '建筑业'],
  [['F51'], '批发业'],
  [['F'], '零售业'],
  [['G59'], '仓储业'],
  [['G60'], '邮政业'],
  [['G'], '交通运输业'],
  [['H61'], '住宿业'],
  [['H'], '餐饮业'],
  [['I65'], '软件和信息技术服务业'],
  [['I'], '信息传输业'],
  [['K701'], '房地产开发经营'],
  [['K702'], '物业管理'],
  [['L'], '租赁和商务服务业'],
];

function sizeRows() {
  const rows: { when: { text: string }[]; then: { text: string } }[] = [];
  const bound = (v: number | null, unit: string) => S(v === null ? '-' : `>= ${v}${unit}`);
  for (const [group, , large, medium, small] of SIZE_TABLE) {
    const g = S(`"${group}"`);
    const band = ([staff, revenue, assets]: Band) => [bound(staff, '人'), bound(revenue, '万元'), bound(assets, '万元')];
    rows.push({ when: [g, ...band(large)], then: S('"大型"') });
    rows.push({ when: [g, ...band(medium)], then: S('"中型"') });
    rows.push({ when: [g, ...band(small)], then: S('"小型"') });
    rows.push({ when: [g, S('-'), S('-'), S('-')], then: S('"微型"') });
  }
  return rows;
}

export const DERIVED_FACTS: readonly DerivedFactSpec[] = [
  {
    name: 'sizeIndustryGroup',
    zh: '划型行业',
    subject: 'enterprise',
    cite: CITE_300,
    description: '按 GB/T 4754-2017 行业代码归入 300号文第四条的十六类（国统字〔2017〕213号 附表）',
    def: {
      table: {
        hit: 'first',
        inputs: [{ expr: S('industryCode'), label: '行业代码' }],
        rows: [
          ...SIZE_INDUSTRY_PREFIXES.map(([prefixes, group]) => ({ when: [S(JSON.stringify(prefixes))], then: S(`"${group}"`) })),
          { when: [S('-')], then: S('"其他未列明行业"') },
        ],
      },
    },
  },
  {
    name: 'sizeClass',
    zh: '企业划型',
    subject: 'enterprise',
    cite: CITE_300,
    description: '大型/中型/小型/微型，按行业、从业人员、营业收入、资产总额划分；派生，不录入',
    def: {
      table: {
        hit: 'first',
        inputs: [
          { expr: S('sizeIndustryGroup'), label: '划型行业' },
          { expr: S('staff'), label: '从业人员' },
          { expr: S('revenueFen'), label: '营业收入' },
          { expr: S('totalAssetsFen'), label: '资产总额' },
        ],
        rows: sizeRows(),
      },
    },
  },
  {
    name: 'isSme',
    zh: '中小微企业',
    subject: 'enterprise',
    cite: CITE_300,
    description: '划型为中型、小型或微型（即非大型）',
    def: { expr: S('sizeClass != "大型"') },
  },
  {
    name: 'layoffRate',
    zh: '裁员率',
    subject: 'enterprise',
    cite: '通行口径：上年度新增领取失业保险金人数 ÷ 上年度月平均参保人数',
    description: '数据年度新增领取失业保险金人数除以月平均参保人数；参保人数为0时无法计算',
    def: { expr: S('newClaimants / avgInsured') },
  },
  {
    name: 'layoffRateByInsuredChange',
    zh: '裁员率（参保人数减少口径）',
    subject: 'enterprise',
    cite: '浙江2022年口径：（上上年末参保人数 − 上年末参保人数）÷ 上上年末参保人数',
    description: '参保人数净减少占数据年度初参保人数的比例（人数增加时为负，即未裁员）；年初参保为0时无法计算',
    def: { expr: S('(insuredAtStartOfDataYear - insuredAtEndOfDataYear) / insuredAtStartOfDataYear') },
  },
  {
    name: 'ageYears',
    zh: '周岁年龄（本期末）',
    subject: 'person',
    description: '截至本期最后一天的周岁年龄',
    def: { expr: S('age(birthDate, period.end)') },
  },
  {
    name: 'shenzhenHukou',
    zh: '深圳户籍',
    subject: 'person',
    description: '户籍所在地在深圳市（440300）辖区内',
    def: { expr: S('hukouRegion in ["440300"]') },
  },
  {
    name: 'aliveInPeriod',
    zh: '本期在世',
    subject: 'person',
    description: '无死亡登记，或死亡日期不早于本期起始日（死亡次月起停发）',
    def: { expr: S('deathDate is none or deathDate >= period.start') },
  },
];
