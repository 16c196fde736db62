// GoRules JDM decision graphs for @gorules/zen-engine: decision tables and expression nodes chained from
// the request to the response, one graph per point, built here as the plain JDM JSON the GoRules editor
// reads and writes (`jdmGraph(key)` returns it; the same JSON is kept in bench/peers/zen-engine/*.json). ZEN numbers are
// decimals, so 30% of a fen amount is exact and round() is half away from zero: half-up for amounts ≥ 0.
// ZEN raises an error when it compares null, so every fact that may be absent is tested for null first,
// and a table row that might match but is not known to (a null in a compared column) gives null, which
// the next node reads as undetermined (not eligible), as the policy language does.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ZenEngine, type ZenDecision } from '@gorules/zen-engine';
import type { SubjectFacts } from './facts.ts';
import type { PeerDecision, PeriodInput } from './points.ts';
import { OTHER_GROUP, SIZE_GROUPS, type SizeBand } from './size-class.ts';

interface JdmNode {
  id: string;
  type: 'inputNode' | 'outputNode' | 'decisionTableNode' | 'expressionNode';
  name: string;
  position: { x: number; y: number };
  content?: unknown;
}
export interface JdmGraph {
  contentType: 'application/vnd.gorules.decision';
  nodes: JdmNode[];
  edges: { id: string; sourceId: string; targetId: string; type: 'edge' }[];
}

let seq = 0;
const id = (prefix: string) => `${prefix}-${++seq}`;

/** A decision table: `rows` are [input cells..., output cells...] as ZEN unary tests / expressions ('' = any). */
function table(name: string, hitPolicy: 'first' | 'collect', inputs: string[], outputs: string[], rows: string[][]): JdmNode {
  const ins = inputs.map((field) => ({ id: id('in'), name: field, field }));
  const outs = outputs.map((field) => ({ id: id('out'), name: field, field }));
  return {
    id: id('table'),
    type: 'decisionTableNode',
    name,
    position: { x: 0, y: 0 },
    content: {
      hitPolicy,
      passThrough: true,
      inputs: ins,
      outputs: outs,
      rules: rows.map((cells) => {
        if (cells.length !== ins.length + outs.length) throw new Error(`${name}: row has ${cells.length} cells, expected ${ins.length + outs.length}`);
        const rule: Record<string, string> = { _id: id('rule') };
        [...ins, ...outs].forEach((c, k) => (rule[c.id] = cells[k] as string));
        return rule;
      }),
    },
  };
}

function expressions(name: string, entries: [key: string, value: string][], passThrough: boolean): JdmNode {
  return { id: id('expr'), type: 'expressionNode', name, position: { x: 0, y: 0 }, content: { passThrough, expressions: entries.map(([key, value]) => ({ id: id('e'), key, value })) } };
}

function chain(nodes: JdmNode[]): JdmGraph {
  const all: JdmNode[] = [{ id: 'request', type: 'inputNode', name: 'request', position: { x: 0, y: 0 } }, ...nodes, { id: 'response', type: 'outputNode', name: 'response', position: { x: 0, y: 0 } }];
  all.forEach((n, k) => (n.position = { x: 250 * k, y: 100 }));
  return { contentType: 'application/vnd.gorules.decision', nodes: all, edges: all.slice(1).map((n, k) => ({ id: id('edge'), sourceId: (all[k] as JdmNode).id, targetId: n.id, type: 'edge' })) };
}

const q = (s: string) => JSON.stringify(s);
const startsAny = (prefixes: readonly string[]) => prefixes.map((p) => `startsWith($, ${q(p)})`).join(' or ');
/** GB/T 2260: a province/city code stands for its prefix without trailing "00" pairs. */
const regionPrefix = (code: string) => (code.endsWith('0000') ? code.slice(0, 2) : code.endsWith('00') ? code.slice(0, 4) : code);
const regionIn = (field: string, codes: readonly string[]) => `(${field} != null and (${codes.map((c) => `startsWith(${field}, ${q(regionPrefix(c))})`).join(' or ')}))`;
const yearIs = (field: string) => `(${field} != null and year(date(${field})) == period.year)`;
const known = (field: string, test: string) => `(${field} != null and ${field} ${test})`;

/** 划型行业 then 企业划型 (工信部联企业〔2011〕300号 第四条), as two first-hit tables. */
function sizeClassTables(): JdmNode[] {
  const groupRows: string[][] = [['$ == null', 'null']];
  for (const g of SIZE_GROUPS) groupRows.push([startsAny(g.prefixes), q(g.group)]);
  groupRows.push(['', q(OTHER_GROUP.group)]);
  const definitely = (t: number | null) => (t === null ? '' : `$ != null and $ >= ${t}`);
  const possibly = (t: number | null) => (t === null ? '' : `$ == null or $ >= ${t}`);
  const classRows: string[][] = [];
  for (const g of [...SIZE_GROUPS, OTHER_GROUP]) {
    const bands: [string, SizeBand][] = [['大型', g.large], ['中型', g.medium], ['小型', g.small]];
    for (const [label, [staff, revenue, assets]] of bands) {
      classRows.push([q(g.group), definitely(staff), definitely(revenue), definitely(assets), q(label)]);
      classRows.push([q(g.group), possibly(staff), possibly(revenue), possibly(assets), 'null']);
    }
    classRows.push([q(g.group), '', '', '', q('微型')]);
  }
  classRows.push(['', '', '', '', 'null']); // no industry code: undetermined
  return [
    table('划型行业', 'first', ['industryCode'], ['sizeIndustryGroup'], groupRows),
    table('企业划型', 'first', ['sizeIndustryGroup', 'staff', 'revenueFen', 'totalAssetsFen'], ['sizeClass'], classRows),
  ];
}

/** The last node: eligible when every condition holds and the amount is known; the amount in fen. */
function decision(conditions: string[], amount: string): JdmNode {
  return expressions('决定', [['eligible', `${conditions.map((c) => `(${c})`).join(' and ')} and (${amount}) != null`], ['amountFen', `$.eligible ? ${amount} : null`]], false);
}

const PRD = ['440100', '440300', '440400', '440600', '440700', '441200', '441300', '441900', '442000'];

const JDM_GRAPHS: Record<string, () => JdmGraph> = {
  wengang: () =>
    chain([
      ...sizeClassTables(),
      table('返还比例', 'first', ['sizeClass'], ['rate'], [['"大型"', '0.3'], ['"中型", "小型", "微型"', '0.6'], ['', 'null']]),
      decision(
        [
          'period.end >= 20240101 and period.start <= 20241231',
          'status == "存续"',
          known('uiMonthsPaidInFull', '>= 12'),
          known('avgInsured', '> 0'),
          known('uiContributionsPaidFen', '> 0'),
          '(newClaimants == 0) or (avgInsured != null and newClaimants != null and avgInsured > 0 and newClaimants / avgInsured <= (avgInsured <= 30 ? 0.2 : 0.055))',
          'seriousDishonest == false',
          'laborDispatch == false',
          'rate != null and uiContributionsPaidFen != null',
        ],
        'rate != null and uiContributionsPaidFen != null ? round(uiContributionsPaidFen * rate) : null',
      ),
    ]),
  xiaojuren: () =>
    chain([
      ...sizeClassTables(),
      table('小巨人奖励标准', 'first', ['regionCode'], ['rewardFen'], [['$ == null', 'null'], [PRD.map((c) => `startsWith($, ${q(regionPrefix(c))})`).join(' or '), '100000000'], ['startsWith($, "44")', '120000000'], ['', '0']]),
      decision(
        [
          'period.end >= 20230101',
          regionIn('regionCode', ['440000']),
          'sizeClass != null and sizeClass != "大型"',
          yearIs('littleGiantDate'),
          'abnormalOperation != true',
          'seriousDishonest == false',
          'majorPenalty != true',
        ],
        'rewardFen',
      ),
    ]),
  hotel: () =>
    chain([
      table('星级奖励标准', 'first', ['starRating'], ['rewardFen'], [['"五星"', '50000000'], ['"四星"', '30000000'], ['"三星"', '10000000'], ['', '0']]),
      decision(
        [
          'period.end >= 20200101',
          regionIn('regionCode', ['421281']),
          '(industryCode != null and startsWith(industryCode, "H61"))',
          'starRating in ["三星", "四星", "五星"]',
          yearIs('starRatedDate'),
          'aboveScale == true',
          'seriousDishonest == false',
        ],
        'rewardFen',
      ),
    ]),
  kuogang: () =>
    chain([
      decision(
        ['period.end >= 20230625 and period.start <= 20231231', 'status == "存续"', 'orgKind == "企业"', known('expansionHires1m', '>= 1'), 'seriousDishonest == false'],
        'expansionHires1m != null ? expansionHires1m * 150000 : null',
      ),
    ]),
  gaoqi: () =>
    chain([
      decision(
        [
          'period.end >= 20230101',
          regionIn('regionCode', ['441900']),
          yearIs('highTechCertDate'),
          'highTechCertKind == "首次认定"',
          'aboveScale != true or (rdExpenseFen != null and rdExpenseFen != 0)',
          'energyNonCompliant != true',
          'majorPenalty != true',
        ],
        '8000000',
      ),
    ]),
};

export function jdmGraph(key: string): JdmGraph {
  const build = JDM_GRAPHS[key];
  if (!build) throw new Error(`no JDM graph for ${key}`);
  seq = 0; // ids are numbered per graph, so the JSON is the same however many graphs were built before
  return build();
}

/** Where the graph is kept as a JDM file (open it in the GoRules editor); test/peers.test.ts keeps it in step. */
export function jdmFile(key: string): URL {
  return new URL(`./zen-engine/${key}.json`, import.meta.url);
}

// node bench/peers/zen-engine.ts --write : (re)writes bench/peers/zen-engine/<key>.json from the builders.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && process.argv.includes('--write')) {
  mkdirSync(new URL('./zen-engine/', import.meta.url), { recursive: true });
  for (const key of Object.keys(JDM_GRAPHS)) writeFileSync(jdmFile(key), `${JSON.stringify(jdmGraph(key), null, 2)}\n`);
}

export interface ZenPoint {
  decision: ZenDecision;
  period: PeriodInput;
}

export function createZen(): ZenEngine {
  return new ZenEngine();
}

/** The decision loaded from its committed JDM file (the builder's output, kept in step by the test). */
export function zenPoint(engine: ZenEngine, key: string, period: PeriodInput): ZenPoint {
  return { decision: engine.createDecision(JSON.parse(readFileSync(jdmFile(key), 'utf8')) as JdmGraph), period };
}

export function zenInput(facts: SubjectFacts, period: PeriodInput): Record<string, unknown> {
  return { ...facts, period };
}

export function zenResult(result: unknown): PeerDecision {
  const r = result as { eligible?: unknown; amountFen?: unknown };
  if (r.eligible !== true) return { eligible: false, amountFen: null };
  if (typeof r.amountFen !== 'number' || !Number.isSafeInteger(r.amountFen)) throw new Error(`ZEN gave a non-integer amount: ${JSON.stringify(r)}`);
  return { eligible: true, amountFen: r.amountFen };
}
