// The policy library: every policy/1 file under policies/, loaded all-or-nothing. Files of the walking
// skeleton's provisional format (format: skeleton/1) are left to their own loader. Cross-file rules:
// unique document and point ids, no two versions of one series in effect on the same day, exclusion
// groups that agree on how they are resolved.
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { AppError } from '../errors.ts';
import { standardDictionary, type Dictionary } from '../dictionary/index.ts';
import type { DocumentMeta, PointModel } from '../rules/lang/model.ts';
import { errorAt, formatPolicyError, type PolicyError } from '../rules/lang/spec.ts';
import { parseDocumentText, type DocumentText } from './document-text.ts';
import { loadPolicyText, POLICY_FORMAT } from './lang-loader.ts';
import { parseTaxonomy, standardTaxonomy, type Taxonomy } from './taxonomy.ts';

export interface Library {
  documents: DocumentMeta[];
  points: PointModel[];
  byId: ReadonlyMap<string, PointModel>;
  /** Files left alone (the skeleton's format). */
  skipped: string[];
}

export type LibraryResult = { ok: true; library: Library } | { ok: false; errors: PolicyError[] };

const FORMAT_LINE = /^format:\s*["']?([^\s"'#]+)/m;

function fileFormat(text: string): string | undefined {
  return FORMAT_LINE.exec(text)?.[1];
}

const TEXT_SUFFIX = '.text.md';

/** Where a policy file's stored document text is: beside it, named by the file's stem. */
export function documentTextPath(policyFile: string): string {
  return join(dirname(policyFile), basename(policyFile).replace(/\.policy\.ya?ml$|\.ya?ml$/, '') + TEXT_SUFFIX);
}

/**
 * Loads a set of files (path, text); nothing is returned unless every file loads cleanly. Among them may
 * be the taxonomy (format: taxonomy/1; else the repository's) and stored document texts (*.text.md).
 */
export function loadLibraryFromTexts(files: { file: string; text: string }[], dict: Dictionary = standardDictionary()): LibraryResult {
  const errors: PolicyError[] = [...dict.errors];
  const documents: DocumentMeta[] = [];
  const points: PointModel[] = [];
  const skipped: string[] = [];
  const texts = new Map<string, DocumentText>();
  let taxonomy: Taxonomy | undefined;
  for (const { file, text } of files) {
    if (file.endsWith(TEXT_SUFFIX)) texts.set(file, parseDocumentText(text));
    else if (fileFormat(text) === 'taxonomy/1') {
      const r = parseTaxonomy(text, file);
      if (r.ok) taxonomy = r.taxonomy;
      else errors.push(...r.errors.map((message) => ({ file, line: 1, col: 1, path: 'dimensions', message, expected: 'a taxonomy/1 file: format, then dimensions 行业, 规模, 区域, 主题, 兑现方式, 对象 with values or groups' })));
    }
  }
  taxonomy ??= standardTaxonomy();
  for (const { file, text } of files) {
    if (file.endsWith(TEXT_SUFFIX)) continue;
    const format = fileFormat(text);
    if (format === 'taxonomy/1') continue;
    if (format === 'skeleton/1') {
      skipped.push(file);
      continue;
    }
    try {
      const textFile = documentTextPath(file);
      const loaded = loadPolicyText(file, text, dict, { documentText: texts.get(textFile) ?? null, documentTextFile: textFile, taxonomy });
      errors.push(...loaded.errors);
      if (loaded.document && loaded.errors.length === 0) {
        documents.push(loaded.document);
        points.push(...loaded.points);
      }
    } catch (e) {
      // A loader bug must still come back as a structured error naming the file, never a crash.
      errors.push({ file, line: 1, col: 1, path: '', message: `internal error while loading: ${(e as Error).message}`, expected: `a file the loader can read (format ${POLICY_FORMAT})` });
    }
  }
  const docIds = new Map<string, DocumentMeta>();
  for (const d of documents) {
    const prev = docIds.get(d.id);
    if (prev) errors.push(errorAt({ file: d.file, line: 1, col: 1, path: 'document.id' }, `document id '${d.id}' is also used by ${prev.file}`, 'one folder per document with a unique id'));
    docIds.set(d.id, d);
  }
  const byId = new Map<string, PointModel>();
  for (const p of points) {
    const prev = byId.get(p.id);
    if (prev) errors.push(errorAt(p.loc, `point id '${p.id}' is also defined in ${prev.loc.file}`, 'unique point ids across the library'));
    byId.set(p.id, p);
  }
  const bySeries = new Map<string, PointModel[]>();
  for (const p of points) bySeries.set(p.series, [...(bySeries.get(p.series) ?? []), p]);
  for (const [series, list] of bySeries) {
    const sorted = [...list].sort((a, b) => a.effective.from - b.effective.from);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        const a = sorted[i] as PointModel;
        const b = sorted[j] as PointModel;
        if (a.effective.to === null || b.effective.from <= a.effective.to) {
          errors.push(
            errorAt(
              { ...b.loc, path: `${b.loc.path}.effective` },
              `overlapping effective periods in series '${series}': ${b.id} (${b.effective.fromText}..${b.effective.toText ?? '长期'}) and ${a.id} (${a.effective.fromText}..${a.effective.toText ?? '长期'})`,
              'versions of one benefit whose effective periods do not overlap',
            ),
          );
        }
      }
    }
  }
  const groups = new Map<string, PointModel[]>();
  for (const p of points) if (p.exclusion) groups.set(p.exclusion.group, [...(groups.get(p.exclusion.group) ?? []), p]);
  for (const [group, list] of groups) {
    const first = list[0] as PointModel;
    for (const p of list) {
      if (p.exclusion?.resolution !== first.exclusion?.resolution) {
        errors.push(errorAt({ ...p.loc, path: `${p.loc.path}.exclusion` }, `exclusion group '${group}' resolves by ${p.exclusion?.resolution} here but by ${first.exclusion?.resolution} in ${first.id}`, 'one resolution rule per exclusion group'));
      }
    }
    if (first.exclusion?.resolution === 'priority') {
      const seen = new Map<number, string>();
      for (const p of list) {
        const pr = p.exclusion?.priority as number;
        if (seen.has(pr)) errors.push(errorAt({ ...p.loc, path: `${p.loc.path}.exclusion.priority` }, `priority ${pr} in exclusion group '${group}' is also used by ${seen.get(pr)}`, 'distinct priorities'));
        seen.set(pr, p.id);
      }
    }
    if (list.length < 2) errors.push(errorAt({ ...first.loc, path: `${first.loc.path}.exclusion` }, `exclusion group '${group}' has only one point`, 'at least two points sharing the group, or no exclusion'));
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, library: { documents, points: points.sort((a, b) => a.id.localeCompare(b.id)), byId, skipped } };
}

async function yamlFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.filter((e) => e.endsWith('.yaml') || e.endsWith('.yml') || e.endsWith(TEXT_SUFFIX)).sort().map((e) => join(root, e));
}

/** Loads every policy file under `root` (default: ./policies). */
export async function loadLibrary(root = 'policies', dict: Dictionary = standardDictionary()): Promise<LibraryResult> {
  const files = await yamlFiles(root);
  const texts = await Promise.all(files.map(async (f) => ({ file: relative(process.cwd(), f) || f, text: await readFile(f, 'utf8') })));
  return loadLibraryFromTexts(texts, dict);
}

/** Same, throwing AppError POLICY_LINT_FAILED with every error listed. */
export async function loadLibraryOrThrow(root = 'policies', dict?: Dictionary): Promise<Library> {
  const r = await loadLibrary(root, dict);
  if (!r.ok) {
    const lines = r.errors.map(formatPolicyError);
    throw new AppError('POLICY_LINT_FAILED', `Policy library does not load (${lines.length} error(s)):\n  ${lines.join('\n  ')}`, { errors: lines });
  }
  return r.library;
}

export { formatPolicyError };
