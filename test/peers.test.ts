// The peer comparison stays honest: the json-rules-engine rules, the zen-engine JDM graphs and the
// hand-written closures of bench/peers give what our explaining evaluator gives (eligible or not, amount
// in fen) for generated subjects, a relocated copy for points outside Shenzhen, the hotel value grid and
// each point's own YAML tests; and our fast path gives the evaluator's outcome and amount.
import { beforeAll, describe, expect, it } from 'vitest';
import { agreeOnSubjects, agreeOnYamlTests, type PointAgreement } from '../bench/peers/agree.ts';
import { enterpriseFacts, type SubjectFacts } from '../bench/peers/facts.ts';
import { readFileSync } from 'node:fs';
import { jdmFile, jdmGraph } from '../bench/peers/zen-engine.ts';
import { loadRuleFile } from '../bench/peers/json-rules-engine.ts';
import { PEER_POINTS } from '../bench/peers/points.ts';
import { loadLibraryOrThrow, type Library } from '../src/policies/library.ts';

const SUBJECTS = 3000;
let library: Library;
let facts: SubjectFacts[];

beforeAll(async () => {
  library = await loadLibraryOrThrow('policies');
  facts = enterpriseFacts(SUBJECTS, 7);
});

const mismatches = (a: PointAgreement) => ({ fastPath: a.fastPath.mismatches, closure: a.closure.mismatches, jsonRulesEngine: a.jsonRulesEngine.mismatches, zenEngine: a.zenEngine.mismatches });
const none = { fastPath: 0, closure: 0, jsonRulesEngine: 0, zenEngine: 0 };

describe('peer encodings agree with the evaluator', () => {
  for (const point of PEER_POINTS) {
    it(`${point.id}: generated subjects${point.relocate ? ', relocated copy' : ''}${point.grid ? ', value grid' : ''} and YAML tests`, async () => {
      const model = library.byId.get(point.id);
      expect(model, `${point.id} is in the library`).toBeDefined();
      const results = [...(await agreeOnSubjects(model!, point, facts)), await agreeOnYamlTests(model!, point)];
      for (const a of results) {
        expect(mismatches(a), `${a.point} ${a.dataset}: ${JSON.stringify([a.fastPath, a.closure, a.jsonRulesEngine, a.zenEngine].flatMap((e) => e.examples).slice(0, 3))}`).toEqual(none);
        expect(a.jsonRulesEngine.checked).toBe(a.subjects);
        expect(a.zenEngine.checked).toBe(a.subjects);
      }
      // The check is only worth something if the point's amount is actually reached somewhere.
      expect(results.reduce((s, a) => s + a.eligible, 0)).toBeGreaterThan(0);
    });
  }

  it('稳岗返还 reaches many subjects in the generated data, with undetermined ones among them', async () => {
    const point = PEER_POINTS.find((p) => p.key === 'wengang')!;
    const [matcher] = await agreeOnSubjects(library.byId.get(point.id)!, point, facts.slice(0, 1000));
    expect(matcher!.eligible).toBeGreaterThan(200);
    expect(matcher!.undetermined).toBeGreaterThan(50);
  });

  it('the encodings are plain data in the peers\' formats', () => {
    for (const point of PEER_POINTS) {
      const rules = loadRuleFile(point.key);
      expect(rules.point).toBe(point.id);
      expect(rules.rules.length).toBeGreaterThan(0);
      const graph = jdmGraph(point.key);
      expect(JSON.parse(JSON.stringify(graph))).toEqual(graph);
      expect(graph.nodes[0]!.type).toBe('inputNode');
      expect(graph.nodes.at(-1)!.type).toBe('outputNode');
      expect(graph.edges).toHaveLength(graph.nodes.length - 1);
      // The committed JDM file is what the builder produces (regenerate: node bench/peers/zen-engine.ts --write).
      expect(JSON.parse(readFileSync(jdmFile(point.key), 'utf8'))).toEqual(graph);
    }
  });
});
