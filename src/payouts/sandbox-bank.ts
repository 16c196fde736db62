// A sandbox bank for demos and tests that keeps its own ledger (a table of its own) instead of files.
// It books each end-to-end id once and rejects accounts it considers closed: account numbers ending in
// 0000 (AC04). Its status reports are real pain.002.001.10 documents, so the same reconciliation reads
// them as it reads a bank's files.
import { createHash } from 'node:crypto';
import { eq, inArray, sql as dsql } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Orm, Tx } from '../db/clients.ts';
import { sandboxBankTransfers } from '../db/schema/index.ts';
import type { BankChannel, BankReport, PaymentMessage } from './bank-channel.ts';
import { writePain002 } from './iso20022/pain002.ts';
import { maskAccount } from '../subjects/id-number.ts';
import { keyedHash } from '../subjects/personal-data.ts';

export function sandboxBank(orm: Orm, clock: Clock): BankChannel & { bookedCount(): Promise<number> } {
  // Which transfers each report handed out covers, so acknowledging it marks exactly those.
  const covered = new Map<string, string[]>();
  return {
    kind: 'sandbox',
    async transmit(message: PaymentMessage, tx?: Tx) {
      let inserted = 0;
      for (let i = 0; i < message.instructions.length; i += 500) {
        const rows = message.instructions.slice(i, i + 500).map((ins) => {
          const closed = ins.accountNumber.endsWith('0000');
          return {
            endToEndId: ins.endToEndId,
            // The clear number reaches the channel only; the sandbox's own ledger keeps none.
            accountMasked: maskAccount(ins.accountNumber),
            accountHash: keyedHash(ins.accountNumber),
            amountFen: ins.amountFen,
            status: closed ? ('rejected' as const) : ('booked' as const),
            reasonCode: closed ? 'AC04' : null,
            receivedAt: clock.now(),
            messageId: message.messageId,
          };
        });
        inserted += (await (tx ?? orm).insert(sandboxBankTransfers).values(rows).onConflictDoNothing().returning({ id: sandboxBankTransfers.endToEndId })).length;
      }
      const sha256 = createHash('sha256').update(message.instructions.map((i) => `${i.endToEndId}:${i.amountFen}`).join('\n')).digest('hex');
      return { reference: `sandbox:${message.messageId}`, sha256, repeated: inserted === 0 };
    },
    async fetchReports(): Promise<BankReport[]> {
      const rows = await orm.select().from(sandboxBankTransfers).where(eq(sandboxBankTransfers.reported, 0));
      const byMessage = new Map<string, typeof rows>();
      for (const row of rows) byMessage.set(row.messageId ?? 'UNKNOWN', [...(byMessage.get(row.messageId ?? 'UNKNOWN') ?? []), row]);
      return [...byMessage].map(([originalMessageId, transfers]) => {
        const digest = createHash('sha256').update(transfers.map((t) => t.endToEndId).sort().join('\n')).digest('hex').slice(0, 20);
        const messageId = `SBX${digest}`;
        covered.set(messageId, transfers.map((t) => t.endToEndId));
        const rejected = transfers.filter((t) => t.status === 'rejected').length;
        const content = writePain002({
          messageId,
          createdAt: clock.now(),
          originalMessageId,
          groupStatus: rejected === 0 ? 'ACSC' : rejected === transfers.length ? 'RJCT' : 'PART',
          transactions: transfers.map((t) => ({
            endToEndId: t.endToEndId,
            status: t.status === 'booked' ? 'ACSC' : 'RJCT',
            reasonCode: t.reasonCode ?? undefined,
            bankReference: `SANDBOX-${t.endToEndId.slice(-8)}-${t.receivedAt.getTime().toString(36)}`,
            amountFen: t.amountFen,
          })),
        });
        return { reportId: messageId, content };
      });
    },
    async acknowledge(reportIds: string[]) {
      const ids = reportIds.flatMap((id) => covered.get(id) ?? []);
      if (ids.length === 0) return;
      await orm.update(sandboxBankTransfers).set({ reported: 1 }).where(inArray(sandboxBankTransfers.endToEndId, ids));
    },
    async bookedCount() {
      const [row] = await orm.execute<{ n: number }>(dsql`select count(*)::int as n from sandbox_bank_transfers where status = 'booked'`);
      return row?.n ?? 0;
    },
  };
}
