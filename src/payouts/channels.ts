// Picks the payment channel the configuration names (BANK_CHANNEL). The ISO 20022 files channel
// debits the configured fund account; the sandbox keeps a simulated bank in the database.
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Orm } from '../db/clients.ts';
import type { BankChannel } from './bank-channel.ts';
import { iso20022FilesChannel } from './iso20022/files-channel.ts';
import { sandboxBank } from './sandbox-bank.ts';

export function bankChannelFor(config: Pick<Config, 'BANK_CHANNEL' | 'DATA_DIR' | 'FUND_ACCOUNT_NAME' | 'FUND_ACCOUNT_NUMBER' | 'FUND_ACCOUNT_CNAPS'>, orm: Orm, clock: Clock): BankChannel {
  if (config.BANK_CHANNEL === 'iso20022-files') {
    return iso20022FilesChannel({ dataDir: config.DATA_DIR, debtor: { name: config.FUND_ACCOUNT_NAME, accountNumber: config.FUND_ACCOUNT_NUMBER, agentCnaps: config.FUND_ACCOUNT_CNAPS } });
  }
  return sandboxBank(orm, clock);
}
