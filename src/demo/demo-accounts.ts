// The demo's staff: one account per role (two finance approvers, for batches above the second-approval
// amount), with demo passwords that exist only in demo mode (`npm start`); `npm run serve` creates no
// account. A second start finds them and leaves them (and any password changed since) as they are.
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { accountRepository } from '../identity/account-repository.ts';
import { accountsOf, normaliseLogin, staffActorOf } from '../identity/account-service.ts';
import { isStaffRole, type StaffActor, type StaffRole } from '../identity/permissions.ts';

export interface DemoAccount {
  key: 'administrator' | 'policyStaff' | 'reviewer' | 'preparer' | 'approver' | 'secondApprover' | 'auditor';
  login: string;
  displayName: string;
  roles: StaffRole[];
  /** Demo mode only: printed by `npm start` so that one can sign in. */
  demoPassword: string;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { key: 'administrator', login: 'admin.sun', displayName: '孙管理', roles: ['administrator'], demoPassword: 'demo-admin-sun' },
  { key: 'policyStaff', login: 'policy.li', displayName: '李政策', roles: ['policy_staff'], demoPassword: 'demo-policy-li' },
  { key: 'reviewer', login: 'reviewer.chen', displayName: '陈审核', roles: ['reviewer'], demoPassword: 'demo-reviewer-chen' },
  { key: 'preparer', login: 'zhang.wei', displayName: '张伟', roles: ['finance_officer'], demoPassword: 'demo-finance-zhang' },
  { key: 'approver', login: 'wang.fang', displayName: '王芳', roles: ['finance_approver'], demoPassword: 'demo-approver-wang' },
  { key: 'secondApprover', login: 'liu.yang', displayName: '刘洋', roles: ['finance_approver'], demoPassword: 'demo-approver-liu' },
  { key: 'auditor', login: 'auditor.zhao', displayName: '赵审计', roles: ['auditor'], demoPassword: 'demo-auditor-zhao' },
];

export type DemoActors = Record<DemoAccount['key'], StaffActor>;

/** Creates the demo accounts that do not exist yet (the administrator by bootstrap) and returns their actors. */
export async function ensureDemoAccounts(db: Database, clock: Clock): Promise<DemoActors> {
  const accounts = accountsOf(db.orm, clock);
  const repo = accountRepository(db.orm);
  const actors: Partial<DemoActors> = {};
  let administrator: StaffActor | null = null;
  for (const spec of DEMO_ACCOUNTS) {
    const existing = await repo.byLogin(normaliseLogin(spec.login));
    const actor: StaffActor = existing
      ? staffActorOf({ id: existing.id, roles: existing.roles.filter(isStaffRole) })
      : staffActorOf(await accounts.create(administrator, { login: spec.login, displayName: spec.displayName, roles: spec.roles, password: spec.demoPassword }));
    if (spec.key === 'administrator') administrator = actor;
    actors[spec.key] = actor;
  }
  return actors as DemoActors;
}
