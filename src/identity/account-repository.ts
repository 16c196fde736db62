// The SQL of staff accounts and sessions. Small named statements over an executor (the drizzle client
// or a transaction); nothing here reads the clock or decides anything: the account service does.
import { and, asc, eq, sql as dsql } from 'drizzle-orm';
import type { Orm, Tx } from '../db/clients.ts';
import { staffAccounts, staffSessions } from '../db/schema/index.ts';
import type { StaffRole } from './permissions.ts';

type Executor = Orm | Tx;
export type StaffAccountRow = typeof staffAccounts.$inferSelect;
type StaffSessionRow = typeof staffSessions.$inferSelect;

interface NewAccount {
  login: string;
  displayName: string;
  passwordHash: string | null;
  roles: StaffRole[];
  createdAt: Date;
  createdBy: number | null;
}

export interface AccountRepository {
  byLogin(login: string): Promise<StaffAccountRow | undefined>;
  byId(id: number): Promise<StaffAccountRow | undefined>;
  list(): Promise<StaffAccountRow[]>;
  /** Whether any enabled account holds the administrator role (bootstrap is open while none does). */
  hasAdministrator(): Promise<boolean>;
  /** The new account's id, or undefined when the (normalised) login is taken. */
  insert(account: NewAccount): Promise<number | undefined>;
  setPassword(id: number, passwordHash: string): Promise<void>;
  disable(id: number, at: Date): Promise<void>;
  recordFailure(id: number, failedAttempts: number, lockedUntil: Date | null): Promise<void>;
  clearFailures(id: number): Promise<void>;
  insertSession(session: { tokenHash: string; csrfHash: string; accountId: number; createdAt: Date; expiresAt: Date }): Promise<number>;
  sessionByTokenHash(tokenHash: string): Promise<StaffSessionRow | undefined>;
  touchSession(id: number, at: Date): Promise<void>;
  revokeSession(id: number, at: Date): Promise<boolean>;
  revokeSessionsOf(accountId: number, at: Date): Promise<number>;
  /** Serialises bootstraps (transaction-scoped advisory lock). */
  lockBootstrap(): Promise<void>;
  /** The account's failure count, row-locked until the transaction ends. */
  failedAttemptsForUpdate(id: number): Promise<number>;
  /** Runs the work in one transaction; the repository it gets is bound to that transaction. */
  transaction<T>(work: (repo: AccountRepository, tx: Tx) => Promise<T>): Promise<T>;
}

export function accountRepository(q: Executor): AccountRepository {
  const repo: AccountRepository = {
    async byLogin(login) {
      const [row] = await q.select().from(staffAccounts).where(eq(staffAccounts.login, login));
      return row;
    },
    async byId(id) {
      const [row] = await q.select().from(staffAccounts).where(eq(staffAccounts.id, id));
      return row;
    },
    list: () => q.select().from(staffAccounts).orderBy(asc(staffAccounts.id)),
    async hasAdministrator() {
      const rows = await q
        .select({ id: staffAccounts.id })
        .from(staffAccounts)
        .where(and(dsql`'administrator' = any(${staffAccounts.roles})`, dsql`${staffAccounts.disabledAt} is null`))
        .limit(1);
      return rows.length > 0;
    },
    async insert(account) {
      const rows = await q.insert(staffAccounts).values(account).onConflictDoNothing({ target: staffAccounts.login }).returning({ id: staffAccounts.id });
      return rows[0]?.id;
    },
    async setPassword(id, passwordHash) {
      await q.update(staffAccounts).set({ passwordHash, failedAttempts: 0, lockedUntil: null }).where(eq(staffAccounts.id, id));
    },
    async disable(id, at) {
      await q.update(staffAccounts).set({ disabledAt: at }).where(eq(staffAccounts.id, id));
    },
    async recordFailure(id, failedAttempts, lockedUntil) {
      await q.update(staffAccounts).set({ failedAttempts, lockedUntil }).where(eq(staffAccounts.id, id));
    },
    async clearFailures(id) {
      await q.update(staffAccounts).set({ failedAttempts: 0, lockedUntil: null }).where(eq(staffAccounts.id, id));
    },
    async insertSession(session) {
      const [row] = await q
        .insert(staffSessions)
        .values({ ...session, lastSeenAt: session.createdAt })
        .returning({ id: staffSessions.id });
      return row!.id;
    },
    async sessionByTokenHash(tokenHash) {
      const [row] = await q.select().from(staffSessions).where(eq(staffSessions.tokenHash, tokenHash));
      return row;
    },
    async touchSession(id, at) {
      await q.update(staffSessions).set({ lastSeenAt: at }).where(eq(staffSessions.id, id));
    },
    async revokeSession(id, at) {
      const rows = await q
        .update(staffSessions)
        .set({ revokedAt: at })
        .where(and(eq(staffSessions.id, id), dsql`${staffSessions.revokedAt} is null`))
        .returning({ id: staffSessions.id });
      return rows.length > 0;
    },
    async revokeSessionsOf(accountId, at) {
      const rows = await q
        .update(staffSessions)
        .set({ revokedAt: at })
        .where(and(eq(staffSessions.accountId, accountId), dsql`${staffSessions.revokedAt} is null`))
        .returning({ id: staffSessions.id });
      return rows.length;
    },
    async lockBootstrap() {
      await q.execute(dsql`select pg_advisory_xact_lock(hashtext('staff_accounts.bootstrap'))`);
    },
    async failedAttemptsForUpdate(id) {
      const [row] = await q.select({ failedAttempts: staffAccounts.failedAttempts }).from(staffAccounts).where(eq(staffAccounts.id, id)).for('update');
      return row?.failedAttempts ?? 0;
    },
    transaction: (work) => (q as Orm).transaction((tx) => work(accountRepository(tx), tx)),
  };
  return repo;
}
