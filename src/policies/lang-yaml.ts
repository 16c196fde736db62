// Reading YAML nodes with positions: every value read here knows its file, line, column and path, so
// that a loader error can say exactly where it is and what was expected.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Document, type Node } from 'yaml';
import { errorAt, type Loc, type PolicyError, type SrcText } from '../rules/lang/spec.ts';

export interface YCtx {
  file: string;
  lc: LineCounter;
  errors: PolicyError[];
  doc?: Document;
}

export type YNode = Node | null | undefined;

export function parseYaml(file: string, text: string): { root: YNode; ctx: YCtx } {
  const lc = new LineCounter();
  const ctx: YCtx = { file, lc, errors: [] };
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  ctx.doc = doc;
  // The first few syntax errors; later ones are usually echoes of the first.
  for (const e of doc.errors.slice(0, 5)) {
    const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
    ctx.errors.push({ file, line: pos.line, col: pos.col, path: '', message: `YAML: ${e.message.split('\n')[0]}`, expected: 'well-formed YAML' });
  }
  return { root: doc.errors.length ? undefined : doc.contents, ctx };
}

/** Plain JS value of a node (for hashing what the author wrote). */
export function toPlain(ctx: YCtx, node: YNode): unknown {
  if (!node || !ctx.doc) return null;
  try {
    return node.toJS(ctx.doc, { maxAliasCount: 50 });
  } catch (e) {
    fail(ctx, node, '', `YAML: ${(e as Error).message.split('\n')[0]}`, 'anchors (&name) defined before their aliases (*name), without loops');
    return null;
  }
}

/** Follows a YAML alias (*name) to its anchored node, so shared blocks read like written ones. */
function deref(ctx: YCtx, node: Node | null | undefined): Node | null {
  if (node && isAlias(node) && ctx.doc) {
    const target = node.resolve(ctx.doc);
    if (!target) {
      ctx.errors.push(errorAt(locOf(ctx, node, ''), `YAML: alias *${node.source} has no anchor before it`, 'an anchor &name defined before the alias *name'));
      return null;
    }
    return target;
  }
  return node ?? null;
}

export function locOf(ctx: YCtx, node: YNode, path: string): Loc {
  const range = node && 'range' in node ? node.range : undefined;
  if (!range) return { file: ctx.file, line: 1, col: 1, path };
  const pos = ctx.lc.linePos(range[0]);
  const quoted = isScalar(node) && (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) ? 1 : 0;
  return { file: ctx.file, line: pos.line, col: pos.col + quoted, path };
}

export function fail(ctx: YCtx, node: YNode, path: string, message: string, expected: string): undefined {
  ctx.errors.push(errorAt(locOf(ctx, node, path), message, expected));
  return undefined;
}

export function kind(node: YNode): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return node.value === null ? 'an empty value' : `${typeof node.value} ${JSON.stringify(node.value)}`;
  return 'an alias';
}

/** A mapping's entries by key, refusing keys not in `allowed` and reporting missing required keys. */
export function mapOf(ctx: YCtx, node: YNode, path: string, allowed: readonly string[], required: readonly string[] = []): Record<string, Node | null> | undefined {
  if (!isMap(node)) return fail(ctx, node, path, `expected a mapping, found ${kind(node)}`, `a mapping with keys ${allowed.join(', ')}`);
  const out: Record<string, Node | null> = {};
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined) {
      fail(ctx, pair.key as YNode, path, 'mapping keys must be plain text', 'a key name');
      continue;
    }
    if (allowed.length && !allowed.includes(key)) {
      fail(ctx, pair.key as YNode, `${path}.${key}`, `unknown key '${key}'`, `one of ${allowed.join(', ')}`);
      continue;
    }
    out[key] = deref(ctx, pair.value as Node | null);
  }
  for (const r of required) if (!(r in out)) fail(ctx, node, path, `missing required key '${r}'`, `a '${r}' entry`);
  return out;
}

/** Free-form mapping (e.g. test facts): keys with their nodes. */
export function entriesOf(ctx: YCtx, node: YNode, path: string): [string, Node | null, YNode][] | undefined {
  if (!isMap(node)) return fail(ctx, node, path, `expected a mapping, found ${kind(node)}`, 'a mapping');
  const out: [string, Node | null, YNode][] = [];
  for (const pair of node.items) {
    if (!isScalar(pair.key)) {
      fail(ctx, pair.key as YNode, path, 'mapping keys must be plain text', 'a key name');
      continue;
    }
    out.push([String(pair.key.value), deref(ctx, pair.value as Node | null), pair.key]);
  }
  return out;
}

export function listOf(ctx: YCtx, node: YNode, path: string): Node[] | undefined {
  if (!isSeq(node)) return fail(ctx, node, path, `expected a list, found ${kind(node)}`, 'a list (lines starting with -)');
  return node.items.map((n) => deref(ctx, n as Node) as Node);
}

/** A scalar's value as written text: an author may write 3 or true where text is meant; none, lists and dates are not text. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

export function str(ctx: YCtx, node: YNode, path: string, opts: { pattern?: RegExp; expected?: string; allowEmpty?: boolean } = {}): string | undefined {
  const v = isScalar(node) ? scalarText(node.value) : undefined;
  if (v === undefined) return fail(ctx, node, path, `expected text, found ${kind(node)}`, opts.expected ?? 'text');
  if (!opts.allowEmpty && v.trim() === '') return fail(ctx, node, path, 'empty text', opts.expected ?? 'non-empty text');
  if (opts.pattern && !opts.pattern.test(v)) return fail(ctx, node, path, `'${v}' has the wrong form`, opts.expected ?? String(opts.pattern));
  return v;
}

export function optStr(ctx: YCtx, node: YNode, path: string, opts: { pattern?: RegExp; expected?: string } = {}): string | null | undefined {
  if (node === undefined || (isScalar(node) && node.value === null)) return null;
  return str(ctx, node, path, opts);
}

export function bool(ctx: YCtx, node: YNode, path: string): boolean | undefined {
  if (!isScalar(node) || typeof node.value !== 'boolean') return fail(ctx, node, path, `expected true or false, found ${kind(node)}`, 'true or false');
  return node.value;
}

export function int(ctx: YCtx, node: YNode, path: string): number | undefined {
  if (!isScalar(node) || typeof node.value !== 'number' || !Number.isSafeInteger(node.value)) return fail(ctx, node, path, `expected a whole number, found ${kind(node)}`, 'a whole number');
  return node.value;
}

/** An expression (or a scalar usable as one) with its location. */
export function src(ctx: YCtx, node: YNode, path: string): SrcText | undefined {
  const text = isScalar(node) ? scalarText(node.value) : undefined;
  if (text === undefined) return fail(ctx, node, path, `expected an expression, found ${kind(node)}`, 'an expression written as text');
  if (text.trim() === '') return fail(ctx, node, path, 'empty expression', 'an expression');
  return { text, loc: locOf(ctx, node, path) };
}

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

