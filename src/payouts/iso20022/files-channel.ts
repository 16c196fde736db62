// The ISO 20022 channel over files, the way banks' host-to-host (银企直连 file) links work: our
// pain.001 goes into DATA_DIR/bank/outbox, the bank's pain.002 and camt.054 arrive in
// DATA_DIR/bank/inbox. Nothing here ever deletes or rewrites a file: every byte exchanged stays for
// audit, and reconciliation records which inbox files it has processed (bank_reports).
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BankChannel, BankReport, PaymentMessage, Transmission } from '../bank-channel.ts';
import { writePain001, type DebtorAccount } from './pain001.ts';

export interface BankDirs {
  outbox: string;
  inbox: string;
}

export function bankDirs(dataDir: string): BankDirs {
  return { outbox: join(dataDir, 'bank', 'outbox'), inbox: join(dataDir, 'bank', 'inbox') };
}

/** The outbox file name of a message id (ids are [A-Za-z0-9-] by construction; anything else is replaced). */
function outboxFileName(messageId: string): string {
  return `${messageId.replace(/[^A-Za-z0-9-]/g, '_')}.pain.001.xml`;
}

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Writes a file under a name once: written aside, then hard-linked into place, which fails if the
 * name exists, so a half-written file is never visible and an existing one is never overwritten.
 * Returns false when the name was already there.
 */
export async function writeOnce(dir: string, name: string, content: string): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  const aside = join(dir, `.${name}.${process.pid}.${randomUUID()}.tmp`);
  await writeFile(aside, content, { flag: 'wx' });
  try {
    await link(aside, join(dir, name));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(aside);
  }
}

export function iso20022FilesChannel(options: { dataDir: string; debtor: DebtorAccount }): BankChannel {
  const dirs = bankDirs(options.dataDir);
  return {
    kind: 'iso20022-files',
    async transmit(message: PaymentMessage): Promise<Transmission> {
      const name = outboxFileName(message.messageId);
      const xml = writePain001({
        messageId: message.messageId,
        createdAt: message.createdAt,
        debtor: options.debtor,
        transfers: message.instructions.map((i) => ({ endToEndId: i.endToEndId, amountFen: i.amountFen, payeeName: i.payeeName, accountNumber: i.accountNumber, remittance: i.remittance })),
      });
      const written = await writeOnce(dirs.outbox, name, xml);
      // A repeat (a crash between writing and recording it) keeps the file already there: the bank
      // may have picked it up, and its MsgId is what the bank deduplicates on.
      const bytes = written ? xml : await readFile(join(dirs.outbox, name));
      return { reference: name, sha256: sha256(bytes), repeated: !written };
    },
    async fetchReports(): Promise<BankReport[]> {
      if (!existsSync(dirs.inbox)) return [];
      const names = (await readdir(dirs.inbox)).filter((name) => name.endsWith('.xml') && !name.startsWith('.')).sort();
      return Promise.all(names.map(async (name) => ({ reportId: name, content: await readFile(join(dirs.inbox, name), 'utf8') })));
    },
    async acknowledge() {
      // Files are kept for audit; which ones were processed is recorded in bank_reports.
    },
  };
}
