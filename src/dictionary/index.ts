// The dictionary as the checker sees it: facts by name and derived facts ready to be resolved (and
// checked once, on first use). `createDictionary` takes the lists so tests can build broken ones.
import type { CheckContext, DefSlot } from '../rules/lang/check.ts';
import { resolveDef } from '../rules/lang/check.ts';
import { errorAt, type PolicyError } from '../rules/lang/spec.ts';
import { DERIVED_FACTS, type DerivedFactSpec } from './derived.ts';
import { FACTS, type FactDef } from './facts.ts';

export interface Dictionary {
  facts: ReadonlyMap<string, FactDef>;
  derived: ReadonlyMap<string, DefSlot>;
  derivedSpecs: readonly DerivedFactSpec[];
  /** Problems in the dictionary itself (cycles, type errors, duplicate names). */
  errors: PolicyError[];
}

export function createDictionary(facts: readonly FactDef[] = FACTS, derived: readonly DerivedFactSpec[] = DERIVED_FACTS): Dictionary {
  const errors: PolicyError[] = [];
  const factMap = new Map<string, FactDef>();
  for (const f of facts) {
    const where = { file: 'src/dictionary/facts.ts', line: 0, col: 0, path: `facts.${f.name}` };
    if (factMap.has(f.name)) errors.push(errorAt(where, `duplicate fact '${f.name}'`, 'unique fact names'));
    const nullable = 'nullable' in f.type && f.type.nullable === true;
    if (f.whenAbsent === 'false' && f.type.k !== 'bool') errors.push(errorAt(where, `whenAbsent 'false' on a non-boolean fact`, 'a boolean register'));
    if (f.whenAbsent === 'none' && !nullable) errors.push(errorAt(where, `whenAbsent 'none' on a fact that cannot be none`, 'a nullable type'));
    factMap.set(f.name, f);
  }
  const slots = new Map<string, DefSlot>();
  for (const d of derived) {
    const where = d.loc ?? { file: 'src/dictionary/derived.ts', line: 0, col: 0, path: `derived.${d.name}` };
    if (slots.has(d.name) || factMap.has(d.name)) errors.push(errorAt(where, `derived fact '${d.name}' is defined twice or shadows a fact`, 'unique names'));
    slots.set(d.name, { spec: { ...d, loc: where }, kind: 'derived', subject: d.subject, state: 'todo' });
  }
  for (const slot of slots.values()) {
    const ctx: CheckContext = { subject: slot.subject, facts: factMap, globals: slots, locals: new Map(), params: new Map(), errors, stack: [] };
    resolveDef(ctx, slot);
  }
  return { facts: factMap, derived: slots, derivedSpecs: derived, errors };
}

let standard: Dictionary | undefined;
/** The built-in dictionary, checked once. */
export function standardDictionary(): Dictionary {
  standard ??= createDictionary();
  return standard;
}

export type { FactDef, DerivedFactSpec };
