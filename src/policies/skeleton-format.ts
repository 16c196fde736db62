// Loader for the walking skeleton's provisional policy format (format: skeleton/1). Small on purpose:
// the policy-language issue replaces it. It still refuses a file it cannot fully read, naming the file
// and the field.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { parseDecimal } from '../money.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');
const decimalText = z.string().refine((text) => {
  try {
    parseDecimal(text);
    return true;
  } catch {
    return false;
  }
}, 'expected an exact decimal written as a string, e.g. "0.6"');

const Parameter = z.object({ value: decimalText, citation: z.string().min(1) });

export const SkeletonPolicyFile = z.object({
  format: z.literal('skeleton/1'),
  document: z.object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    docNumber: z.string().min(1),
    title: z.string().min(1),
    issuer: z.string().min(1),
    published: z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/, 'expected YYYY-MM or YYYY-MM-DD'),
    publishedNote: z.string().optional(),
    sourceUrl: z.string().url().optional(),
  }),
  point: z.object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    name: z.string().min(1),
    subjectType: z.enum(['enterprise', 'person']),
    rule: z.enum(['wengang-fanhuan']),
    citation: z.object({ document: z.string(), article: z.string(), heading: z.string().optional() }),
    effective: z.object({ from: isoDate, to: isoDate.optional(), note: z.string().optional() }),
    period: z.object({ pays: z.enum(['one-off', 'monthly', 'yearly']), policyYear: z.number().int(), dataYear: z.number().int() }),
    tags: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
    parameters: z.record(z.string(), Parameter),
    rounding: z.enum(['half-up-fen', 'half-up-yuan', 'down-fen', 'down-yuan']),
    exclusions: z.array(z.string()).default([]),
  }),
});

export type SkeletonPolicy = z.infer<typeof SkeletonPolicyFile>;

export async function loadSkeletonPolicyFile(path: string): Promise<SkeletonPolicy> {
  let raw: unknown;
  try {
    raw = parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new AppError('POLICY_FILE_INVALID', `${path}: not readable YAML: ${(error as Error).message}`, { file: path });
  }
  const parsed = SkeletonPolicyFile.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${path} ${issue.path.join('.')}: ${issue.message}`);
    throw new AppError('POLICY_FILE_INVALID', `Policy file does not load; fix:\n  ${problems.join('\n  ')}`, {
      file: path,
      problems,
    });
  }
  return parsed.data;
}

/** Every skeleton-format file under the policies folder (files of other formats are left alone). */
export async function loadSkeletonPolicies(root: string): Promise<SkeletonPolicy[]> {
  const out: SkeletonPolicy[] = [];
  for (const entry of await readdir(root, { recursive: true })) {
    if (!entry.endsWith('.yaml')) continue;
    const path = join(root, entry);
    if (!/^format: skeleton\/1\s*$/m.test(await readFile(path, 'utf8'))) continue;
    out.push(await loadSkeletonPolicyFile(path));
  }
  return out.sort((a, b) => a.point.id.localeCompare(b.point.id));
}
