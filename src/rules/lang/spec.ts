// The shapes the loader hands to the checker: source text with its location in the policy file, and the
// structured parts of a policy (tables, definitions, parameters). Errors carry file, line, column, the
// YAML path, what is wrong and what was expected.

export interface Loc {
  file: string;
  line: number;
  col: number;
  path: string;
}

export interface SrcText {
  text: string;
  loc?: Loc;
}

export interface PolicyError {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
  expected: string;
}

export function formatPolicyError(e: PolicyError): string {
  return `${e.file}:${e.line}:${e.col} ${e.path}: ${e.message}${e.expected ? ` (expected ${e.expected})` : ''}`;
}

export function errorAt(loc: Loc | undefined, message: string, expected: string, offset = 0, path?: string): PolicyError {
  return {
    file: loc?.file ?? '<built-in>',
    line: loc?.line ?? 0,
    col: (loc?.col ?? 0) + offset,
    path: path ?? loc?.path ?? '',
    message,
    expected,
  };
}

export type HitPolicy = 'unique' | 'first';

export interface TableSpec {
  hit: HitPolicy;
  inputs: { expr: SrcText; label?: string; domain?: SrcText }[];
  rows: { when: SrcText[]; then: SrcText | { undetermined: SrcText }; loc?: Loc }[];
  else?: SrcText;
  loc?: Loc;
}

type DefSpec = { expr: SrcText } | { table: TableSpec };

export interface NamedDefSpec {
  name: string;
  zh: string;
  def: DefSpec;
  cite?: string;
  loc?: Loc;
}
