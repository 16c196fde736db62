// A sandbox bank on the other side of the files channel: it reads our pain.001 files from
// DATA_DIR/bank/outbox and answers each once with a pain.002 status report and a camt.054 debit
// notification in DATA_DIR/bank/inbox. Failures are configured by account-number suffix:
//   closed        RJCT AC04 ClosedAccountNumber (账户已销户)
//   invalid       RJCT AC01 IncorrectAccountNumber (账号不正确)
//   name-mismatch RJCT BE01 InconsistentWithEndCustomer: "identification of end customer is not
//                 consistent with associated account number" — the ExternalStatusReason1Code banks
//                 use when the payee name does not match the account (户名与账号不符)
//   timeout       no answer at all for that transaction (it stays sent: 在途)
//   late-return   accepted and booked, then a camt.054 return (CRDT with RtrInf, reason AC04 unless
//                 configured) once returnAfterDays have passed since the message was created
//   amount-off    booked one fen more than instructed (to exercise the amount check)
// Accounts ending in 0000 are closed by default, as in the database sandbox. The bank itself deletes
// nothing, and answers a message id once however often the file is read.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../clock.ts';
import { chinaDate } from './xml.ts';
import { writeCamt054, type Camt054Entry } from './camt054.ts';
import { bankDirs, writeOnce } from './files-channel.ts';
import { readPain001 } from './pain001.ts';
import { writePain002, type Pain002Transaction } from './pain002.ts';

type SandboxOutcome = 'closed' | 'invalid' | 'name-mismatch' | 'timeout' | 'late-return' | 'amount-off';

export interface SandboxRule {
  accountSuffix: string;
  outcome: SandboxOutcome;
  /** late-return: days after booking (default 3) and the return reason (default AC04). */
  returnAfterDays?: number;
  returnReason?: string;
}

const REJECTIONS: Partial<Record<SandboxOutcome, { code: string; text: string }>> = {
  closed: { code: 'AC04', text: 'Account closed' },
  invalid: { code: 'AC01', text: 'Incorrect account number' },
  'name-mismatch': { code: 'BE01', text: 'Creditor name does not match the account holder' },
};

const DEFAULT_SANDBOX_RULES: SandboxRule[] = [{ accountSuffix: '0000', outcome: 'closed' }];

export interface SandboxRunResult {
  /** Status reports and notifications written this time (file names in the inbox). */
  written: string[];
  /** Outbox files the bank could not read (a real bank would reject the file); left as they are. */
  unreadable: string[];
}

export function sandboxFileBank(options: { dataDir: string; clock: Clock; rules?: SandboxRule[]; fundAccount?: string }) {
  const dirs = bankDirs(options.dataDir);
  const rules = options.rules ?? DEFAULT_SANDBOX_RULES;
  const ruleFor = (account: string) => rules.find((r) => account.endsWith(r.accountSuffix));

  return {
    /** Answers every outbox message not answered yet, and emits late returns that have fallen due. */
    async process(): Promise<SandboxRunResult> {
      const result: SandboxRunResult = { written: [], unreadable: [] };
      if (!existsSync(dirs.outbox)) return result;
      const now = options.clock.now();
      for (const file of (await readdir(dirs.outbox)).filter((f) => f.endsWith('.pain.001.xml')).sort()) {
        let message;
        try {
          message = readPain001(await readFile(join(dirs.outbox, file), 'utf8'), file);
        } catch {
          result.unreadable.push(file);
          continue;
        }
        const id = message.messageId;
        const txs: Pain002Transaction[] = [];
        const bookings: Camt054Entry[] = [];
        const returns: Camt054Entry[] = [];
        message.transfers.forEach((t, index) => {
          const rule = ruleFor(t.accountNumber);
          const reference = `SBXF-${id.slice(-10)}-${index + 1}`;
          const rejection = rule ? REJECTIONS[rule.outcome] : undefined;
          if (rule?.outcome === 'timeout') return;
          if (rejection) {
            txs.push({ endToEndId: t.endToEndId, status: 'RJCT', reasonCode: rejection.code, reasonText: rejection.text, amountFen: t.amountFen });
            return;
          }
          txs.push({ endToEndId: t.endToEndId, status: 'ACCP', amountFen: t.amountFen, bankReference: reference });
          const booked = rule?.outcome === 'amount-off' ? t.amountFen + 1n : t.amountFen;
          bookings.push({ endToEndId: t.endToEndId, amountFen: booked, side: 'DBIT', bookedOn: chinaDate(now), bankReference: reference });
          if (rule?.outcome === 'late-return') {
            const due = new Date(message.createdAt).getTime() + (rule.returnAfterDays ?? 3) * 86_400_000;
            if (now.getTime() >= due) returns.push({ endToEndId: t.endToEndId, amountFen: t.amountFen, side: 'CRDT', bookedOn: chinaDate(now), bankReference: `${reference}-R`, returnReason: { code: rule.returnReason ?? 'AC04', text: 'Returned by the beneficiary bank' } });
          }
        });
        const fund = options.fundAccount ?? message.debtorAccount;
        if (txs.length > 0) {
          const accepted = txs.filter((t) => t.status !== 'RJCT').length;
          const groupStatus = accepted === txs.length ? 'ACCP' : accepted === 0 && txs.length === message.transfers.length ? 'RJCT' : 'PART';
          const name = `pain.002-${id}.xml`;
          if (await writeOnce(dirs.inbox, name, writePain002({ messageId: `ST${id}`.slice(0, 35), createdAt: now, originalMessageId: id, groupStatus, transactions: txs }))) result.written.push(name);
        }
        if (bookings.length > 0) {
          const name = `camt.054-${id}.xml`;
          if (await writeOnce(dirs.inbox, name, writeCamt054({ messageId: `NT${id}`.slice(0, 35), createdAt: now, accountNumber: fund, entries: bookings }))) result.written.push(name);
        }
        if (returns.length > 0) {
          const name = `camt.054-RTR-${id}.xml`;
          if (await writeOnce(dirs.inbox, name, writeCamt054({ messageId: `RT${id}`.slice(0, 35), createdAt: now, accountNumber: fund, entries: returns }))) result.written.push(name);
        }
      }
      return result;
    },
  };
}
