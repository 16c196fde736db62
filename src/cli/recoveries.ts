// `cli recoveries`: money to recover (追回) after a death or a 户籍 move arrived late. check raises the
// cases (also safe to run after every import), list shows them, recover and write-off close one.
// Persons are printed by their masked identity number; amounts in 元 from exact fen.
import { formatYuan } from '../money.ts';
import { checkRecoveries, listRecoveries, maskedSubjects, recordRecovery, writeOffRecovery, type RecoveryCase } from '../payouts/recovery.ts';
import * as args from './args.ts';
import { UsageError } from './args.ts';
import type { Command } from './command.ts';

const REASON_TEXT = { death: '死亡', 'hukou-moved': '户籍迁出' } as const;

/** 元 with at most two decimals, as exact fen (never through a float). */
function yuanToFen(text: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw new UsageError(`bad --amount "${text}": expected 元 with at most 2 decimals, e.g. 200 or 200.00`);
  return BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
}

function line(c: RecoveryCase, who: string): string {
  const closed = c.status === 'recovered' ? ` — recovered ¥${formatYuan(c.recoveredFen ?? 0n)} on ${c.recoveredOn} ref ${c.recoveryReference} by account ${c.resolvedBy}` : c.status === 'written_off' ? ` — written off by account ${c.resolvedBy}: ${c.writeOffReason}` : '';
  return `#${c.id} ${c.status.padEnd(11)} ${who} ${c.pointId} ${c.period} ¥${formatYuan(c.amountFen)} ${REASON_TEXT[c.reason]} ${c.factDate} (import #${c.importId ?? '-'}) payment ${c.paymentKey}${closed}`;
}

export function recoveryCommands(): Record<string, Command> {
  return {
    recoveries: {
      usage: `cli recoveries check
cli recoveries list [--all]
cli recoveries recover <id> --amount YUAN --on YYYY-MM-DD --reference TEXT
cli recoveries write-off <id> --reason TEXT
  Money paid for a month after the month of a death or a 户籍 move (the register said so late) is to be
  recovered (追回). check raises one case per such payment (run it after imports; it raises each once);
  list shows the open cases (--all: closed ones too); recover records the whole amount back, with the
  day received and the voucher reference; write-off closes a case that cannot be recovered, with the
  reason, by a finance approver other than whoever raised it. Every step is audited.`,
      prepare(argv) {
        const { values, positionals } = args.parse(argv, { all: { type: 'boolean' }, amount: { type: 'string' }, on: { type: 'string' }, reference: { type: 'string' }, reason: { type: 'string' } }, this.usage);
        const what = args.positional(positionals, 0, 'what', this.usage);
        if (what === 'check') {
          args.noMore(positionals, 1, this.usage);
          return {
            permission: 'recovery.check',
            action: async (app, actor) => {
              const result = await checkRecoveries(app.db, app.clock, { actor: actor! });
              const who = await maskedSubjects(app.db, result.raised);
              for (const c of result.raised) console.log(`  raised ${line(c, who.get(c.subjectKey) ?? c.subjectKey)}`);
              console.log(`${result.checked} paid months checked; ${result.raised.length} recoveries raised, ¥${formatYuan(result.raised.reduce((s, c) => s + c.amountFen, 0n))}`);
              return 0;
            },
          };
        }
        if (what === 'recover') {
          const id = args.positiveInt(args.positional(positionals, 1, 'id', this.usage), 'id')!;
          args.noMore(positionals, 2, this.usage);
          if (!values.amount) throw new UsageError('missing --amount YUAN (the whole amount recovered)', this.usage);
          if (!values.on) throw new UsageError('missing --on YYYY-MM-DD (the day the money was received)', this.usage);
          if (!values.reference) throw new UsageError("missing --reference TEXT (the bank's or treasury's voucher number)", this.usage);
          const amountFen = yuanToFen(values.amount);
          const recoveredOn = args.date(values.on, '--on');
          const reference = values.reference;
          return {
            permission: 'recovery.record',
            action: async (app, actor) => {
              const c = await recordRecovery(app.db.orm, app.clock, { id, amountFen, recoveredOn, reference, actor: actor! });
              console.log(`recovery #${c.id} recovered: ¥${formatYuan(amountFen)} on ${recoveredOn}, reference ${reference}`);
              return 0;
            },
          };
        }
        if (what === 'write-off') {
          const id = args.positiveInt(args.positional(positionals, 1, 'id', this.usage), 'id')!;
          args.noMore(positionals, 2, this.usage);
          if (values.reason === undefined) throw new UsageError('missing --reason TEXT (why the money cannot be recovered, and on whose decision)', this.usage);
          const reason = values.reason;
          return {
            permission: 'recovery.write_off',
            action: async (app, actor) => {
              const c = await writeOffRecovery(app.db.orm, app.clock, { id, reason, actor: actor! });
              console.log(`recovery #${c.id} written off (¥${formatYuan(c.amountFen)}): ${reason.trim()}`);
              return 0;
            },
          };
        }
        if (what !== 'list') throw new UsageError(`unknown recoveries step "${what}"; the steps are: check, list, recover, write-off`, this.usage);
        args.noMore(positionals, 1, this.usage);
        return {
          permission: 'recovery.read',
          action: async (app, actor) => {
            const cases = await listRecoveries(app.db.orm, { actor: actor!, statuses: values.all ? ['open', 'recovered', 'written_off'] : ['open'] });
            const who = await maskedSubjects(app.db, cases);
            for (const c of cases) console.log(line(c, who.get(c.subjectKey) ?? c.subjectKey));
            const open = cases.filter((c) => c.status === 'open');
            console.log(`${open.length} open recoveries, ¥${formatYuan(open.reduce((s, c) => s + c.amountFen, 0n))} to recover${values.all ? `; ${cases.length - open.length} closed` : ''}`);
            return 0;
          },
        };
      },
    },
  };
}
