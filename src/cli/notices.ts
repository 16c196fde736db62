// Operator commands between a list and a batch: 公示 (publish a point's list, see notices and where
// entries stand) and 异议 (record an objection received by letter or telephone, decide one). Subjects
// raise their own objections and confirm in the portal; identifiers are masked in everything printed.
import { formatYuan } from '../money.ts';
import { GATE_TEXT, type Gate } from '../lists/notice-gate.ts';
import { gateCounts, listObjections, publicNotice, publishNotice, raiseObjection, recentNotices, resolveObjection } from '../lists/notice-service.ts';
import { maskUscc } from '../subjects/uscc.ts';
import { deadlineReport } from '../supervision/deadlines.ts';
import * as args from './args.ts';
import { UsageError } from './args.ts';
import type { Command } from './command.ts';

export function noticeCommands(): Record<string, Command> {
  return {
    notice: {
      usage: `cli notice publish <point> <period>
cli notice list
cli notice show <notice-id>
cli notice status <point> <period>
  publish  publishes the point's listed entries that need it (公示: never published, changed since, or
           corrected after an upheld objection) for the working days the policy sets, counted on the
           official calendar with its 调休 make-up days; prints the days counted and the last day.
  list     notices open or ended in the last 30 days.
  show     a notice as the public sees it: masked identifiers, amounts, objection outcomes.
  status   how many of the point's listed entries stand at each step (公示, 异议, 确认) today.`,
      prepare(argv) {
        const { positionals } = args.parse(argv, {}, this.usage);
        const what = args.positional(positionals, 0, 'what', this.usage);
        if (what === 'publish' || what === 'status') {
          const pointId = args.positional(positionals, 1, 'point', this.usage);
          const period = args.period(args.positional(positionals, 2, 'period', this.usage));
          args.noMore(positionals, 3, this.usage);
          if (what === 'status') {
            return {
              permission: 'list.read',
              action: async (app) => {
                const counts = await gateCounts(app.db, app.clock, pointId, period);
                for (const [gate, n] of Object.entries(counts)) if (n > 0) console.log(`${String(n).padStart(7)}  ${GATE_TEXT[gate as Gate]}`);
                return 0;
              },
            };
          }
          return {
            permission: 'notice.publish',
            action: async (app, actor) => {
              const n = await publishNotice(app.db, app.clock, { pointId, period, actor: actor! });
              console.log(`notice #${n.noticeId}: ${n.pointId} ${n.period}, ${n.entryCount} entries, ¥${formatYuan(n.totalFen)}; published ${n.publishedOn}, ${n.workingDays} working days (${n.countedDays.join(', ')}), ends ${n.endsOn}`);
              console.log(`  basis: ${n.basis}`);
              if (n.confirmationDueOn) console.log(`  confirmation (确认) due by ${n.confirmationDueOn}; unconfirmed entries are then waived (视为自愿放弃)`);
              return 0;
            },
          };
        }
        if (what === 'show') {
          const noticeId = args.positiveInt(args.positional(positionals, 1, 'notice-id', this.usage), 'notice-id')!;
          args.noMore(positionals, 2, this.usage);
          return {
            permission: 'list.read',
            action: async (app) => {
              const n = await publicNotice(app.db, app.clock, noticeId);
              console.log(`notice #${n.noticeId} ${n.pointId} ${n.period}: ${n.statusText}; ${n.entryCount} entries, ¥${n.totalYuan}; ${n.basis}`);
              for (const e of n.entries) console.log(`  ${e.maskedId}  ${e.maskedName}  ¥${e.amountYuan}${e.objection ? `  ${e.objection}` : ''}`);
              return 0;
            },
          };
        }
        if (what !== 'list') throw new UsageError(`unknown notice step "${what}"; the steps are: publish, list, show, status`, this.usage);
        args.noMore(positionals, 1, this.usage);
        return {
          permission: 'list.read',
          action: async (app) => {
            const rows = await recentNotices(app.db, app.clock);
            for (const n of rows) console.log(`#${n.noticeId} ${n.pointId} ${n.period} ${n.publishedOn}..${n.endsOn} ${n.open ? '公示中' : '已期满'} ${n.entryCount} entries ¥${n.totalYuan}`);
            console.log(`${rows.length} notices`);
            return 0;
          },
        };
      },
    },
    deadlines: {
      usage: `cli deadlines [<point>]
  电子监察: entries and batches nearing or past their stage's time limit in working days (list → 公示,
  公示 end → batch, batch → approval, approval → paid; the point's timeLimits or the system's), and the
  median days from eligibility to payment. Exits 1 when anything is overdue.`,
      prepare(argv) {
        const { positionals } = args.parse(argv, {}, this.usage);
        const pointId = positionals[0];
        args.noMore(positionals, pointId === undefined ? 0 : 1, this.usage);
        return {
          permission: 'list.read',
          action: async (app, actor) => {
            const r = await deadlineReport(app.db, app.clock, { actor: actor!, ...(pointId === undefined ? {} : { pointId }) });
            for (const w of r.warnings) {
              console.log(`${w.level === 'overdue' ? '逾期' : '临期'} ${w.stageText} ${w.pointId} ${w.period} ${w.batchId !== null ? `batch #${w.batchId}` : maskUscc(w.subjectKey!)} since ${w.since}: ${w.workingDaysUsed}/${w.limit} working days (${w.basis})`);
            }
            console.log(`today ${r.today}; open at each stage: 待公示 ${r.open.notice}, 待制单 ${r.open.batch}, 待审批 ${r.open.approval}, 待到账 ${r.open.payment}; ${r.warnings.length} warnings${r.uncounted > 0 ? `; ${r.uncounted} not counted (the official calendar does not hold the year yet)` : ''}`);
            console.log(`eligibility to payment: ${r.toPayment.payments} payments, median ${r.toPayment.medianCalendarDays ?? '—'} calendar days, ${r.toPayment.medianWorkingDays ?? '—'} working days`);
            return r.warnings.some((w) => w.level === 'overdue') ? 1 : 0;
          },
        };
      },
    },
    objection: {
      usage: `cli objection list [--all]
cli objection raise <notice-id> <subject> --reason TEXT
cli objection resolve <objection-id> upheld|rejected --reason TEXT
  raise    records an objection (异议) received by letter or telephone, saying who raised it and why.
  resolve  decides one, with the reason, as a reviewer who did not record it. Upheld: the entry is held
           until a match run re-evaluates it, then published again; rejected: the reason is recorded
           and shown on the notice.`,
      prepare(argv) {
        const { values, positionals } = args.parse(argv, { reason: { type: 'string' }, all: { type: 'boolean' } }, this.usage);
        const what = args.positional(positionals, 0, 'what', this.usage);
        if (what === 'raise') {
          const noticeId = args.positiveInt(args.positional(positionals, 1, 'notice-id', this.usage), 'notice-id')!;
          const subjectKey = args.positional(positionals, 2, 'subject', this.usage);
          args.noMore(positionals, 3, this.usage);
          if (!values.reason) throw new UsageError('missing --reason TEXT (who raised it and why)', this.usage);
          const reason = values.reason;
          return {
            permission: 'objection.raise',
            action: async (app, actor) => {
              const { objectionId } = await raiseObjection(app.db, app.clock, { noticeId, subjectKey, reason, actor: actor! });
              console.log(`objection #${objectionId} recorded on notice #${noticeId} for ${maskUscc(subjectKey)}`);
              return 0;
            },
          };
        }
        if (what === 'resolve') {
          const objectionId = args.positiveInt(args.positional(positionals, 1, 'objection-id', this.usage), 'objection-id')!;
          const decision = args.positional(positionals, 2, 'decision', this.usage);
          args.noMore(positionals, 3, this.usage);
          if (decision !== 'upheld' && decision !== 'rejected') throw new UsageError(`bad decision "${decision}": expected upheld or rejected`, this.usage);
          if (!values.reason) throw new UsageError('missing --reason TEXT (what was checked, what was found)', this.usage);
          const reason = values.reason;
          return {
            permission: 'objection.resolve',
            action: async (app, actor) => {
              await resolveObjection(app.db, app.clock, { objectionId, decision, reason, actor: actor! });
              console.log(`objection #${objectionId} ${decision === 'upheld' ? 'upheld: the entry is held until a match run re-evaluates it' : 'rejected: the reason is shown on the notice'}`);
              return 0;
            },
          };
        }
        if (what !== 'list') throw new UsageError(`unknown objection step "${what}"; the steps are: list, raise, resolve`, this.usage);
        args.noMore(positionals, 1, this.usage);
        const all = values.all === true;
        return {
          permission: 'list.read',
          action: async (app) => {
            const rows = await listObjections(app.db, all ? {} : { status: 'open' });
            for (const o of rows) console.log(`#${o.id} ${o.status.padEnd(8)} notice #${o.noticeId} ${o.pointId} ${o.period} ${maskUscc(o.subjectKey)} by ${o.raisedBy}: ${o.reason}${o.resolution ? ` -> ${o.resolution} (${o.resolvedBy})` : ''}`);
            console.log(`${rows.length} ${all ? '' : 'open '}objections`);
            return 0;
          },
        };
      },
    },
  };
}
