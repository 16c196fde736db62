// The one tag taxonomy (policies/taxonomy.yaml): the dimensions every point is tagged on and the values
// each may take. The loader refuses a value not listed; the console and API filter by the same file, so
// a new theme or region is one line there, not a change in code.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

export const TAG_DIMENSIONS = ['行业', '规模', '区域', '主题', '兑现方式', '对象'] as const;
export type TagDimension = (typeof TAG_DIMENSIONS)[number];

export interface Taxonomy {
  dimensions: Record<TagDimension, { zh: string; values: string[]; groupOf: ReadonlyMap<string, string | null> }>;
}

const valueList = z.array(z.string().min(1));
const dimensionSchema = z.union([z.object({ zh: z.string(), values: valueList }).strict(), z.object({ zh: z.string(), groups: z.record(z.string(), valueList) }).strict()]);
const fileSchema = z.object({ format: z.literal('taxonomy/1'), dimensions: z.record(z.string(), dimensionSchema) }).strict();

export type TaxonomyResult = { ok: true; taxonomy: Taxonomy } | { ok: false; errors: string[] };

/** Parses a taxonomy file's text; every problem is named with its dimension and value. */
export function parseTaxonomy(text: string, file = 'policies/taxonomy.yaml'): TaxonomyResult {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    return { ok: false, errors: [`${file}: not valid YAML (${(e as Error).message})`] };
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => `${file}: ${i.path.join('.') || '(top)'}: ${i.message}`) };
  const errors: string[] = [];
  const out: Partial<Taxonomy['dimensions']> = {};
  for (const name of Object.keys(parsed.data.dimensions)) {
    if (!(TAG_DIMENSIONS as readonly string[]).includes(name)) errors.push(`${file}: dimensions.${name}: unknown dimension (expected one of ${TAG_DIMENSIONS.join(', ')})`);
  }
  for (const dim of TAG_DIMENSIONS) {
    const d = parsed.data.dimensions[dim];
    if (!d) {
      errors.push(`${file}: dimensions.${dim} is missing`);
      continue;
    }
    const groupOf = new Map<string, string | null>();
    const entries: [string | null, string[]][] = 'values' in d ? [[null, d.values]] : Object.entries(d.groups);
    for (const [group, values] of entries) {
      for (const v of values) {
        if (groupOf.has(v)) errors.push(`${file}: dimensions.${dim}: value '${v}' is listed twice`);
        groupOf.set(v, group);
      }
    }
    out[dim] = { zh: d.zh, values: [...groupOf.keys()], groupOf };
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, taxonomy: { dimensions: out as Taxonomy['dimensions'] } };
}

let standard: Taxonomy | undefined;

/** The repository's taxonomy file, read once. */
export function standardTaxonomy(): Taxonomy {
  if (standard) return standard;
  const file = new URL('../../policies/taxonomy.yaml', import.meta.url);
  const r = parseTaxonomy(readFileSync(file, 'utf8'));
  if (!r.ok) throw new Error(`policies/taxonomy.yaml does not load:\n  ${r.errors.join('\n  ')}`);
  standard = r.taxonomy;
  return standard;
}
