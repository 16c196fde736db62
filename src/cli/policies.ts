// policies lint | list [--tag 主题=稳岗] | explain <point> --facts <file.json> [--period 2024] | test | facts
// The library lives in ./policies (override with --root). Exit code 1 on any error or failing case.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLibrary, type Library } from '../policies/library.ts';
import { conditionCoverage, runPointTests } from '../policies/lang-tests.ts';
import { evaluatePoint } from '../rules/lang/evaluate.ts';
import { parsePeriod, PeriodError } from '../rules/lang/period.ts';
import { explain } from '../rules/lang/render.ts';
import { formatPolicyError } from '../rules/lang/spec.ts';
import { formatYuan } from '../money.ts';
import { AppError } from '../errors.ts';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new AppError('ARGUMENT_INVALID', `${name} needs a value`);
  return v;
}

async function library(args: string[]): Promise<Library | undefined> {
  const r = await loadLibrary(option(args, '--root') ?? 'policies');
  if (!r.ok) {
    for (const e of r.errors) console.error(formatPolicyError(e));
    console.error(`\n${r.errors.length} error(s); nothing was loaded.`);
    return undefined;
  }
  return r.library;
}

/** JSON facts: money may be given as integer fen numbers or as strings of digits (bigint-safe). */
export function factsFromJson(text: string): Record<string, unknown> {
  const raw = JSON.parse(text) as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new AppError('ARGUMENT_INVALID', 'facts file must hold a JSON object of fact name -> value');
  const obj = raw as Record<string, unknown>;
  const facts = (obj.facts && typeof obj.facts === 'object' ? obj.facts : obj) as Record<string, unknown>;
  return facts;
}

/** A subject id (USCC or ID number) resolved to the facts file in `dir` whose "subject" it is. */
async function subjectFile(id: string | undefined, dir: string): Promise<string | undefined> {
  if (!id) return undefined;
  if (id.endsWith('.json')) return id;
  const hits: string[] = [];
  for (const f of (await readdir(dir)).filter((x) => x.endsWith('.json')).sort()) {
    const parsed = JSON.parse(await readFile(join(dir, f), 'utf8')) as { subject?: string };
    if (parsed.subject === id) hits.push(join(dir, f));
  }
  if (hits.length !== 1) throw new AppError('ARGUMENT_INVALID', hits.length ? `subject ${id} has several facts files: ${hits.join(', ')}; pass one with --facts` : `no facts file for subject ${id} in ${dir}`);
  return hits[0];
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case 'lint': {
      const lib = await library(args);
      if (!lib) return 1;
      const cases = lib.points.reduce((n, p) => n + p.tests.length, 0);
      console.log(`ok: ${lib.documents.length} documents, ${lib.points.length} points, ${cases} test cases${lib.skipped.length ? `; skipped (other format): ${lib.skipped.join(', ')}` : ''}`);
      return 0;
    }
    case 'list': {
      const lib = await library(args);
      if (!lib) return 1;
      const tag = option(args, '--tag');
      const [tk, tv] = tag ? (tag.includes('=') ? tag.split('=') : [undefined, tag]) : [undefined, undefined];
      for (const p of lib.points) {
        if (tag) {
          const hit = Object.entries(p.tags).some(([k, vs]) => (tk === undefined || k === tk) && vs.includes(tv as string));
          if (!hit) continue;
        }
        const tags = Object.entries(p.tags).map(([k, v]) => `${k}:${v.join('/')}`).join(' ');
        console.log(`${p.id.padEnd(34)} ${p.name}  [${p.document.docNumber}] ${p.effective.fromText}..${p.effective.toText ?? '长期'} ${p.frequency} ${tags} #${p.contentHash.slice(0, 12)}`);
      }
      return 0;
    }
    case 'explain': {
      const id = args[0];
      if (!id || id.startsWith('--')) throw new AppError('ARGUMENT_INVALID', 'usage: policies explain <point> (--facts <file.json> | --subject <id> [--facts-dir dir]) [--period 2024]');
      const lib = await library(args);
      if (!lib) return 1;
      const point = lib.byId.get(id);
      if (!point) {
        console.error(`unknown point '${id}'; see 'policies list'`);
        return 1;
      }
      const factsFile = option(args, '--facts') ?? (await subjectFile(option(args, '--subject'), option(args, '--facts-dir') ?? 'test/fixtures/subjects'));
      if (!factsFile) throw new AppError('ARGUMENT_INVALID', '--facts <file.json> or --subject <id> is required (facts come from a JSON file; the database lookup is the matching service)');
      const text = await readFile(factsFile, 'utf8');
      const facts = factsFromJson(text);
      const fileObj = JSON.parse(text) as { period?: string };
      const periodText = option(args, '--period') ?? fileObj.period ?? point.effective.fromText.slice(0, 4);
      const ev = evaluatePoint(point, facts, parsePeriod(periodText));
      const ex = explain(ev);
      console.log(ex.lines.join('\n'));
      return 0;
    }
    case 'test': {
      const lib = await library(args);
      if (!lib) return 1;
      let failed = 0;
      let total = 0;
      for (const p of lib.points) {
        for (const r of runPointTests(p)) {
          total++;
          if (!r.ok) {
            failed++;
            console.log(`✗ ${p.id} · ${r.test.name} (${r.test.loc.file}:${r.test.loc.line})\n    ${r.problems.join('\n    ')}`);
          }
        }
      }
      console.log(`${total - failed}/${total} test cases pass across ${lib.points.length} points`);
      // Coverage: each condition and exception both true and false in some case of its point.
      const coverage = lib.points.flatMap(conditionCoverage);
      const gaps = coverage.filter((c) => c.true === 0 || c.false === 0);
      console.log(`condition coverage: ${coverage.length - gaps.length}/${coverage.length} conditions and exceptions are both true and false in some case`);
      for (const g of gaps) console.log(`  ${g.pointId} ${g.kind} ${g.id}: never ${g.true === 0 ? 'true' : 'false'}${g.true === 0 && g.false === 0 ? ' nor false (always undetermined)' : ''}`);
      return failed ? 1 : 0;
    }
    case 'facts': {
      // The data dictionary: what a rule may read, with type, source, period semantics and meaning.
      const { standardDictionary } = await import('../dictionary/index.ts');
      const { SOURCE_LABELS } = await import('../dictionary/facts.ts');
      const { typeLabel } = await import('../rules/lang/types.ts');
      const dict = standardDictionary();
      for (const f of dict.facts.values()) {
        console.log(`${f.subject === 'enterprise' ? '企业' : '个人'} ${f.name.padEnd(32)} ${f.zh}｜${typeLabel(f.type)}｜${SOURCE_LABELS[f.source]}｜${f.period}｜缺失=${f.whenAbsent}｜${f.description}`);
      }
      for (const d of dict.derivedSpecs) console.log(`派生 ${d.name.padEnd(32)} ${d.zh}｜${d.subject}｜${d.cite ?? ''}｜${d.description}`);
      return 0;
    }
    default:
      console.error('usage: policies lint | list [--tag 主题=稳岗] | explain <point> --facts <file.json> [--period 2024] | test | facts   [--root policies]');
      return cmd ? 1 : 0;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof PeriodError ? e.message : e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  },
);

export { formatYuan };
