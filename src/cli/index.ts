// Operator commands (npm run cli -- <command> …). Each checks its arguments first (a bad one exits 2
// with a message naming it), then opens the configured database (DATABASE_URL or the embedded one in
// DATA_DIR), does one thing, and exits 0, or 1 when the thing it did failed. `<command> --help` says how.
// Commands that touch data act as a staff account: `--as LOGIN` (password from MIANSHEN_PASSWORD or a
// prompt); the account's roles must grant the command's permission (src/identity/permissions.ts).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { verifyAuditChain } from '../audit/audit-trail.ts';
import { workingDayPeriod } from '../calendar/working-days.ts';
import { writeCheckpointFile } from '../audit/checkpoint-export.ts';
import { readAuditHistory } from '../audit/history.ts';
import { parseCheckpoint, recordCheckpoint, verifyAgainstCheckpoint } from '../audit/checkpoints.ts';
import { runMatchJob, type RunProgress } from '../../jobs/match-run.ts';
import { startApp, type App } from '../app.ts';
import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { isAppError } from '../errors.ts';
import { FEEDS } from '../feeds/mappings.ts';
import { importFeed } from '../feeds/importer.ts';
import { exportList } from '../lists/export.ts';
import { createLogger } from '../logger.ts';
import { explainEntry } from '../matching/explain-service.ts';
import { buildHireLedger } from '../matching/identity-ledger.ts';
import { runSummary } from '../matching/run-service.ts';
import { simulate } from '../matching/what-if.ts';
import { formatYuan } from '../money.ts';
import { publishLibrary, readLibraryFiles } from '../policies/library-registry.ts';
import { rotateDataKeys } from '../subjects/key-rotation.ts';
import { dataKeys } from '../subjects/personal-data.ts';
import { maskUscc } from '../subjects/uscc.ts';
import * as args from './args.ts';
import { UsageError } from './args.ts';
import { passwordForAs, takeAs, type Command, type Prepared } from './command.ts';
import { paymentCommands } from './payments.ts';
import { batchCommands } from './batches.ts';
import { exportBatch } from '../payouts/batch-export.ts';
import { noticeCommands } from './notices.ts';
import { recoveryCommands } from './recoveries.ts';
import { policyWorkflowCommands } from './policy-workflow.ts';
import { listRuns, showRun } from './runs.ts';
import { userCommand } from './users.ts';
import { accountsOf } from '../identity/account-service.ts';
import { authorize, type StaffActor } from '../identity/permissions.ts';

/** Every command, by name (exported for the table-driven permission test). */
export const COMMANDS: Record<string, Command> = {
  import: {
    usage: `cli import <feed> <file> [--as-of YYYY-MM-DD] [--strict] [--atomic]
  Imports one department's feed file (.csv or .jsonl) through its declared mapping (see: cli feeds).
  The header is checked first: a missing, renamed or duplicated column refuses the file, naming it.
  Bad rows are rejected and written to an error report (row, column, value, reason); the rest are imported.
  --as-of     the date the data is as of (default: today); changes of current state take effect from it
  --strict    a column the mapping does not declare refuses the file (without it: reported, ignored)
  --atomic    all or nothing: one bad row refuses the whole file
  Exits 1 when the file was refused.`,
    prepare(argv) {
      const { values, positionals } = args.parse(argv, { 'as-of': { type: 'string' }, strict: { type: 'boolean' }, atomic: { type: 'boolean' } }, this.usage);
      const feed = args.feedId(args.positional(positionals, 0, 'feed', this.usage));
      const file = args.existingFile(args.positional(positionals, 1, 'file', this.usage), 'file');
      args.noMore(positionals, 2, this.usage);
      const asOf = values['as-of'] === undefined ? undefined : args.date(values['as-of'], '--as-of');
      return {
        permission: 'feed.import',
        action: async (app, actor) => {
          const rejectsDir = join(app.config.DATA_DIR, 'rejects');
          const result = await importFeed(app.db, app.clock, { feedId: feed, input: { path: resolve(file) }, asOf: asOf ?? app.clock.now().toISOString().slice(0, 10), actor: actor!, rejectsDir, atomic: values.atomic || undefined, strict: values.strict === true });
          console.log(`feed ${feed} (${result.fileName}): ${result.status}; ${result.rowsTotal} rows, ${result.rowsAccepted} accepted (${result.rowsUnchanged} unchanged), ${result.rowsRejected} rejected, ${result.rowsRetracted} retracted${result.importId === null ? '' : `; import #${result.importId}`}`);
          for (const w of result.warnings) console.log(`  warning: ${w.field}: ${w.reason.replace(/^warning: /, '')}`);
          if (result.rejectsFile) console.log(`rejects: ${result.rejectsFile}`);
          for (const r of result.rejections.slice(0, 10)) console.log(`  row ${r.rowNo} ${r.field}=${JSON.stringify(r.value)}: ${r.reason}`);
          if (result.rowsRejected > 10) console.log(`  … ${result.rowsRejected - 10} more in the rejects file`);
          return result.status === 'rejected' ? 1 : 0;
        },
      };
    },
  },
  publish: {
    usage: `cli publish <library-dir>
  Validates the policy files under <library-dir> (every error with its file, line and column), stores the
  library by content hash and gives each changed point a new version, audited. Exits 1 when invalid.`,
    prepare(argv) {
      const { positionals } = args.parse(argv, {}, this.usage);
      const dir = args.existingDir(args.positional(positionals, 0, 'library-dir', this.usage), 'library-dir');
      args.noMore(positionals, 1, this.usage);
      return {
        permission: 'policy.publish',
        action: async (app, actor) => {
          try {
            const published = await publishLibrary(app.db.orm, app.clock, actor!, await readLibraryFiles(dir));
            console.log(`policy library ${published.hash.slice(0, 12)}: ${published.library.points.length} points, ${published.created.length} new versions published`);
            for (const id of published.created) console.log(`  ${id} v${published.versions.get(id)}`);
            return 0;
          } catch (error) {
            if (!isAppError(error, 'POLICY_LINT_FAILED')) throw error;
            console.error(`${dir}: the library is not valid; nothing was published`);
            for (const line of (error.details?.errors as string[] | undefined) ?? [error.message]) console.error(`  ${line}`);
            return 1;
          }
        },
      };
    },
  },
  ledger: {
    usage: `cli ledger <month>
  Builds the identity-used ledger of a month (YYYY-MM) from 人社's per-person hire records: each person
  counts for the first employer only, once per subsidy family; imports the counts as a derived feed.`,
    prepare(argv) {
      const { positionals } = args.parse(argv, {}, this.usage);
      const month = args.month(args.positional(positionals, 0, 'month', this.usage));
      args.noMore(positionals, 1, this.usage);
      return {
        permission: 'feed.import',
        action: async (app, actor) => {
          const result = await buildHireLedger(app.db, app.clock, { month, actor: actor!, rejectsDir: join(app.config.DATA_DIR, 'rejects') });
          console.log(`identity ledger ${month}: ${result.hires} hire records, ${result.counted} persons counted for ${result.firms} firms, ${result.alreadyUsed.length} already used by another firm`);
          for (const u of result.alreadyUsed.slice(0, 10)) console.log(`  ${u.person} hired by ${maskUscc(u.hiredBy)}: already used by ${maskUscc(u.usedBy)} in ${u.period}`);
          return 0;
        },
      };
    },
  },
  match: {
    usage: `cli match <scope> <period> [--incremental] [--shards N] [--snapshot N]
  Runs a match through the job queue, with a progress bar (scope: enterprise, person or a point id;
  period: 2024 or 2024-03).
  --incremental  re-evaluate only subjects whose facts changed since the last completed run
  --shards N     cut the run into N shard jobs (default MATCH_SHARDS)
  --snapshot N   read the facts of an existing snapshot (see: cli runs) instead of taking a new one:
                 the same snapshot and library give the same decisions`,
    prepare(argv) {
      const { values, positionals } = args.parse(argv, { incremental: { type: 'boolean' }, shards: { type: 'string' }, snapshot: { type: 'string' } }, this.usage);
      const scope = args.positional(positionals, 0, 'scope', this.usage);
      const period = args.period(args.positional(positionals, 1, 'period', this.usage));
      args.noMore(positionals, 2, this.usage);
      const shards = args.positiveInt(values.shards, '--shards', 1024);
      const snapshotId = args.positiveInt(values.snapshot, '--snapshot');
      return {
        permission: 'run.start',
        workers: true,
        action: async (app, actor) => {
          const runId = await runMatchJob(
            app.boss,
            app.db,
            { scope, period, kind: values.incremental ? 'incremental' : 'full', shards: shards ?? app.config.MATCH_SHARDS, trigger: 'manual', actor: actor!, snapshotId },
            { onProgress: progressBar },
          );
          process.stderr.write('\n');
          const summary = await runSummary(app.db, runId);
          console.log(`match run #${runId} (${summary.kind}): ${summary.evaluated} subjects evaluated; list +${summary.changes.added} −${summary.changes.removed} ~${summary.changes.amountChanged + summary.changes.outcomeChanged}`);
          for (const p of summary.points) console.log(`  ${p.pointId.padEnd(36)} 符合 ${String(p.eligible).padStart(7)}  待定 ${String(p.undetermined).padStart(7)}  ¥${formatYuan(p.totalFen)}`);
          return 0;
        },
      };
    },
  },
  runs: {
    usage: `cli runs [--limit N]
cli runs show <id>
  Lists the match runs, newest first (id, scope, kind, period, status, snapshot, counts, started and
  finished), or shows one run with its points, shards and, for a failed run, the reason.`,
    prepare(argv) {
      const { values, positionals } = args.parse(argv, { limit: { type: 'string' } }, this.usage);
      if (positionals[0] === 'show') {
        const id = args.positiveInt(args.positional(positionals, 1, 'id', this.usage), 'run id')!;
        args.noMore(positionals, 2, this.usage);
        return { permission: 'run.read', action: (app) => showRun(app.db, id) };
      }
      args.noMore(positionals, 0, this.usage);
      const limit = args.positiveInt(values.limit, '--limit', 10_000) ?? 20;
      return { permission: 'run.read', action: (app) => listRuns(app.db, limit) };
    },
  },
  export: {
    usage: `cli export list <point> <period> --format csv|xlsx --out FILE
cli export batch <batch-id> --format csv|xlsx --out FILE
  list   a point's list (拟享受名单) for a period: masked identifiers, name, outcome, the amount in 元 and
         in 分 with its rounding rule, allocation and reasons, and a totals line (entries and amount).
  batch  a payout batch's payments for finance (masked account, kind, amount, end-to-end id, status),
         with the batch's totals and the transmitted payment file's; exits 1 when they disagree.`,
    prepare(argv) {
      const { values, positionals } = args.parse(argv, { format: { type: 'string' }, out: { type: 'string' } }, this.usage);
      const what = args.positional(positionals, 0, 'what', this.usage);
      if (what === 'batch') {
        const batchId = args.positiveInt(args.positional(positionals, 1, 'batch-id', this.usage), 'batch-id')!;
        args.noMore(positionals, 2, this.usage);
        if (values.format !== 'csv' && values.format !== 'xlsx') throw new UsageError(values.format === undefined ? 'missing --format csv|xlsx' : `bad --format "${values.format}": expected csv or xlsx`, this.usage);
        if (!values.out) throw new UsageError('missing --out FILE', this.usage);
        const format = values.format;
        const out = resolve(values.out);
        return {
          permission: 'batch.read',
          action: async (app, actor) => {
            const r = await exportBatch(app.db, { batchId, format, out, actor: actor! });
            console.log(`batch #${batchId}: ${r.payments} payments, total ¥${formatYuan(r.totalFen)}; payment file ${r.paymentFile === null ? 'not sent yet' : `${r.paymentFile.payments} payments ¥${formatYuan(r.paymentFile.totalFen)} (${r.agrees ? 'agrees' : 'DISAGREES: check with the bank'})`} -> ${r.file}`);
            return r.agrees ? 0 : 1;
          },
        };
      }
      if (what !== 'list') throw new UsageError(`unknown export "${what}"; the exports are: list, batch`, this.usage);
      const pointId = args.positional(positionals, 1, 'point', this.usage);
      const period = args.period(args.positional(positionals, 2, 'period', this.usage));
      args.noMore(positionals, 3, this.usage);
      if (values.format !== 'csv' && values.format !== 'xlsx') throw new UsageError(values.format === undefined ? 'missing --format csv|xlsx' : `bad --format "${values.format}": expected csv or xlsx`, this.usage);
      if (!values.out) throw new UsageError('missing --out FILE', this.usage);
      const format = values.format;
      const out = resolve(values.out);
      return {
        permission: 'list.export',
        action: async (app, actor) => {
          const result = await exportList(app.db, { pointId, period, format, out, actor: actor! });
          console.log(`${pointId} ${period}: ${result.entries} entries, total ¥${formatYuan(result.totalFen)} -> ${result.file}`);
          return 0;
        },
      };
    },
  },
  feeds: {
    usage: `cli feeds
  The catalogue of feeds: id, department, title, subject, period, mode, and every column with its type
  and whether it is required.`,
    prepare(argv) {
      const { positionals } = args.parse(argv, {}, this.usage);
      args.noMore(positionals, 0, this.usage);
      return {
        offline: () => {
          for (const f of FEEDS) {
            const period = f.period.kind === 'current' ? 'current' : `${f.period.kind} (column ${f.period.column})`;
            console.log(`${f.id}  ${f.department} · ${f.title}  [subject ${f.subject}; period ${period}; mode ${f.mode}${f.atomic ? '; atomic' : ''}${f.derivedBy ? `; derived by ${f.derivedBy}` : ''}]`);
            for (const c of f.columns) {
              const type = c.type.kind === 'enum' ? `enum(${c.type.values.join('|')})` : c.type.kind === 'code' ? `code(${c.type.list})` : c.type.kind;
              console.log(`    ${c.column.padEnd(28)} ${type.padEnd(16)} ${c.required ? 'required' : 'optional'}${c.fact ? `  -> ${c.fact}` : ''}${c.personal ? '  (personal)' : ''}`);
            }
          }
          return 0;
        },
      };
    },
  },
  calendar: {
    usage: `cli calendar <from> <working-days>
  When a period of <working-days> working days (工作日) starting on <from> (YYYY-MM-DD) ends, counted on
  the official holiday calendar with its 调休 make-up days; the starting day is not counted (民法典
  第二百零一条). E.g. cli calendar 2025-09-26 5 (a 公示 of 5 working days across 国庆).`,
    prepare(argv) {
      const { positionals } = args.parse(argv, {}, this.usage);
      args.noMore(positionals, 2, this.usage);
      const [from, days] = positionals;
      if (from === undefined || days === undefined || !/^\d+$/.test(days)) throw new UsageError(`give a start date and a whole number of working days\n${this.usage}`);
      return {
        offline: () => {
          const period = workingDayPeriod(from, Number(days));
          console.log(`${days} working days from ${from} (not counted) end on ${period.endsOn}`);
          console.log(`  counted: ${period.counted.join(' ')}`);
          return 0;
        },
      };
    },
  },
  audit: {
    usage: `cli audit verify [--checkpoint FILE]
cli audit checkpoint --out FILE
cli audit history --subject KEY | --batch ID [--after SEQ] [--limit N]
  verify      re-hashes the whole audit trail; exits 1 naming the first entry that does not verify.
              With --checkpoint FILE it also checks the chain against a signed checkpoint: signed by
              this system's key (AUDIT_SIGNING_KEY), the chain still reaches its entry, and that entry
              still has its hash (detects deleted newest entries and a replaced or rewritten trail).
              Entries after the checkpoint are reported as not yet covered: a forged append there is
              only caught by the next checkpoint.
  checkpoint  verifies the chain, signs its head (Ed25519) and writes the checkpoint with the public key
              to FILE as JSON; keep the file where the database's administrators cannot change it.
  history     every audit entry about one subject (USCC or identity number) or one payout batch, oldest
              first, one per line; at most --limit (500) from after entry --after (0).`,
    prepare(argv) {
      const { values, positionals } = args.parse(argv, { checkpoint: { type: 'string' }, out: { type: 'string' }, subject: { type: 'string' }, batch: { type: 'string' }, after: { type: 'string' }, limit: { type: 'string' } }, this.usage);
      const sub = args.positional(positionals, 0, 'verify|checkpoint|history', this.usage);
      args.noMore(positionals, 1, this.usage);
      if (sub === 'history') {
        if ((values.subject === undefined) === (values.batch === undefined)) throw new UsageError('give exactly one of --subject KEY or --batch ID', this.usage);
        if (values.batch !== undefined && !/^[1-9]\d{0,18}$/.test(values.batch)) throw new UsageError(`--batch "${values.batch}" is not a payout batch id (a positive whole number)`, this.usage);
        if (values.after !== undefined && !/^\d{1,19}$/.test(values.after)) throw new UsageError(`--after "${values.after}" is not an audit entry number`, this.usage);
        if (values.limit !== undefined && !/^\d{1,4}$/.test(values.limit)) throw new UsageError(`--limit "${values.limit}" is not a number from 1 to 5000`, this.usage);
        const query = { subject: values.subject, batch: values.batch, after: values.after, limit: values.limit };
        return {
          permission: 'audit.read',
          action: async (app, actor) => {
            const history = await readAuditHistory(app.db, actor!, query);
            const of = 'subject' in history.of ? `subject ${history.of.subject}` : `payout batch ${history.of.batch}`;
            console.log(`audit history of ${of}: ${history.entries.length} entries${history.nextAfter ? ` (more: --after ${history.nextAfter})` : ''}`);
            for (const e of history.entries) console.log(`#${e.seq} ${e.at} ${e.actor} ${e.action} ${e.entityType}:${e.entityId} ${JSON.stringify(e.payload)}`);
            return 0;
          },
        };
      }
      if (sub === 'checkpoint') {
        if (!values.out) throw new UsageError('missing --out FILE', this.usage);
        const out = resolve(values.out);
        return {
          permission: 'audit.checkpoint',
          action: async (app) => {
            const checkpoint = await recordCheckpoint(app.db, app.clock, app.auditSigner);
            writeCheckpointFile(out, checkpoint);
            console.log(`audit checkpoint: #${checkpoint.seq} ${checkpoint.hash} (${checkpoint.count} entries, ${checkpoint.algorithm}) signed -> ${out}`);
            return 0;
          },
        };
      }
      if (sub !== 'verify') throw new UsageError(`unknown audit command "${sub}"; expected: audit verify, audit checkpoint, audit history`, this.usage);
      const file = values.checkpoint === undefined ? undefined : args.existingFile(values.checkpoint, '--checkpoint');
      return {
        permission: 'audit.read',
        action: async (app) => {
          const checked = file === undefined ? undefined : await verifyAgainstCheckpoint(app.db.sql, parseCheckpoint(readFileSync(file, 'utf8'), file), app.auditSigner.publicKeyPem);
          const result = checked?.chain ?? (await verifyAuditChain(app.db.sql));
          if (!result.ok) {
            console.error(`audit chain BROKEN at entry #${result.problem!.seq} (${result.problem!.reason}): ${result.problem!.message}`);
            console.error(`entries #1-#${result.headSeq} verify; the last good hash is ${result.headHash}`);
          }
          if (checked?.mismatch) console.error(`audit checkpoint MISMATCH (${file}): ${checked.mismatch}`);
          if (!result.ok || checked?.mismatch) return 1;
          console.log(`audit chain verified: ${result.rows} entries, head #${result.headSeq} ${result.headHash}`);
          if (checked) console.log(`checkpoint ${file} matches; not yet covered by a checkpoint: ${checked.uncovered} entries`);
          return 0;
        },
      };
    },
  },
  keys: {
    usage: `cli keys rotate [--batch N]
  Re-encrypts every stored personal-data value (persons' 公民身份号码, payment accounts, account facts)
  under DATA_KEY_CURRENT, N rows per transaction (default 1000), each batch audited. Resumable: run it
  again after an interruption. Lists the key ids still in use at the end; a key no longer listed may be
  removed from DATA_KEYS. The person key (ID_HASH_KEY) is not rotated.`,
    prepare(argv) {
      const { values, positionals } = args.parse(argv, { batch: { type: 'string' } }, this.usage);
      if (positionals[0] !== 'rotate') throw new UsageError(`unknown keys command "${positionals[0] ?? ''}"; the only one is: rotate`, this.usage);
      args.noMore(positionals, 1, this.usage);
      const batchSize = args.positiveInt(values.batch, '--batch', 100_000) ?? 1000;
      return {
        permission: 'keys.rotate',
        action: async (app, actor) => {
          const result = await rotateDataKeys(app.db, app.clock, dataKeys(), { actor: actor!, batchSize });
          console.log(`keys rotate: now under ${result.toKey}: ${result.persons} persons, ${result.payments} payments, ${result.factRecords} fact records re-encrypted`);
          console.log(`  values per key id: ${result.remaining.map((r) => `${r.kid} ${r.n}`).join(', ') || 'none stored'}`);
          return 0;
        },
      };
    },
  },
  worker: {
    usage: `cli worker
  Works on queued match shards (MATCH_WORKERS at a time) until SIGTERM or Ctrl-C; start more processes
  to share a run.`,
    prepare(argv) {
      const { positionals } = args.parse(argv, {}, this.usage);
      args.noMore(positionals, 0, this.usage);
      return {
        permission: null,
        workers: true,
        action: async (app) => {
          console.log(`worker: taking match shards (${app.config.MATCH_WORKERS} at a time); Ctrl-C to stop`);
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
          return 0;
        },
      };
    },
  },
  explain: {
    usage: `cli explain <subject> <point> <period>
  Explains a list entry in Chinese, re-derived from its run's pinned library and snapshot; exits 1 if the
  re-evaluation differs from the stored decision.`,
    prepare(argv) {
      const { positionals } = args.parse(argv, {}, this.usage);
      const subjectKey = args.positional(positionals, 0, 'subject', this.usage);
      const pointId = args.positional(positionals, 1, 'point', this.usage);
      const period = args.period(args.positional(positionals, 2, 'period', this.usage));
      args.noMore(positionals, 3, this.usage);
      return {
        permission: 'list.read',
        action: async (app, actor) => {
          const why = await explainEntry(app.db, { subjectKey, pointId, period }, actor!);
          console.log(`${maskUscc(subjectKey)}  run #${why.runId}${why.reproduced ? '' : '  (re-evaluation differs from the stored decision!)'}`);
          for (const line of why.lines) console.log(line);
          return why.reproduced ? 0 : 1;
        },
      };
    },
  },
  user: userCommand,
  'what-if': {
    usage: `cli what-if <point> <period> --draft <dir>
  Simulates a draft library (files in <dir>, named as under policies/, replace the live ones) against
  today's facts; writes nothing.`,
    prepare(argv) {
      const { values, positionals } = args.parse(argv, { draft: { type: 'string' } }, this.usage);
      const pointId = args.positional(positionals, 0, 'point', this.usage);
      const period = args.period(args.positional(positionals, 1, 'period', this.usage));
      args.noMore(positionals, 2, this.usage);
      if (!values.draft) throw new UsageError('missing --draft <dir>', this.usage);
      const dir = args.existingDir(values.draft, '--draft');
      return {
        permission: 'whatif.run',
        action: async (app, actor) => {
          const report = await simulate(app.db, { pointId, period, draftFiles: await readLibraryFiles(dir), actor: actor! });
          const yuan = (fen: bigint) => `¥${formatYuan(fen)}`;
          console.log(`${pointId} ${period}: ${report.subjects} subjects`);
          console.log(`  live : 符合 ${report.live.eligible}, 待定 ${report.live.undetermined}, ${yuan(report.live.totalFen)}`);
          console.log(`  draft: 符合 ${report.draft.eligible}, 待定 ${report.draft.undetermined}, ${yuan(report.draft.totalFen)}${report.draft.budgetFen === null ? '' : ` of budget ${yuan(report.draft.budgetFen)}${report.draft.overBudgetFen > 0n ? `, over by ${yuan(report.draft.overBudgetFen)}` : ''}`}`);
          console.log(`  gain: ${report.gainers.count} (+${yuan(report.gainers.totalFen)}, ${report.gainers.newlyEligible} newly eligible); lose: ${report.losers.count} (−${yuan(report.losers.totalFen)}, ${report.losers.noLongerEligible} no longer eligible)`);
          for (const [title, buckets] of [['district', report.byDistrict], ['industry', report.byIndustry], ['size', report.bySize]] as const) {
            console.log(`  by ${title}: ${buckets.map((b) => `${b.label} ${b.live.eligible}→${b.draft.eligible}`).join('; ')}`);
          }
          return 0;
        },
      };
    },
  },
  ...noticeCommands(),
  ...policyWorkflowCommands(),
  ...batchCommands(),
  ...paymentCommands(),
  ...recoveryCommands(),
};

const USAGE = `usage: npm run cli -- <command> [arguments] --as LOGIN (each command takes --help)
  --as LOGIN  the staff account the command acts as (password from MIANSHEN_PASSWORD or a prompt);
              not needed by: feeds, worker, and the first \`user add\` (while no administrator exists)
${Object.values(COMMANDS)
  .map((c) => `  ${c.usage.split('\n')[0]}`)
  .join('\n')}`;

function progressBar(p: RunProgress): void {
  const width = 30;
  const filled = Math.round((p.percent / 100) * width);
  process.stderr.write(`\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(p.percent).padStart(3)}%  shards ${p.shardsDone}/${p.shardCount}  `);
}

/**
 * Runs prepared work as the --as account: checks its password (the same lockout as the web sign-in),
 * then the command's permission, before any work; the services the work calls check again.
 */
export async function runPrepared(app: App, prepared: Prepared, as: string | undefined, env: Record<string, string | undefined> = process.env): Promise<number> {
  let actor: StaffActor | null = null;
  if (prepared.permission !== null) {
    if (as === undefined) {
      if (!prepared.bootstrap) throw new UsageError(`this command acts as a staff account: add --as LOGIN (it needs the permission ${prepared.permission}); the password comes from MIANSHEN_PASSWORD or a prompt`);
    } else {
      actor = (await accountsOf(app.db.orm, app.clock).authenticate({ login: as, password: await passwordForAs(as, env) })).actor;
      authorize(actor, prepared.permission);
    }
  }
  return prepared.action(app, actor);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...afterName] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? console.error : console.log)(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"; the commands are: ${Object.keys(COMMANDS).join(', ')}`);
  if (afterName.includes('--help') || afterName.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  let prepared: ReturnType<Command['prepare']>;
  let as: string | undefined;
  try {
    const taken = takeAs(afterName);
    as = taken.as;
    prepared = command.prepare(taken.rest);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(error.message, error.usage ?? command.usage);
    throw error;
  }
  if ('offline' in prepared) return prepared.offline();
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const app = await startApp(config, systemClock, log, { workers: prepared.workers === true });
  try {
    return await runPrepared(app, prepared, as);
  } finally {
    await app.stop();
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`error: ${error.message}`);
        console.error(error.usage ?? USAGE);
        process.exit(2);
      }
      console.error(isAppError(error) ? `${error.code}: ${error.message}` : error);
      process.exit(1);
    },
  );
}
