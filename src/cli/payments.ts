// Operator commands for money after it has left: the bank exchange (reconcile, the sandbox file
// bank), quarantined report lines, account re-verification and follow-up batches. Identifiers are
// masked in everything printed.
import { formatYuan } from '../money.ts';
import { bankChannelFor } from '../payouts/channels.ts';
import { sandboxFileBank } from '../payouts/iso20022/sandbox-file-bank.ts';
import { maskAccount } from '../payouts/payment-keys.ts';
import { listQuarantine, listReverifications, prepareFollowUpBatch, reconcileReports, resolveQuarantine, verifyAccount } from '../payouts/reconciliation.ts';
import { decryptField } from '../subjects/personal-data.ts';
import { maskUscc } from '../subjects/uscc.ts';
import * as args from './args.ts';
import { UsageError } from './args.ts';
import type { Command } from './command.ts';

/** The bank-side commands; each declares its permission, and the services check it again. */
export function paymentCommands(): Record<string, Command> {
  return {
    bank: {
      usage: `cli bank reconcile
cli bank sandbox
  reconcile  reads the bank's reports from the configured channel (BANK_CHANNEL) and applies them:
             payments paid, failed or returned; lines it cannot apply quarantined; duplicate and
             malformed files recorded and listed. Exits 1 when a file was malformed.
  sandbox    (BANK_CHANNEL=iso20022-files) lets the sandbox bank answer DATA_DIR/bank/outbox once:
             pain.002 and camt.054 files into DATA_DIR/bank/inbox (accounts ending 0000 are closed).`,
      prepare(argv) {
        const { positionals } = args.parse(argv, {}, this.usage);
        const what = args.positional(positionals, 0, 'what', this.usage);
        args.noMore(positionals, 1, this.usage);
        if (what === 'sandbox') {
          return {
            permission: 'bank.reconcile',
            action: async (app) => {
              const result = await sandboxFileBank({ dataDir: app.config.DATA_DIR, clock: app.clock, fundAccount: app.config.FUND_ACCOUNT_NUMBER }).process();
              console.log(`sandbox bank: ${result.written.length} files written${result.written.map((f) => `\n  ${f}`).join('')}`);
              for (const f of result.unreadable) console.log(`  unreadable, not answered: ${f}`);
              return 0;
            },
          };
        }
        if (what !== 'reconcile') throw new UsageError(`unknown bank step "${what}"; the steps are: reconcile, sandbox`, this.usage);
        return {
          permission: 'bank.reconcile',
          action: async (app, actor) => {
            const r = await reconcileReports(app.db.orm, app.clock, app.log, bankChannelFor(app.config, app.db.orm, app.clock), actor!);
            console.log(`reports applied ${r.applied.length}; paid ${r.paid}, failed ${r.failed}, returned ${r.returned}; quarantined lines ${r.quarantined}; batches reconciled ${r.batchesReconciled.join(', ') || 'none'}`);
            for (const d of r.duplicates) console.log(`  duplicate, changed nothing: ${d.reportId} (${d.of})`);
            for (const m of r.malformed) console.log(`  malformed, changed nothing: ${m.reportId}: ${m.error}`);
            return r.malformed.length > 0 ? 1 : 0;
          },
        };
      },
    },
    quarantine: {
      usage: `cli quarantine list [--all]
cli quarantine resolve <id> --reason TEXT
  Bank report lines reconciliation could not apply (no such payment, amount or currency differing from
  the instruction, a status contradicting a final one). They stay open until a person resolves them
  with the reason (what the bank said, what was done); the resolution is audited.`,
      prepare(argv) {
        const { values, positionals } = args.parse(argv, { all: { type: 'boolean' }, reason: { type: 'string' } }, this.usage);
        const what = args.positional(positionals, 0, 'what', this.usage);
        if (what === 'resolve') {
          const id = args.positiveInt(args.positional(positionals, 1, 'id', this.usage), 'id')!;
          args.noMore(positionals, 2, this.usage);
          if (!values.reason) throw new UsageError('missing --reason TEXT (what was found with the bank, what was done)', this.usage);
          const reason = values.reason;
          return {
            permission: 'bank.reconcile',
            action: async (app, actor) => {
              await resolveQuarantine(app.db.orm, app.clock, { id, reason, actor: actor! });
              console.log(`quarantined line ${id} resolved`);
              return 0;
            },
          };
        }
        if (what !== 'list') throw new UsageError(`unknown quarantine step "${what}"; the steps are: list, resolve`, this.usage);
        args.noMore(positionals, 1, this.usage);
        return {
          permission: 'batch.read',
          action: async (app) => {
            const lines = await listQuarantine(app.db.orm, values.all ? 'all' : 'open');
            for (const l of lines) console.log(`#${l.id} ${l.status} ${l.problem} ${l.reportId} line ${l.lineNo} e2e=${l.endToEndId ?? '-'}: ${l.detail}${l.resolution ? ` — resolved by ${l.resolvedBy}: ${l.resolution}` : ''}`);
            console.log(`${lines.length} ${values.all ? '' : 'open '}quarantined lines`);
            return 0;
          },
        };
      },
    },
    reverify: {
      usage: `cli reverify list
cli reverify confirm <subject> <payment-key> --account NUMBER [--kind basic|social-insurance|social-security-card]
cli reverify follow-up <batch-id>
  Failed and returned payments wait here for their account to be re-verified (账户复核). confirm records
  the account to pay (the same one, or a corrected one); follow-up prepares a follow-up batch (补发批次)
  re-sending a batch's re-verified payments, each once; it is approved and sent like any batch.`,
      prepare(argv) {
        const { values, positionals } = args.parse(argv, { account: { type: 'string' }, kind: { type: 'string' } }, this.usage);
        const what = args.positional(positionals, 0, 'what', this.usage);
        if (what === 'confirm') {
          const subjectKey = args.positional(positionals, 1, 'subject', this.usage);
          const paymentKey = args.positional(positionals, 2, 'payment-key', this.usage);
          args.noMore(positionals, 3, this.usage);
          if (!values.account) throw new UsageError('missing --account NUMBER', this.usage);
          const kind = values.kind ?? 'basic';
          if (kind !== 'basic' && kind !== 'social-insurance' && kind !== 'social-security-card') throw new UsageError(`bad --kind "${kind}": expected basic, social-insurance or social-security-card (a person's 社保卡)`, this.usage);
          const accountNumber = values.account;
          return {
            permission: 'bank.reconcile',
            action: async (app, actor) => {
              await verifyAccount(app.db.orm, app.clock, { subjectKey, paymentKey, accountNumber, accountKind: kind, actor: actor! });
              console.log(`account ${maskAccount(accountNumber)} confirmed for ${maskUscc(subjectKey)}`);
              return 0;
            },
          };
        }
        if (what === 'follow-up') {
          const sourceBatchId = args.positiveInt(args.positional(positionals, 1, 'batch-id', this.usage), 'batch-id')!;
          args.noMore(positionals, 2, this.usage);
          return {
            permission: 'batch.prepare',
            action: async (app, actor) => {
              const batch = await prepareFollowUpBatch(app.db.orm, app.clock, { sourceBatchId, actor: actor! });
              console.log(`follow-up batch #${batch.batchId} of batch #${sourceBatchId}: ${batch.paymentCount} payments, ¥${formatYuan(batch.totalFen)}; it needs approval by another finance officer`);
              return 0;
            },
          };
        }
        if (what !== 'list') throw new UsageError(`unknown reverify step "${what}"; the steps are: list, confirm, follow-up`, this.usage);
        args.noMore(positionals, 1, this.usage);
        return {
          permission: 'batch.read',
          action: async (app) => {
            const rows = await listReverifications(app.db.orm);
            for (const r of rows) console.log(`${r.status.padEnd(9)} batch #${r.batchId} ${maskUscc(r.subjectKey)} ${r.paymentKey} ${r.outcome} ${r.reasonCode ?? '-'} ${r.reason ?? ''} account ${maskAccount(decryptField(r.failedAccountNumber))}${r.verifiedAccountNumber ? ` -> ${maskAccount(decryptField(r.verifiedAccountNumber))}` : ''}`);
            console.log(`${rows.length} payments awaiting re-verification or re-send`);
            return 0;
          },
        };
      },
    },
  };
}
