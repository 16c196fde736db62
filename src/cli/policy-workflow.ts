// Operator commands of the policy review workflow: draft a file's new text, submit it (frozen, with
// its diff and what-if impact), review it (approve or return; never the author), publish it (a new
// library; --correction REASON when it is in force from a day before today), roll a point back to an
// earlier version, show a version's diff, and list a point's versions and publications.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { formatYuan } from '../money.ts';
import { latestLibraryHash, libraryFiles } from '../policies/library-registry.ts';
import { formatDiff, type PointDiff } from '../policies/policy-diff.ts';
import { createDraft, getDraft, pointHistory, publishDraft, reviewDraft, rollbackPoint, submitDraft } from '../policies/policy-workflow.ts';
import * as args from './args.ts';
import { UsageError } from './args.ts';
import type { Command } from './command.ts';

function impactLines(impact: unknown): string[] {
  const lines: string[] = [];
  for (const [pointId, raw] of Object.entries((impact ?? {}) as Record<string, Record<string, unknown>>)) {
    if (typeof raw.error === 'string') {
      lines.push(`  ${pointId} (${String(raw.period)}): no what-if: ${raw.error}`);
      continue;
    }
    const r = raw as { period: string; live: { eligible: number; totalFen: string }; draft: { eligible: number; totalFen: string }; costChangeFen: string; gainers: { count: number; totalFen: string }; losers: { count: number; totalFen: string } };
    lines.push(
      `  ${pointId} (${r.period}): eligible ${r.live.eligible} → ${r.draft.eligible}, ¥${formatYuan(BigInt(r.live.totalFen))} → ¥${formatYuan(BigInt(r.draft.totalFen))} (cost ${BigInt(r.costChangeFen) >= 0n ? '+' : '-'}¥${formatYuan(BigInt(r.costChangeFen) < 0n ? -BigInt(r.costChangeFen) : BigInt(r.costChangeFen))}); ${r.gainers.count} gain ¥${formatYuan(BigInt(r.gainers.totalFen))}, ${r.losers.count} lose ¥${formatYuan(BigInt(r.losers.totalFen))}`,
    );
  }
  return lines;
}

export function policyWorkflowCommands(): Record<string, Command> {
  return {
    policy: {
      usage: `cli policy draft <file> [--name LIBRARY-NAME] [--in-force-from YYYY-MM-DD]
cli policy submit <version-id>
cli policy review <version-id> approve|return [--comment TEXT]
cli policy publish <version-id> [--correction REASON]
cli policy rollback <point> <version> [--in-force-from YYYY-MM-DD] [--correction REASON]
cli policy diff <version-id>
cli policy versions <point>
  draft     a new version of a policy file (a document and its points): its text must load with the
            library in force. --name is the file's name in the library (default: the library file of
            the same base name). --in-force-from is its 生效日期 (default: the day it is published).
  submit    (its author) freezes the version and stores its diff against the published text and the
            what-if impact of each changed point (who gains, who loses, cost).
  review    approve, or return with a comment; by a reviewer who is not the author.
  publish   publishes an approved version: a new library, the one in force with this file replaced.
            In force from a day before today changes past periods: needs --correction REASON.
  rollback  publishes the file's text of an earlier version of the point again (audited as a rollback).
  diff      every changed field of each point of a version, old → new, and its what-if impact.
  versions  a point's published versions, the publications in force from which days, and its drafts.`,
      prepare(argv) {
        const { values, positionals } = args.parse(
          argv,
          { name: { type: 'string' }, 'in-force-from': { type: 'string' }, comment: { type: 'string' }, correction: { type: 'string' } },
          this.usage,
        );
        const what = args.positional(positionals, 0, 'what', this.usage);
        const inForceFrom = values['in-force-from'] === undefined ? undefined : args.date(values['in-force-from'], '--in-force-from');
        const id = () => args.positiveInt(args.positional(positionals, 1, 'version-id', this.usage), 'version-id')!;
        switch (what) {
          case 'draft': {
            const path = args.existingFile(args.positional(positionals, 1, 'file', this.usage), 'file');
            args.noMore(positionals, 2, this.usage);
            return {
              permission: 'policy.author',
              action: async (app, actor) => {
                let name = values.name;
                if (name === undefined) {
                  const files = (await libraryFiles(app.db.orm, await latestLibraryHash(app.db.orm))) ?? [];
                  const hits = files.filter((f) => basename(f.file) === basename(path));
                  if (hits.length !== 1) throw new UsageError(`${path}: ${hits.length ? 'several' : 'no'} library files have this name; give the file's name in the library with --name`);
                  name = hits[0]!.file;
                }
                const draft = await createDraft(app.db, app.clock, { file: name, text: readFileSync(path, 'utf8'), inForceFrom, actor: actor! });
                console.log(`policy version #${draft.id}: draft of ${draft.file} (${Object.keys(draft.points as object).join(', ')}), in force from ${draft.inForceFrom ?? 'the day it is published'}`);
                return 0;
              },
            };
          }
          case 'submit': {
            const draftId = id();
            args.noMore(positionals, 2, this.usage);
            return {
              permission: 'policy.author',
              action: async (app, actor) => {
                const draft = await submitDraft(app.db, app.clock, draftId, actor!);
                console.log(`policy version #${draft.id} submitted for review`);
                for (const line of formatDiff(draft.diff as PointDiff[])) console.log(`  ${line}`);
                for (const line of impactLines(draft.impact)) console.log(line);
                return 0;
              },
            };
          }
          case 'review': {
            const draftId = id();
            const decision = args.positional(positionals, 2, 'approve|return', this.usage);
            if (decision !== 'approve' && decision !== 'return') throw new UsageError(`bad decision "${decision}": expected approve or return`, this.usage);
            args.noMore(positionals, 3, this.usage);
            return {
              permission: 'policy.review',
              action: async (app, actor) => {
                const draft = await reviewDraft(app.db, app.clock, draftId, { decision, comment: values.comment, actor: actor! });
                console.log(`policy version #${draft.id}: ${draft.status}${draft.reviewComment ? ` (${draft.reviewComment})` : ''}`);
                return 0;
              },
            };
          }
          case 'publish': {
            const draftId = id();
            args.noMore(positionals, 2, this.usage);
            return {
              permission: 'policy.publish',
              action: async (app, actor) => {
                const r = await publishDraft(app.db, app.clock, draftId, { correction: values.correction, actor: actor! });
                console.log(`policy version #${draftId} published: library ${r.library.hash.slice(0, 12)}, in force from ${r.inForceFrom}${r.draft.correctionReason ? `, correction: ${r.draft.correctionReason}` : ''}`);
                for (const [point, version] of Object.entries(r.versions)) console.log(`  ${point} v${version}`);
                return 0;
              },
            };
          }
          case 'rollback': {
            const pointId = args.positional(positionals, 1, 'point', this.usage);
            const version = args.positiveInt(args.positional(positionals, 2, 'version', this.usage), 'version')!;
            args.noMore(positionals, 3, this.usage);
            return {
              permission: 'policy.publish',
              action: async (app, actor) => {
                const r = await rollbackPoint(app.db, app.clock, { pointId, version, inForceFrom, correction: values.correction, actor: actor! });
                console.log(`${pointId} rolled back from v${r.from ?? '?'} to v${version}: library ${r.library.hash.slice(0, 12)}, in force from ${r.inForceFrom}`);
                return 0;
              },
            };
          }
          case 'diff': {
            const draftId = id();
            args.noMore(positionals, 2, this.usage);
            return {
              permission: 'policy.read',
              action: async (app, actor) => {
                const draft = await getDraft(app.db, draftId, actor!);
                console.log(`policy version #${draft.id} (${draft.status}) of ${draft.file}, in force from ${draft.inForceFrom ?? 'the day it is published'}`);
                if (draft.diff === null) {
                  console.log('  not submitted yet: the diff is taken when it is submitted');
                  return 0;
                }
                for (const line of formatDiff(draft.diff as PointDiff[])) console.log(`  ${line}`);
                for (const line of impactLines(draft.impact)) console.log(line);
                return 0;
              },
            };
          }
          case 'versions': {
            const pointId = args.positional(positionals, 1, 'point', this.usage);
            args.noMore(positionals, 2, this.usage);
            return {
              permission: 'policy.read',
              action: async (app, actor) => {
                const h = await pointHistory(app.db, pointId, actor!);
                for (const v of h.versions) console.log(`v${v.version}  #${v.contentHash.slice(0, 12)}  published ${v.publishedAt.toISOString()} by ${v.publishedBy}`);
                for (const p of h.publications) {
                  const restored = p.restored as { version: number } | null;
                  console.log(`publication #${p.id} ${p.kind}${restored ? ` of v${restored.version}` : ''}: v${(p.versions as Record<string, number>)[pointId]} in force from ${p.inForceFrom ?? 'always'}${p.reason ? ` (${p.reason})` : ''}, ${p.publishedAt.toISOString()} by ${p.publishedBy}`);
                }
                for (const d of h.drafts) console.log(`version #${d.id} ${d.status}: ${d.file}, in force from ${d.inForceFrom ?? 'publication'}, author account:${d.authorId}${d.reviewerId ? `, reviewer account:${d.reviewerId}` : ''}${d.correctionReason ? `, correction: ${d.correctionReason}` : ''}`);
                if (h.versions.length === 0 && h.drafts.length === 0) console.log(`${pointId}: no version published or drafted`);
                return 0;
              },
            };
          }
          default:
            throw new UsageError(`unknown subcommand "${what}": expected draft, submit, review, publish, rollback, diff or versions`, this.usage);
        }
      },
    },
  };
}
