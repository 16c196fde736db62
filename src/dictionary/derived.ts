// Derived facts: rules like any other, written in the policy language and checked with it.
// 企业划型 follows 工信部联企业〔2011〕300号《中小企业划型标准规定》第四条 for the industries the reference
// implementation in src/rules/enterprise-size.ts covers; industries whose thresholds need total assets
// (建筑业, 房地产, 租赁和商务服务) and 农林牧渔 yield "undetermined: totalAssetsFen" exactly as it does.
import type { NamedDefSpec } from '../rules/lang/spec.ts';
import type { SubjectType } from './facts.ts';

export interface DerivedFactSpec extends NamedDefSpec {
  subject: SubjectType;
  description: string;
}

const S = (text: string) => ({ text });
const CITE_300 = '工信部联企业〔2011〕300号 第四条';

// [group, clause, large (staff, revenue), medium, small]; revenue null = classified by staff alone.
const SIZE_ROWS: [string, [number, string | null], [number, string | null], [number, string | null]][] = [
  ['工业', [1000, '40000万元'], [300, '2000万元'], [20, '300万元']],
  ['批发业', [200, '40000万元'], [20, '5000万元'], [5, '1000万元']],
  ['零售业', [300, '20000万元'], [50, '500万元'], [10, '100万元']],
  ['交通运输业', [1000, '30000万元'], [300, '3000万元'], [20, '200万元']],
  ['仓储业', [200, '30000万元'], [100, '1000万元'], [20, '100万元']],
  ['邮政业', [1000, '30000万元'], [300, '2000万元'], [20, '100万元']],
  ['住宿业', [300, '10000万元'], [100, '2000万元'], [10, '100万元']],
  ['餐饮业', [300, '10000万元'], [100, '2000万元'], [10, '100万元']],
  ['信息传输业', [2000, '100000万元'], [100, '1000万元'], [10, '100万元']],
  ['软件和信息技术服务业', [300, '10000万元'], [100, '1000万元'], [10, '50万元']],
  ['其他未列明行业', [300, null], [100, null], [10, null]],
];

function sizeRows() {
  const rows: { when: { text: string }[]; then: { text: string } | { undetermined: { text: string } } }[] = [];
  for (const [group, large, medium, small] of SIZE_ROWS) {
    const g = S(`"${group}"`);
    const band = ([staff, revenue]: [number, string | null]) => [S(`>= ${staff}人`), S(revenue ? `>= ${revenue}` : '-')];
    rows.push({ when: [g, ...band(large)], then: S('"大型"') });
    rows.push({ when: [g, ...band(medium)], then: S('"中型"') });
    rows.push({ when: [g, ...band(small)], then: S('"小型"') });
    rows.push({ when: [g, S('-'), S('-')], then: S('"微型"') });
  }
  rows.push({ when: [S('"需资产总额"'), S('-'), S('-')], then: { undetermined: S('totalAssetsFen') } });
  return rows;
}

export const DERIVED_FACTS: readonly DerivedFactSpec[] = [
  {
    name: 'sizeIndustryGroup',
    zh: '划型行业',
    subject: 'enterprise',
    cite: CITE_300,
    description: '按 GB/T 4754 行业代码归入 300号文第四条的行业类别',
    def: {
      table: {
        hit: 'first',
        inputs: [{ expr: S('industryCode'), label: '行业代码' }],
        rows: [
          { when: [S('["B", "C", "D"]')], then: S('"工业"') },
          { when: [S('"F51"')], then: S('"批发业"') },
          { when: [S('"F"')], then: S('"零售业"') },
          { when: [S('"G59"')], then: S('"仓储业"') },
          { when: [S('"G60"')], then: S('"邮政业"') },
          { when: [S('"G"')], then: S('"交通运输业"') },
          { when: [S('"H61"')], then: S('"住宿业"') },
          { when: [S('"H"')], then: S('"餐饮业"') },
          { when: [S('"I65"')], then: S('"软件和信息技术服务业"') },
          { when: [S('"I"')], then: S('"信息传输业"') },
          { when: [S('["A", "E", "K", "L"]')], then: S('"需资产总额"') },
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
    description: '大型/中型/小型/微型，按行业、从业人员、营业收入划分；派生，不录入',
    def: {
      table: {
        hit: 'first',
        inputs: [
          { expr: S('sizeIndustryGroup'), label: '划型行业' },
          { expr: S('staff'), label: '从业人员' },
          { expr: S('revenueFen'), label: '营业收入' },
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
