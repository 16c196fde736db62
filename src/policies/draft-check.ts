// Editor aids: a policy file as the author is typing it, checked as the library would check it — the
// schema and the dictionary (lint as you type), quotes against the stored text, and, when it loads, the
// point's own test cases and their condition coverage (run on save). Pure: the caller supplies the
// other files of the library (the published ones) so cross-file rules (series overlaps, exclusion
// groups) are checked too.
import { conditionCoverage, runPointTests } from './lang-tests.ts';
import { documentTextPath, loadLibraryFromTexts } from './library.ts';
import type { LibraryFile } from './library-registry.ts';

export interface DraftCheck {
  ok: boolean;
  errors: { file: string; line: number; col: number; path: string; message: string; expected: string }[];
  tests: { pointId: string; name: string; kind: string[]; ok: boolean; problems: string[] }[];
  coverage: { pointId: string; id: string; kind: string; true: number; false: number }[];
}

export function checkDraft(library: readonly LibraryFile[], draft: { file: string; text: string; documentText?: string }): DraftCheck {
  const textFile = documentTextPath(draft.file);
  const files = library.filter((f) => f.file !== draft.file && (draft.documentText === undefined || f.file !== textFile));
  files.push({ file: draft.file, text: draft.text });
  if (draft.documentText !== undefined) files.push({ file: textFile, text: draft.documentText });
  const r = loadLibraryFromTexts(files);
  if (!r.ok) return { ok: false, errors: r.errors.map((e) => ({ file: e.file, line: e.line, col: e.col, path: e.path, message: e.message, expected: e.expected })), tests: [], coverage: [] };
  const points = r.library.points.filter((p) => p.loc.file === draft.file);
  const tests = points.flatMap((p) => runPointTests(p).map((t) => ({ pointId: p.id, name: t.test.name, kind: t.test.kind, ok: t.ok, problems: t.problems })));
  return { ok: tests.every((t) => t.ok), errors: [], tests, coverage: points.flatMap(conditionCoverage) };
}
