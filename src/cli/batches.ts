// Operator commands for payout batches and their budget: prepare (reserves on the budget ledger), approve
// and reject (four eyes: never the preparer), send through the configured bank channel, list; and the
// budget ledger's balances per point, period and line with the payments behind them by account type.
import { lineBalances } from '../payouts/budget-ledger.ts';
import { bankChannelFor } from '../payouts/channels.ts';
import { approveBatch, prepareBatch, rejectBatch, sendBatch } from '../payouts/payout-service.ts';
import { formatYuan } from '../money.ts';
import { listAdjustments, resolveAdjustment } from '../payouts/adjustments.ts';
import { maskUscc } from '../subjects/uscc.ts';
import { GATE_TEXT, type Gate } from '../lists/notice-gate.ts';
import * as args from './args.ts';
import { UsageError } from './args.ts';
import type { Command } from './command.ts';

const yuan = (fen: bigint | null) => (fen === null ? '—' : `¥${formatYuan(fen)}`);

export function batchCommands(): Record<string, Command> {
  return {
    batch: {
      usage: `cli batch prepare <point> <period>
cli batch approve <batch-id>
cli batch reject <batch-id> --reason TEXT
cli batch send <batch-id>
cli batch list [<point>]
  prepare  builds a batch of the point's entries whose 公示 has ended with no open objection (and, where the
           point asks, confirmed), reserving its money on the budget ledger; refused whole when a budget
           line cannot hold it. Prints what still waits, and where.
  approve  one approval (a second finance approver is needed above SECOND_APPROVAL_ABOVE_FEN); never by
           the preparer. reject refuses a prepared batch with the reason: its reservation is released
           and its entries return to the list.
  send     transmits the approved batch's pending payments through BANK_CHANNEL; safe to repeat.`,
      prepare(argv) {
        const { values, positionals } = args.parse(argv, { reason: { type: 'string' } }, this.usage);
        const what = args.positional(positionals, 0, 'what', this.usage);
        if (what === 'prepare') {
          const pointId = args.positional(positionals, 1, 'point', this.usage);
          const period = args.period(args.positional(positionals, 2, 'period', this.usage));
          args.noMore(positionals, 3, this.usage);
          return {
            permission: 'batch.prepare',
            action: async (app, actor) => {
              const b = await prepareBatch(app.db, app.clock, { pointId, period, actor: actor!, secondApprovalAboveFen: app.config.SECOND_APPROVAL_ABOVE_FEN });
              console.log(`batch #${b.batchId}: ${b.paymentCount} payments, ${yuan(b.totalFen)}; ${b.withoutAccount.length} eligible without an account on record`);
              for (const [gate, n] of Object.entries(b.waiting)) console.log(`  waiting: ${n} ${GATE_TEXT[gate as Gate]}`);
              return 0;
            },
          };
        }
        if (what === 'approve' || what === 'reject' || what === 'send') {
          const batchId = args.positiveInt(args.positional(positionals, 1, 'batch-id', this.usage), 'batch-id')!;
          args.noMore(positionals, 2, this.usage);
          if (what === 'approve') {
            return {
              permission: 'batch.approve',
              action: async (app, actor) => {
                const r = await approveBatch(app.db, app.clock, { batchId, actor: actor! });
                console.log(`batch #${batchId} ${r.status === 'approved' ? 'approved' : 'approved once; above the second-approval amount it needs a second finance approver'}`);
                return 0;
              },
            };
          }
          if (what === 'reject') {
            if (!values.reason) throw new UsageError('missing --reason TEXT (what is wrong, what the preparer should do)', this.usage);
            const reason = values.reason;
            return {
              permission: 'batch.approve',
              action: async (app, actor) => {
                await rejectBatch(app.db, app.clock, { batchId, reason, actor: actor! });
                console.log(`batch #${batchId} rejected; its reservation is released and its entries are back on the list`);
                return 0;
              },
            };
          }
          return {
            permission: 'batch.send',
            action: async (app, actor) => {
              const r = await sendBatch(app.db, app.clock, bankChannelFor(app.config, app.db.orm, app.clock), { batchId, actor: actor! });
              console.log(`batch #${batchId}: ${r.sent} payments sent`);
              return 0;
            },
          };
        }
        if (what !== 'list') throw new UsageError(`unknown batch step "${what}"; the steps are: prepare, approve, reject, send, list`, this.usage);
        const pointId = positionals[1];
        args.noMore(positionals, pointId === undefined ? 1 : 2, this.usage);
        return {
          permission: 'batch.read',
          action: async (app) => {
            const rows = await app.db.sql<{ id: string; point_id: string; period: string; status: string; payment_count: number; total: string; prepared_by: string; approved_by: string | null; rejection_reason: string | null }[]>`
              select id::text, point_id, period, status, payment_count, total_fen::text as total, prepared_by::text, approved_by::text, rejection_reason
              from payout_batches where ${pointId === undefined ? app.db.sql`true` : app.db.sql`point_id = ${pointId}`} order by id desc limit 200`;
            for (const b of rows) console.log(`#${b.id} ${b.point_id} ${b.period} ${b.status.padEnd(10)} ${b.payment_count} payments ${yuan(BigInt(b.total))} prepared by account ${b.prepared_by}${b.approved_by ? `, approved by account ${b.approved_by}` : ''}${b.rejection_reason ? `, rejected: ${b.rejection_reason}` : ''}`);
            console.log(`${rows.length} batches`);
            return 0;
          },
        };
      },
    },
    adjustments: {
      usage: `cli adjustments list [--all]
cli adjustments resolve <id> --reason TEXT
  What a re-match would have changed about entries already batched or paid (差额调整): the entry is
  left as it is and the difference (+ owed to the subject, − overpaid) waits here for staff, who close
  it with what they did (a top-up decided, a recovery raised, or why nothing is owed).`,
      prepare(argv) {
        const { values, positionals } = args.parse(argv, { reason: { type: 'string' }, all: { type: 'boolean' } }, this.usage);
        const what = args.positional(positionals, 0, 'what', this.usage);
        if (what === 'resolve') {
          const id = args.positiveInt(args.positional(positionals, 1, 'id', this.usage), 'id')!;
          args.noMore(positionals, 2, this.usage);
          if (!values.reason) throw new UsageError('missing --reason TEXT (what was done about the difference)', this.usage);
          const resolution = values.reason;
          return {
            permission: 'adjustment.resolve',
            action: async (app, actor) => {
              await resolveAdjustment(app.db, app.clock, { id, resolution, actor: actor! });
              console.log(`adjustment #${id} closed`);
              return 0;
            },
          };
        }
        if (what !== 'list') throw new UsageError(`unknown adjustments step "${what}"; the steps are: list, resolve`, this.usage);
        args.noMore(positionals, 1, this.usage);
        const all = values.all === true;
        return {
          permission: 'list.read',
          action: async (app, actor) => {
            const rows = await listAdjustments(app.db, { actor: actor!, ...(all ? {} : { status: 'open' as const }) });
            for (const a of rows) console.log(`#${a.id} ${a.status.padEnd(8)} ${a.pointId} ${a.period} ${maskUscc(a.subjectKey)} ${a.entryStatus}: ${a.oldOutcome}→${a.newOutcome}, held ${yuan(a.heldFen)}, difference ${a.differenceFen >= 0n ? '+' : '−'}${yuan(a.differenceFen >= 0n ? a.differenceFen : -a.differenceFen)}${a.resolution ? ` -> ${a.resolution}` : ''}`);
            console.log(`${rows.length} ${all ? '' : 'open '}adjustments`);
            return 0;
          },
        };
      },
    },
    budget: {
      usage: `cli budget [<point> [<period>]]
  The budget ledger per point, period and line (total, share, or district quota): limit, reserved
  (prepared batches), committed (approved), paid (booked by the bank), released (rejected or failed for
  good) and what is left; then the payments behind it by line, account type and status.`,
      prepare(argv) {
        const { positionals } = args.parse(argv, {}, this.usage);
        const pointId = positionals[0];
        const period = positionals[1] === undefined ? undefined : args.period(positionals[1]);
        args.noMore(positionals, positionals.length > 2 ? 2 : positionals.length, this.usage);
        return {
          permission: 'budget.read',
          action: async (app) => {
            const filter = { ...(pointId === undefined ? {} : { pointId }), ...(period === undefined ? {} : { period }) };
            const balances = await lineBalances(app.db.orm, filter);
            console.log('point                               period   line            limit            reserved         committed        paid             released         available');
            for (const b of balances) {
              console.log(`${b.pointId.padEnd(35)} ${b.period.padEnd(8)} ${b.line.padEnd(15)} ${yuan(b.limitFen).padEnd(16)} ${yuan(b.reservedFen).padEnd(16)} ${yuan(b.committedFen).padEnd(16)} ${yuan(b.paidFen).padEnd(16)} ${yuan(b.releasedFen).padEnd(16)} ${yuan(b.availableFen)}`);
            }
            const breakdown = await app.db.sql<{ point_id: string; period: string; line: string; district: string; kind: string; status: string; n: number; total: string }[]>`
              select b.point_id, b.period, p.budget_line as line, coalesce(e.region_code, ps.region_code, '—') as district, p.account_kind as kind, p.status,
                     count(*)::int as n, sum(p.amount_fen)::text as total
              from payments p join payout_batches b on b.id = p.batch_id
              left join enterprises e on e.uscc = p.subject_key left join persons ps on ps.person_key = p.subject_key
              where (${pointId ?? null}::text is null or b.point_id = ${pointId ?? null}) and (${period ?? null}::text is null or b.period = ${period ?? null})
              group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6`;
            if (breakdown.length > 0) console.log('payments by line, district (GB/T 2260), account type and status:');
            for (const r of breakdown) console.log(`  ${r.point_id} ${r.period} ${r.line} ${r.district} ${r.kind} ${r.status}: ${r.n} payments ${yuan(BigInt(r.total))}`);
            return 0;
          },
        };
      },
    },
  };
}
