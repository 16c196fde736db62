// Staff accounts: one login under every spelling, argon2id hashes, the password policy, the same answer
// for an unknown login and a wrong password, lockout after five failures, bootstrap only while no
// administrator exists, and every change in the audit trail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { accountsOf, normaliseLogin, staffActorOf, type AccountService } from '../src/identity/account-service.ts';
import type { StaffActor } from '../src/identity/permissions.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const clock = fixedClock('2024-06-15T02:00:00.000Z');
let db: TestDatabase;
let accounts: AccountService;
let admin: StaffActor;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  db = await createTestDatabase();
  accounts = accountsOf(db.orm, clock);
  admin = staffActorOf(await accounts.create(null, { login: 'Admin.Sun', displayName: '孙管理', roles: ['administrator'], password: PASSWORD }));
  await accounts.create(admin, { login: 'zhang', displayName: '张伟', roles: ['finance_officer'], password: PASSWORD });
});
afterAll(async () => db?.drop());

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: { code?: string; name?: string }) => error.code ?? error.name ?? 'error without a code');

describe('logins', () => {
  it('normalises with NFKC, trimming and lower case', () => {
    expect(normaliseLogin('Zhang')).toBe('zhang');
    expect(normaliseLogin(' zhang ')).toBe('zhang');
    expect(normaliseLogin('ｚｈａｎｇ')).toBe('zhang');
    expect(normaliseLogin('ＺＨＡＮＧ\u3000')).toBe('zhang');
  });

  it('refuses a second account under any spelling of an existing login', async () => {
    for (const variant of ['zhang', 'Zhang', 'zhang ', ' ZHANG', 'ｚｈａｎｇ ', 'Ｚｈａｎｇ']) {
      expect(await codeOf(accounts.create(admin, { login: variant, displayName: '冒名', roles: ['finance_approver'], password: PASSWORD })), variant).toBe('ACCOUNT_LOGIN_TAKEN');
    }
    const [{ n } = { n: 0 }] = await db.sql<{ n: number }[]>`select count(*)::int as n from staff_accounts where login = 'zhang'`;
    expect(n).toBe(1);
  });

  it('is stored normalised, and the database refuses one that is not', async () => {
    const [row] = await db.sql<{ login: string }[]>`select login from staff_accounts where display_name = '孙管理'`;
    expect(row!.login).toBe('admin.sun');
    await expect(db.sql`insert into staff_accounts (login, display_name, roles, created_at) values ('Zhang ', 'x', array['auditor'], now())`).rejects.toThrow(/staff_accounts_login_normalised/);
  });

  it('signs in under any spelling of the login', async () => {
    for (const variant of ['ZHANG', ' zhang', 'ｚｈａｎｇ']) {
      expect((await accounts.authenticate({ login: variant, password: PASSWORD })).account.login).toBe('zhang');
    }
  });
});

describe('passwords', () => {
  it('are stored as argon2id hashes, never in clear', async () => {
    const [row] = await db.sql<{ password_hash: string }[]>`select password_hash from staff_accounts where login = 'zhang'`;
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$/);
    expect(row!.password_hash).not.toContain(PASSWORD);
  });

  it('must have at least 12 characters', async () => {
    expect(await codeOf(accounts.create(admin, { login: 'short.pw', displayName: '短', roles: ['auditor'], password: 'elevenchars' }))).toBe('PASSWORD_TOO_WEAK');
    expect(await codeOf(accounts.resetPassword(admin, { login: 'zhang', password: '12345678901' }))).toBe('PASSWORD_TOO_WEAK');
    expect(await codeOf(accounts.create(admin, { login: 'ok.pw', displayName: '长', roles: ['auditor'], password: 'twelve chars' }))).toBe('resolved');
  });
});

describe('signing in', () => {
  it('answers an unknown login exactly as a wrong password', async () => {
    const unknown = await accounts.authenticate({ login: 'nobody', password: PASSWORD }).catch((e: Error) => e);
    const wrong = await accounts.authenticate({ login: 'ok.pw', password: 'not the password' }).catch((e: Error) => e);
    expect(unknown).toMatchObject({ code: 'SIGN_IN_FAILED', status: 401 });
    expect(wrong).toMatchObject({ code: 'SIGN_IN_FAILED', status: 401 });
    expect((unknown as Error).message).toBe((wrong as Error).message);
  });

  it('refuses the system account, which has no password', async () => {
    expect(await codeOf(accounts.authenticate({ login: 'system', password: '' }))).toBe('SIGN_IN_FAILED');
    expect(await codeOf(accounts.authenticate({ login: 'system', password: PASSWORD }))).toBe('SIGN_IN_FAILED');
  });

  it('locks an account for 15 minutes after 5 failures, even against the right password, and audits it', async () => {
    await accounts.create(admin, { login: 'lock.me', displayName: '锁', roles: ['auditor'], password: PASSWORD });
    for (let i = 0; i < 5; i++) expect(await codeOf(accounts.authenticate({ login: 'lock.me', password: `wrong ${i}` }))).toBe('SIGN_IN_FAILED');
    // Locked: the right password does not get in, and the answer is the same as for a wrong one.
    expect(await codeOf(accounts.authenticate({ login: 'lock.me', password: PASSWORD }))).toBe('SIGN_IN_FAILED');
    const [row] = await db.sql<{ id: string; locked_until: Date }[]>`select id::text, locked_until from staff_accounts where login = 'lock.me'`;
    expect(row!.locked_until.toISOString()).toBe('2024-06-15T02:15:00.000Z');
    const actions = (await db.sql<{ action: string }[]>`select action from audit_log where entity_type = 'staff_account' and entity_id = ${row!.id} order by seq`).map((r) => r.action);
    expect(actions).toEqual(['account.created', 'account.sign-in-failed', 'account.sign-in-failed', 'account.sign-in-failed', 'account.sign-in-failed', 'account.locked', 'account.sign-in-refused']);
    clock.advance(14 * 60_000);
    expect(await codeOf(accounts.authenticate({ login: 'lock.me', password: PASSWORD }))).toBe('SIGN_IN_FAILED');
    clock.advance(60_000);
    expect(await codeOf(accounts.authenticate({ login: 'lock.me', password: PASSWORD }))).toBe('resolved');
  });

  it('counts four failures and a success as no lock', async () => {
    await accounts.create(admin, { login: 'almost', displayName: '差一点', roles: ['auditor'], password: PASSWORD });
    for (let i = 0; i < 4; i++) await codeOf(accounts.authenticate({ login: 'almost', password: 'wrong' }));
    expect(await codeOf(accounts.authenticate({ login: 'almost', password: PASSWORD }))).toBe('resolved');
    for (let i = 0; i < 4; i++) await codeOf(accounts.authenticate({ login: 'almost', password: 'wrong' }));
    expect(await codeOf(accounts.authenticate({ login: 'almost', password: PASSWORD }))).toBe('resolved');
  });
});

describe('administration', () => {
  it('allows a bootstrap only while no administrator exists', async () => {
    expect(await codeOf(accounts.create(null, { login: 'second.admin', displayName: '二', roles: ['administrator'], password: PASSWORD }))).toBe('FORBIDDEN');
    const fresh = await createTestDatabase();
    try {
      const other = accountsOf(fresh.orm, clock);
      expect(await codeOf(other.create(null, { login: 'not.admin', displayName: '非', roles: ['auditor'], password: PASSWORD }))).toBe('FORBIDDEN');
      expect(await codeOf(other.create(null, { login: 'first.admin', displayName: '一', roles: ['administrator'], password: PASSWORD }))).toBe('resolved');
      expect(await codeOf(other.create(null, { login: 'late.admin', displayName: '迟', roles: ['administrator'], password: PASSWORD }))).toBe('FORBIDDEN');
      const [audit] = await fresh.sql<{ action: string; actor: string; entity_id: string }[]>`select action, actor, entity_id from audit_log where entity_type = 'staff_account'`;
      expect(audit).toMatchObject({ action: 'account.bootstrapped', actor: `account:${audit!.entity_id}` });
    } finally {
      await fresh.drop();
    }
  });

  it('lets only an administrator create, reset, disable and list accounts', async () => {
    const zhang = (await accounts.authenticate({ login: 'zhang', password: PASSWORD })).actor;
    expect(await codeOf(accounts.create(zhang, { login: 'by.zhang', displayName: '张建', roles: ['finance_approver'], password: PASSWORD }))).toBe('FORBIDDEN');
    expect(await codeOf(accounts.resetPassword(zhang, { login: 'zhang', password: 'a new long password' }))).toBe('FORBIDDEN');
    expect(await codeOf(accounts.disable(zhang, { login: 'ok.pw' }))).toBe('FORBIDDEN');
    expect(await codeOf(accounts.list(zhang))).toBe('FORBIDDEN');
  });

  it('refuses unknown roles and the reserved system role', async () => {
    expect(await codeOf(accounts.create(admin, { login: 'bad.role', displayName: '坏', roles: ['superuser'], password: PASSWORD }))).toBe('BAD_REQUEST');
    expect(await codeOf(accounts.create(admin, { login: 'fake.system', displayName: '假', roles: ['system'], password: PASSWORD }))).toBe('BAD_REQUEST');
    await expect(db.sql`insert into staff_accounts (login, display_name, roles, created_at) values ('sneaky', 'x', array['system'], now())`).rejects.toThrow(/staff_accounts_system_role_reserved/);
    await expect(db.sql`insert into staff_accounts (login, display_name, roles, created_at) values ('sneaky', 'x', array['root'], now())`).rejects.toThrow(/staff_accounts_roles_known/);
  });

  it('resets a password (the old one stops working, sessions end) and disables an account, audited', async () => {
    await accounts.create(admin, { login: 'li.na', displayName: '李娜', roles: ['auditor'], password: PASSWORD });
    const session = await accounts.signIn({ login: 'li.na', password: PASSWORD });
    expect(await accounts.session(session.token)).toBeDefined();
    await accounts.resetPassword(admin, { login: 'LI.NA', password: 'another long password' });
    expect(await accounts.session(session.token)).toBeUndefined();
    expect(await codeOf(accounts.authenticate({ login: 'li.na', password: PASSWORD }))).toBe('SIGN_IN_FAILED');
    const again = await accounts.signIn({ login: 'li.na', password: 'another long password' });
    await accounts.disable(admin, { login: 'li.na' });
    expect(await accounts.session(again.token)).toBeUndefined();
    expect(await codeOf(accounts.authenticate({ login: 'li.na', password: 'another long password' }))).toBe('SIGN_IN_FAILED');
    expect(await codeOf(accounts.disable(admin, { login: 'admin.sun' }))).toBe('FORBIDDEN');
    const list = await accounts.list(admin);
    expect(list.find((a) => a.login === 'li.na')).toMatchObject({ disabled: true, roles: ['auditor'] });
    expect(JSON.stringify(list)).not.toMatch(/argon2/);
    const actions = (await db.sql<{ action: string; actor: string }[]>`select action, actor from audit_log where action in ('account.password-reset', 'account.disabled')`);
    expect(actions).toEqual([
      { action: 'account.password-reset', actor: `account:${admin.accountId}` },
      { action: 'account.disabled', actor: `account:${admin.accountId}` },
    ]);
  });

  it('never writes a password or a token into the audit trail', async () => {
    const text = (await db.sql<{ t: string }[]>`select string_agg(payload::text || actor, ' ') as t from audit_log`)[0]!.t;
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('another long password');
    expect(text).not.toMatch(/argon2/);
  });
});
