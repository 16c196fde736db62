// What an expression depends on: facts, parameters and definitions, transitively.
import type { FactDef } from '../../dictionary/facts.ts';
import { children } from './evaluate.ts';
import type { DefIR, IR, ParamIR } from './ir.ts';

/** Everything an IR tree depends on: facts, parameters and definitions (transitively). */
export function dependencies(roots: IR[]): { facts: Set<FactDef>; params: Set<ParamIR>; defs: Set<DefIR> } {
  const facts = new Set<FactDef>();
  const params = new Set<ParamIR>();
  const defs = new Set<DefIR>();
  const seen = new Set<IR>();
  const walk = (ir: IR) => {
    if (seen.has(ir)) return;
    seen.add(ir);
    if (ir.op === 'fact') facts.add(ir.fact);
    if (ir.op === 'param') params.add(ir.param);
    if (ir.op === 'ref' && !defs.has(ir.def)) {
      defs.add(ir.def);
      walk(ir.def.body);
    }
    if (ir.op === 'table') for (const row of ir.table.rows) if ('undetermined' in row.out) facts.add(row.out.undetermined);
    children(ir).forEach(walk);
  };
  roots.forEach(walk);
  return { facts, params, defs };
}

