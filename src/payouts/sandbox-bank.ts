// A sandbox bank for demos and tests. It keeps its own ledger (a table of its own), books each
// end-to-end id once, and rejects accounts it considers closed: account numbers ending in 0000 (AC04).
import { inArray, eq, sql as dsql } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Orm } from '../db/clients.ts';
import { sandboxBankTransfers } from '../db/schema/index.ts';
import { maskAccount } from '../subjects/id-number.ts';
import { keyedHash } from '../subjects/personal-data.ts';
import type { BankChannel, PaymentInstruction, StatusReport } from './bank-channel.ts';

export function sandboxBank(orm: Orm, clock: Clock): BankChannel & { bookedCount(): Promise<number> } {
  return {
    async submit(instructions: PaymentInstruction[]) {
      for (let i = 0; i < instructions.length; i += 500) {
        const rows = instructions.slice(i, i + 500).map((ins) => {
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
          };
        });
        await orm.insert(sandboxBankTransfers).values(rows).onConflictDoNothing();
      }
    },
    async pendingReports(): Promise<StatusReport[]> {
      const rows = await orm.select().from(sandboxBankTransfers).where(eq(sandboxBankTransfers.reported, 0));
      return rows.map((row) => ({
        endToEndId: row.endToEndId,
        status: row.status,
        reasonCode: row.reasonCode,
        bankReference: `SANDBOX-${row.endToEndId.length}-${row.receivedAt.getTime().toString(36)}`,
      }));
    },
    async acknowledge(endToEndIds: string[]) {
      if (endToEndIds.length === 0) return;
      await orm.update(sandboxBankTransfers).set({ reported: 1 }).where(inArray(sandboxBankTransfers.endToEndId, endToEndIds));
    },
    async bookedCount() {
      const [row] = await orm.execute<{ n: number }>(dsql`select count(*)::int as n from sandbox_bank_transfers where status = 'booked'`);
      return row?.n ?? 0;
    },
  };
}
