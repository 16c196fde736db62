// A readable diff of a policy file's points against the version published: every changed field of
// each point, with its old and new value. A point is compared as its YAML (conditions, exceptions,
// amount, let, tags, effective dates, payment, notice, confirmation, timeLimits, budget, ...), the
// dated values of the parameters it reads (from its canonical data), and its test cases. Lists whose
// items carry an id or a name (conditions, parameters, tests) are compared item by item by that key.
import { canonicalJson, toJson, type Json } from '../audit/canonical-json.ts';
import type { PointModel } from '../rules/lang/model.ts';
import type { Library } from './library.ts';

interface FieldChange {
  /** A path into the point: amount.expr, conditions[AGE_70].when, parameters[rate].values[0].value, tests[名称].expect.amount. */
  field: string;
  old: Json;
  new: Json;
}

export interface PointDiff {
  pointId: string;
  change: 'added' | 'removed' | 'changed' | 'unchanged';
  oldContentHash: string | null;
  newContentHash: string | null;
  changes: FieldChange[];
}

/** What of a point the diff compares, as plain data. */
function pointView(point: PointModel): Json {
  const canonical = point.canonical as { point: unknown; parameters: unknown; document: unknown };
  const tests = point.tests.map((t) => ({ name: t.name, kind: t.kind, period: t.period, facts: t.facts, expect: t.expect }));
  return toJson({ ...(canonical.point as Record<string, unknown>), parameters: canonical.parameters, document: canonical.document, tests });
}

const isObject = (v: Json | undefined): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: Json | undefined, b: Json | undefined) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/** The key items of two lists are compared by: their id or their name, when every item of each list has one, distinct in its list. */
function keyOf(a: Json[], b: Json[]): ((item: Json) => string) | undefined {
  for (const k of ['id', 'name']) {
    const keyed = (items: Json[]) => {
      const keys = items.map((i) => (isObject(i) && typeof i[k] === 'string' ? i[k] : undefined));
      return keys.every((x) => x !== undefined) && new Set(keys).size === keys.length;
    };
    if (a.length + b.length > 0 && keyed(a) && keyed(b)) return (item) => (item as Record<string, string>)[k]!;
  }
  return undefined;
}

function walk(path: string, a: Json | undefined, b: Json | undefined, out: FieldChange[]): void {
  if (same(a, b)) return;
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])]) walk(at(key), a[key], b[key], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const key = keyOf(a, b);
    if (key) {
      const left = new Map(a.map((i) => [key(i), i]));
      const right = new Map(b.map((i) => [key(i), i]));
      for (const k of [...new Set([...left.keys(), ...right.keys()])]) walk(`${path}[${k}]`, left.get(k), right.get(k), out);
      return;
    }
    if (a.length === b.length) {
      a.forEach((item, i) => walk(`${path}[${i}]`, item, b[i], out));
      return;
    }
  }
  out.push({ field: path, old: a ?? null, new: b ?? null });
}

function diffPoint(before: PointModel | undefined, after: PointModel | undefined): PointDiff {
  const pointId = (after ?? before)!.id;
  const changes: FieldChange[] = [];
  walk('', before ? pointView(before) : undefined, after ? pointView(after) : undefined, changes);
  const change = !before ? 'added' : !after ? 'removed' : changes.length > 0 ? 'changed' : 'unchanged';
  return { pointId, change, oldContentHash: before?.contentHash ?? null, newContentHash: after?.contentHash ?? null, changes: change === 'added' || change === 'removed' ? [] : changes };
}

/** The points of one file in the published library and in the draft library, compared. */
export function diffFile(published: Library | undefined, draft: Library, file: string): PointDiff[] {
  const ids = new Set([...(published?.points ?? []).filter((p) => p.loc.file === file).map((p) => p.id), ...draft.points.filter((p) => p.loc.file === file).map((p) => p.id)]);
  return [...ids].sort().map((id) => {
    const before = published?.byId.get(id);
    const after = draft.byId.get(id);
    return diffPoint(before?.loc.file === file ? before : undefined, after?.loc.file === file ? after : undefined);
  });
}

const show = (v: Json) => (v === null ? '—' : typeof v === 'string' ? v : canonicalJson(v));

/** The diff as lines for a terminal or a review page. */
export function formatDiff(diffs: readonly PointDiff[]): string[] {
  const lines: string[] = [];
  for (const d of diffs) {
    lines.push(`${d.pointId}: ${d.change}${d.oldContentHash && d.newContentHash && d.change === 'changed' ? ` (#${d.oldContentHash.slice(0, 12)} → #${d.newContentHash.slice(0, 12)})` : ''}`);
    for (const c of d.changes) lines.push(`  ${c.field}: ${show(c.old)} → ${show(c.new)}`);
  }
  return lines;
}
