// Staff accounts and sessions: create, reset a password, disable, sign in, and resolve a session
// token to its actor. Logins are normalised (NFKC, trim, lower case) before they are stored or
// compared, so "Zhang", "zhang " and "ｚｈａｎｇ" are one login. Passwords are hashed with argon2id;
// a sign-in answers the same for an unknown login, a wrong password, a locked and a disabled account
// (and verifies against a dummy hash for unknown logins, so timing does not tell them apart either).
// Session and CSRF tokens are random 32-byte values handed to the client once; only their SHA-256
// digests are stored. Every change is audited in the same transaction.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { appendAudit } from '../audit/audit-trail.ts';
import type { Clock } from '../clock.ts';
import type { Orm } from '../db/clients.ts';
import { AppError } from '../errors.ts';
import { accountRepository, type AccountRepository, type StaffAccountRow } from './account-repository.ts';
import { actorRef, authorize, isStaffRole, ROLE_TEXT, SYSTEM_ACCOUNT_ID, type Actor, type StaffActor, type StaffRole } from './permissions.ts';

const PASSWORD_MIN_LENGTH = 12;
const MAX_FAILED_ATTEMPTS = 5;
const LOCKOUT_MINUTES = 15;

export interface SessionPolicy {
  idleMinutes: number;
  absoluteMinutes: number;
}
const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMinutes: 30, absoluteMinutes: 12 * 60 };

/** An account as the outside sees it: never its hash. */
export interface AccountView {
  id: number;
  login: string;
  displayName: string;
  roles: StaffRole[];
  disabled: boolean;
  locked: boolean;
  createdAt: string;
}

interface SignedIn {
  account: AccountView;
  actor: StaffActor;
  /** The session token (goes into the cookie) and the CSRF token (goes to the client's script); shown once. */
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface Session {
  sessionId: number;
  actor: StaffActor;
  account: AccountView;
  csrfHash: string;
}

/** The one form of a login: Unicode NFKC (full-width to ASCII), trimmed, lower case. */
export function normaliseLogin(login: string): string {
  return login.normalize('NFKC').trim().toLowerCase();
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Timing-safe comparison of a presented token against a stored SHA-256 digest. */
export function matchesDigest(presented: string, digestHex: string): boolean {
  const given = Buffer.from(sha256Hex(presented), 'hex');
  const expected = Buffer.from(digestHex, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const LOGIN_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function checkLogin(raw: string): string {
  const login = normaliseLogin(raw);
  if (!LOGIN_PATTERN.test(login)) {
    throw new AppError('BAD_REQUEST', `Login "${login}" is not valid: use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. zhang.wei).`, { fields: ['login'] });
  }
  return login;
}

function checkPassword(password: string): void {
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    throw new AppError('PASSWORD_TOO_WEAK', `The password is shorter than ${PASSWORD_MIN_LENGTH} characters; choose a longer one (a passphrase of several words is easiest).`);
  }
}

function checkRoles(roles: readonly string[]): StaffRole[] {
  if (roles.length === 0) throw new AppError('BAD_REQUEST', 'An account needs at least one role.', { fields: ['roles'] });
  const unique = [...new Set(roles)];
  for (const role of unique) {
    if (!isStaffRole(role) || role === 'system') {
      const known = Object.keys(ROLE_TEXT).filter((r) => isStaffRole(r) && r !== 'system');
      throw new AppError('BAD_REQUEST', `Unknown role "${role}"; the roles are: ${known.join(', ')}.`, { fields: ['roles'] });
    }
  }
  return unique as StaffRole[];
}

function view(row: StaffAccountRow, now: Date): AccountView {
  return {
    id: row.id,
    login: row.login,
    displayName: row.displayName,
    roles: row.roles.filter(isStaffRole),
    disabled: row.disabledAt !== null,
    locked: row.lockedUntil !== null && row.lockedUntil > now,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The actor of an account (its id and roles): what services are given. */
export function staffActorOf(account: Pick<AccountView, 'id' | 'roles'>): StaffActor {
  return { kind: 'staff', accountId: account.id, roles: account.roles };
}

function actorOf(row: StaffAccountRow): StaffActor {
  return { kind: 'staff', accountId: row.id, roles: row.roles.filter(isStaffRole) };
}

// A real argon2id hash of a random secret, made once: unknown logins are verified against it so that
// they take as long as a wrong password.
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= argon2Hash(randomBytes(32).toString('base64url')));

const SIGN_IN_FAILED = () =>
  new AppError('SIGN_IN_FAILED', `Wrong login or password, or the account is locked (${MAX_FAILED_ATTEMPTS} failed attempts lock it for ${LOCKOUT_MINUTES} minutes) or disabled. Check both and try again, or ask an administrator.`);

export interface AccountService {
  /** Creates an account. `actor` null is the bootstrap: allowed only while no administrator exists. */
  create(actor: Actor | null, input: { login: string; displayName: string; roles: readonly string[]; password?: string }): Promise<AccountView>;
  resetPassword(actor: Actor, input: { login: string; password: string }): Promise<void>;
  disable(actor: Actor, input: { login: string }): Promise<void>;
  list(actor: Actor): Promise<AccountView[]>;
  /** Checks login and password (counting failures, locking) without opening a session: the CLI's --as. */
  authenticate(input: { login: string; password: string }): Promise<{ account: AccountView; actor: StaffActor }>;
  /** authenticate(), then a new session. */
  signIn(input: { login: string; password: string }): Promise<SignedIn>;
  /** The session a token names, if it is live (not expired, idle, revoked, or of a disabled account); refreshes last-seen. */
  session(token: string): Promise<Session | undefined>;
  signOut(session: Session): Promise<void>;
}

function accountService(repo: AccountRepository, clock: Clock, policy: SessionPolicy = DEFAULT_SESSION_POLICY): AccountService {
  async function accountByLogin(login: string): Promise<StaffAccountRow> {
    const normalised = normaliseLogin(login);
    const row = await repo.byLogin(normalised);
    if (!row || row.id === SYSTEM_ACCOUNT_ID) throw new AppError('ACCOUNT_NOT_FOUND', `There is no staff account with login "${normalised}"; see: cli user list.`);
    return row;
  }

  return {
    async create(actor, input) {
      if (actor) authorize(actor, 'account.manage');
      const login = checkLogin(input.login);
      const displayName = input.displayName.normalize('NFC').trim();
      if (!displayName) throw new AppError('BAD_REQUEST', 'The display name is empty; give the person\'s name (e.g. 张伟).', { fields: ['displayName'] });
      const roles = checkRoles(input.roles);
      if (input.password !== undefined) checkPassword(input.password);
      const passwordHash = input.password === undefined ? null : await argon2Hash(input.password);
      return repo.transaction(async (tx, dtx) => {
        // Bootstrap is decided inside the transaction that creates the account, under a lock, so two
        // concurrent bootstraps cannot both create an administrator.
        if (!actor) {
          await tx.lockBootstrap();
          if (await tx.hasAdministrator()) {
            throw new AppError('FORBIDDEN', 'An administrator account exists: creating accounts needs one; run the command with --as <administrator login> (password in MIANSHEN_PASSWORD or on the prompt).');
          }
          if (!roles.includes('administrator')) throw new AppError('FORBIDDEN', 'No administrator exists yet: the first account must hold the administrator role (--roles administrator).');
        }
        const now = clock.now();
        const id = await tx.insert({ login, displayName, passwordHash, roles, createdAt: now, createdBy: actor?.kind === 'staff' ? actor.accountId : null });
        if (id === undefined) throw new AppError('ACCOUNT_LOGIN_TAKEN', `Login "${login}" is already taken (logins are compared after NFKC, trimming and lower-casing: "${input.login}" is "${login}"); choose another.`, { fields: ['login'] });
        await appendAudit(dtx, clock, {
          actor: actor ? actorRef(actor) : `account:${id}`,
          action: actor ? 'account.created' : 'account.bootstrapped',
          entityType: 'staff_account',
          entityId: String(id),
          payload: { login, displayName, roles, hasPassword: passwordHash !== null },
        });
        return view((await tx.byId(id))!, now);
      });
    },

    async resetPassword(actor, input) {
      authorize(actor, 'account.manage');
      checkPassword(input.password);
      const row = await accountByLogin(input.login);
      const passwordHash = await argon2Hash(input.password);
      await repo.transaction(async (tx, dtx) => {
        const now = clock.now();
        await tx.setPassword(row.id, passwordHash);
        // A reset ends every session of the account: whoever knew the old password is signed out.
        const revoked = await tx.revokeSessionsOf(row.id, now);
        await appendAudit(dtx, clock, { actor: actorRef(actor), action: 'account.password-reset', entityType: 'staff_account', entityId: String(row.id), payload: { login: row.login, sessionsRevoked: revoked } });
      });
    },

    async disable(actor, input) {
      authorize(actor, 'account.manage');
      const row = await accountByLogin(input.login);
      if (actor.kind === 'staff' && actor.accountId === row.id) throw new AppError('FORBIDDEN', 'An administrator cannot disable their own account; ask another administrator.');
      if (row.disabledAt) return;
      await repo.transaction(async (tx, dtx) => {
        const now = clock.now();
        await tx.disable(row.id, now);
        const revoked = await tx.revokeSessionsOf(row.id, now);
        await appendAudit(dtx, clock, { actor: actorRef(actor), action: 'account.disabled', entityType: 'staff_account', entityId: String(row.id), payload: { login: row.login, sessionsRevoked: revoked } });
      });
    },

    async list(actor) {
      authorize(actor, 'account.manage');
      const now = clock.now();
      return (await repo.list()).map((row) => view(row, now));
    },

    async authenticate(input) {
      const login = normaliseLogin(input.login);
      const row = login ? await repo.byLogin(login) : undefined;
      const now = clock.now();
      if (!row || row.passwordHash === null || row.disabledAt !== null || (row.lockedUntil !== null && row.lockedUntil > now)) {
        await argon2Verify(await dummy(), input.password);
        if (row && row.passwordHash !== null) {
          await repo.transaction(async (_tx, dtx) => {
            await appendAudit(dtx, clock, { actor: `account:${row.id}`, action: 'account.sign-in-refused', entityType: 'staff_account', entityId: String(row.id), payload: { reason: row.disabledAt ? 'disabled' : 'locked' } });
          });
        }
        throw SIGN_IN_FAILED();
      }
      if (!(await argon2Verify(row.passwordHash, input.password))) {
        await repo.transaction(async (tx, dtx) => {
          // Counted in the database, not from the row read above, so concurrent failures all count.
          const failures = (await tx.failedAttemptsForUpdate(row.id)) + 1;
          const lock = failures >= MAX_FAILED_ATTEMPTS;
          const lockedUntil = lock ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) : null;
          await tx.recordFailure(row.id, lock ? 0 : failures, lockedUntil);
          await appendAudit(dtx, clock, {
            actor: `account:${row.id}`,
            action: lock ? 'account.locked' : 'account.sign-in-failed',
            entityType: 'staff_account',
            entityId: String(row.id),
            payload: lock ? { failedAttempts: failures, lockedUntil } : { failedAttempts: failures },
          });
        });
        throw SIGN_IN_FAILED();
      }
      if (row.failedAttempts > 0 || row.lockedUntil !== null) await repo.clearFailures(row.id);
      return { account: view({ ...row, failedAttempts: 0, lockedUntil: null }, now), actor: actorOf(row) };
    },

    async signIn(input) {
      const { account, actor } = await this.authenticate(input);
      const token = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(32).toString('base64url');
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + policy.absoluteMinutes * 60_000);
      await repo.transaction(async (tx, dtx) => {
        const sessionId = await tx.insertSession({ tokenHash: sha256Hex(token), csrfHash: sha256Hex(csrfToken), accountId: account.id, createdAt: now, expiresAt });
        await appendAudit(dtx, clock, { actor: actorRef(actor), action: 'session.created', entityType: 'staff_session', entityId: String(sessionId), payload: { expiresAt } });
      });
      return { account, actor, token, csrfToken, expiresAt };
    },

    async session(token) {
      if (!token || token.length > 200) return undefined;
      const session = await repo.sessionByTokenHash(sha256Hex(token));
      if (!session) return undefined;
      const now = clock.now();
      if (session.revokedAt !== null || session.expiresAt <= now) return undefined;
      if (session.lastSeenAt.getTime() + policy.idleMinutes * 60_000 <= now.getTime()) return undefined;
      const account = await repo.byId(session.accountId);
      if (!account || account.disabledAt !== null) return undefined;
      await repo.touchSession(session.id, now);
      return { sessionId: session.id, actor: actorOf(account), account: view(account, now), csrfHash: session.csrfHash };
    },

    async signOut(session) {
      await repo.transaction(async (tx, dtx) => {
        if (await tx.revokeSession(session.sessionId, clock.now())) {
          await appendAudit(dtx, clock, { actor: actorRef(session.actor), action: 'session.revoked', entityType: 'staff_session', entityId: String(session.sessionId), payload: {} });
        }
      });
    },
  };
}

/** The account service of a database's drizzle client. */
export function accountsOf(orm: Orm, clock: Clock, policy?: SessionPolicy): AccountService {
  return accountService(accountRepository(orm), clock, policy);
}
