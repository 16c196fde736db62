// The checked form of policy expressions: every node typed, every name resolved to a fact, a derived
// fact, a local definition or a parameter. Both the explaining evaluator and the compiler read this.
import type { FactDef } from '../../dictionary/facts.ts';
import type { Rat } from './rational.ts';
import type { HitPolicy } from './spec.ts';
import type { CodeList, Type } from './types.ts';

/** Runtime values of the explaining evaluator: numbers exact, dates as day numbers, none as null. */
export type Val = Rat | boolean | string | number | null;

export type CmpOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface DefIR {
  name: string;
  zh: string;
  kind: 'derived' | 'let';
  cite: string | undefined;
  ty: Type;
  body: IR;
  /** Content of the definition for hashing. */
  source: unknown;
}

export interface DatedValue {
  from: number;
  to: number | null;
  fromText: string;
  toText: string | null;
  v: Val;
  text: string;
  cite: string;
  note: string | undefined;
}

export interface ParamIR {
  name: string;
  zh: string;
  ty: Type;
  values: DatedValue[];
}

export type Cell =
  | { k: 'any' }
  | { k: 'cmp'; o: CmpOp; v: Val; text: string }
  | { k: 'range'; lo: Val; loInc: boolean; hi: Val; hiInc: boolean; text: string }
  | { k: 'oneof'; vs: Val[]; negated: boolean; text: string }
  | { k: 'code'; list: CodeList; prefixes: string[]; text: string };

export interface TableIR {
  hit: HitPolicy;
  inputs: { ir: IR; label: string; domain: Cell }[];
  rows: { cells: Cell[]; out: IR | { undetermined: FactDef } }[];
  else: IR | undefined;
}

interface Base {
  id: number;
  ty: Type;
  src: string;
}

export type IR = Base &
  (
    | { op: 'const'; v: Val; pct: boolean }
    | { op: 'fact'; fact: FactDef }
    | { op: 'ref'; def: DefIR }
    | { op: 'param'; param: ParamIR }
    | { op: 'period'; field: 'start' | 'end' | 'year' | 'dataYear' }
    | { op: 'arith'; o: '+' | '-' | '*' | '/'; l: IR; r: IR }
    | { op: 'cmp'; o: CmpOp; l: IR; r: IR }
    | { op: 'and' | 'or'; l: IR; r: IR }
    | { op: 'not'; a: IR }
    | { op: 'neg'; a: IR }
    | { op: 'in'; negated: boolean; item: IR; values: Val[]; prefixes: string[] | null }
    | { op: 'isnone'; negated: boolean; a: IR }
    | { op: 'if'; c: IR; a: IR; b: IR }
    | { op: 'call'; fn: string; args: IR[] }
    | { op: 'table'; table: TableIR }
  );
