// Staff accounts for tests: real rows in staff_accounts (the payout foreign keys need them), made
// without a password (so they cannot sign in) unless a test signs in through the account service.
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { Database } from '../../src/db/clients.ts';
import { accountRepository } from '../../src/identity/account-repository.ts';
import type { StaffActor, StaffRole } from '../../src/identity/permissions.ts';

export async function createStaff(db: Pick<Database, 'orm'>, roles: StaffRole[], login = `t.${roles.join('-').replaceAll('_', '-')}.${randomBytes(3).toString('hex')}`): Promise<StaffActor> {
  const id = await accountRepository(db.orm).insert({ login, displayName: login, passwordHash: null, roles, createdAt: new Date('2024-01-01T00:00:00Z'), createdBy: null });
  if (id === undefined) throw new Error(`test login ${login} is taken`);
  return { kind: 'staff', accountId: id, roles };
}


/**
 * Signs a new account with these roles in through the real HTTP route and returns the headers a
 * staff client sends: the session cookie and the CSRF token.
 */
export async function signedInHeaders(
  app: { inject(options: { method: 'POST'; url: string; payload: object }): Promise<{ statusCode: number; body: string; cookies: { name: string; value: string }[] }> },
  db: Pick<Database, 'orm'>,
  roles: StaffRole[],
): Promise<{ headers: { cookie: string; 'x-csrf-token': string }; login: string; accountId: number }> {
  const login = `t.${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const id = await accountRepository(db.orm).insert({ login, displayName: login, passwordHash: await hash(password), roles, createdAt: new Date('2024-01-01T00:00:00Z'), createdBy: null });
  const response = await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { login, password } });
  if (response.statusCode !== 200) throw new Error(`sign-in of a test account failed: ${response.body}`);
  const cookie = response.cookies.find((c) => c.name === 'mianshen_staff')!;
  return { headers: { cookie: `mianshen_staff=${cookie.value}`, 'x-csrf-token': (JSON.parse(response.body) as { csrfToken: string }).csrfToken }, login, accountId: id! };
}
