// Who may do what. Every service operation that reads or changes something that matters names one
// permission and calls authorize() with its actor before touching anything; the HTTP and CLI layers
// only authenticate (find the actor) and pass it on, so a new route or command cannot skip the check.
// The matrix is written down in docs/security.md; a test walks every route and command against every role.
import { AppError } from '../errors.ts';

/** Roles of staff accounts. 'system' is the scheduler's own account (it cannot sign in). */
export const STAFF_ROLES = ['policy_staff', 'reviewer', 'finance_officer', 'finance_approver', 'auditor', 'administrator', 'system'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
/** Roles of people signed in through the unified identity (OIDC): they act only on their own subject. */
type SubjectRole = 'enterprise' | 'citizen';
export type Role = StaffRole | SubjectRole;

export const ROLE_TEXT: Record<Role, string> = {
  policy_staff: '政策业务人员',
  reviewer: '政策审核人员',
  finance_officer: '财务经办人员',
  finance_approver: '财务审批人员',
  auditor: '审计人员',
  administrator: '系统管理员',
  system: '系统（定时任务）',
  enterprise: '企业',
  citizen: '个人',
};

/** A staff account acting (an id, never a name: four eyes compares ids). */
export interface StaffActor {
  readonly kind: 'staff';
  readonly accountId: number;
  readonly roles: readonly StaffRole[];
}

/** An enterprise or a citizen signed in through OIDC, acting on its own subject only. */
export interface SubjectActor {
  readonly kind: 'subject';
  readonly role: SubjectRole;
  readonly subjectKey: string;
}

export type Actor = StaffActor | SubjectActor;

/** The built-in system account (created by migration with this id): scheduled jobs act as it. */
export const SYSTEM_ACCOUNT_ID = 1;
export const SYSTEM_ACTOR: StaffActor = Object.freeze({ kind: 'staff', accountId: SYSTEM_ACCOUNT_ID, roles: Object.freeze(['system'] as const) });

export function isStaffRole(role: string): role is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(role);
}

/**
 * The permission matrix: each permission and the roles that hold it. Separation of duties: the
 * administrator manages accounts and imports but approves no money; finance approvers approve but do
 * not prepare; reviewers approve policy versions they did not author (checked by the service).
 */
export const PERMISSIONS = {
  'policy.read': ['policy_staff', 'reviewer', 'finance_officer', 'finance_approver', 'auditor', 'administrator'],
  'policy.author': ['policy_staff'],
  'policy.review': ['reviewer'],
  'policy.publish': ['reviewer', 'administrator'],
  'feed.import': ['administrator', 'system'],
  'run.start': ['policy_staff', 'system'],
  'run.read': ['policy_staff', 'reviewer', 'finance_officer', 'finance_approver', 'auditor'],
  'whatif.run': ['policy_staff', 'reviewer'],
  'list.read': ['policy_staff', 'reviewer', 'finance_officer', 'finance_approver', 'auditor'],
  'list.export': ['policy_staff', 'reviewer', 'auditor'],
  'notice.publish': ['reviewer'],
  'objection.raise': ['enterprise', 'citizen', 'policy_staff'],
  'objection.resolve': ['reviewer'],
  'entry.confirm': ['enterprise', 'citizen'],
  'batch.read': ['finance_officer', 'finance_approver', 'auditor'],
  'batch.prepare': ['finance_officer'],
  'batch.approve': ['finance_approver'],
  'batch.send': ['finance_officer', 'system'],
  'bank.reconcile': ['finance_officer', 'system'],
  'recovery.read': ['finance_officer', 'finance_approver', 'auditor'],
  'recovery.check': ['finance_officer', 'system'],
  'recovery.record': ['finance_officer'],
  'recovery.write_off': ['finance_approver'],
  'budget.read': ['finance_officer', 'finance_approver', 'auditor', 'policy_staff'],
  'adjustment.resolve': ['policy_staff', 'finance_officer'],
  'audit.read': ['auditor', 'administrator'],
  'audit.checkpoint': ['auditor', 'administrator', 'system'],
  'account.manage': ['administrator'],
  'keys.rotate': ['administrator'],
  'portal.own': ['enterprise', 'citizen'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

function rolesOf(actor: Actor): readonly Role[] {
  return actor.kind === 'staff' ? actor.roles : [actor.role];
}

function can(actor: Actor, permission: Permission): boolean {
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return rolesOf(actor).some((role) => allowed.includes(role));
}

/** Throws FORBIDDEN unless the actor holds the permission. Services call this first. */
export function authorize(actor: Actor, permission: Permission): void {
  if (can(actor, permission)) return;
  const needed = (PERMISSIONS[permission] as readonly Role[]).map((role) => ROLE_TEXT[role]).join('、');
  throw new AppError('FORBIDDEN', `This needs the permission ${permission}, held by: ${needed}; the signed-in account does not hold it.`, { permission });
}

/** How an actor is written in the audit trail: an account id or a subject, never a free-text name. */
export function actorRef(actor: Actor): string {
  return actor.kind === 'staff' ? `account:${actor.accountId}` : `${actor.role}:${actor.subjectKey}`;
}
