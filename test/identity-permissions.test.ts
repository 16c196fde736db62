// The permission matrix, enforced: for every staff route (enumerated from Fastify as they are added,
// so a new route without an entry here fails), every CLI command, and every service operation, each
// role is refused (403 / FORBIDDEN) unless the matrix grants it, and let through when it does. The
// matrix in docs/security.md is checked against the code.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runMatchJob } from '../jobs/match-run.ts';
import { startApp, type App } from '../src/app.ts';
import { COMMANDS, runPrepared } from '../src/cli/index.ts';
import type { Prepared } from '../src/cli/command.ts';
import { fixedClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { buildServer } from '../src/http/server.ts';
import { routeRequirement } from '../src/http/auth-routes.ts';
import { accountsOf, staffActorOf } from '../src/identity/account-service.ts';
import { PERMISSIONS, ROLE_TEXT, STAFF_ROLES, SYSTEM_ACTOR, type Actor, type Permission, type Role, type StaffRole } from '../src/identity/permissions.ts';
import { exportList } from '../src/lists/export.ts';
import { explainEntry } from '../src/matching/explain-service.ts';
import { buildHireLedger } from '../src/matching/identity-ledger.ts';
import { simulate } from '../src/matching/what-if.ts';
import { approveBatch, prepareBatch, reconcile, rejectBatch, sendBatch } from '../src/payouts/payout-service.ts';
import { confirmEntry, publishNotice, raiseObjection, resolveObjection } from '../src/lists/notice-service.ts';
import { resolveAdjustment } from '../src/payouts/adjustments.ts';
import type { BankChannel } from '../src/payouts/bank-channel.ts';
import { checkRecoveries, listRecoveries, recordRecovery, writeOffRecovery } from '../src/payouts/recovery.ts';
import { publishLibrary } from '../src/policies/library-registry.ts';
import { createDraft, getDraft, pointHistory, publishDraft, reviewDraft, rollbackPoint, submitDraft } from '../src/policies/policy-workflow.ts';
import { createTestDatabase, dataKeyEnv, silentLog, type TestDatabase } from './support/database.ts';
import { portalSignInOff } from './support/portal.ts';

const clock = fixedClock('2024-06-15T02:00:00.000Z');
const PASSWORD = 'permission test password';
const ALL_ROLES = Object.keys(ROLE_TEXT) as Role[];
/** Roles an account can sign in with (the system account has no password). */
const SIGNABLE = STAFF_ROLES.filter((r) => r !== 'system');
const OWN_SUBJECT = '91440300MA5FXXXX0X';
const work = mkdtempSync(join(tmpdir(), 'mianshen-permissions-'));
let db: TestDatabase;
const loginOf = (role: StaffRole) => `role.${role.replaceAll('_', '-')}`;
const actorOfRole = new Map<Role, Actor>();

const allows = (permission: Permission, role: Role) => (PERMISSIONS[permission] as readonly Role[]).includes(role);
const outcome = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: { code?: string; name?: string }) => error.code ?? error.name ?? 'error without a code');

beforeAll(async () => {
  db = await createTestDatabase();
  const accounts = accountsOf(db.orm, clock);
  const admin = staffActorOf(await accounts.create(null, { login: loginOf('administrator'), displayName: '管理', roles: ['administrator'], password: PASSWORD }));
  actorOfRole.set('administrator', admin);
  for (const role of SIGNABLE.filter((r) => r !== 'administrator')) {
    actorOfRole.set(role, staffActorOf(await accounts.create(admin, { login: loginOf(role), displayName: ROLE_TEXT[role], roles: [role], password: PASSWORD })));
  }
  actorOfRole.set('system', SYSTEM_ACTOR);
  actorOfRole.set('enterprise', { kind: 'subject', role: 'enterprise', subjectKey: OWN_SUBJECT });
  actorOfRole.set('citizen', { kind: 'subject', role: 'citizen', subjectKey: '440300199001011234' });
});
afterAll(async () => {
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('docs/security.md', () => {
  it('states the matrix exactly as the code has it', () => {
    const lines = [`| permission | ${ALL_ROLES.map((r) => `${r}<br>${ROLE_TEXT[r]}`).join(' | ')} |`, `|---|${ALL_ROLES.map(() => ':-:').join('|')}|`];
    for (const [permission, allowed] of Object.entries(PERMISSIONS)) lines.push(`| \`${permission}\` | ${ALL_ROLES.map((r) => ((allowed as readonly string[]).includes(r) ? '✓' : '')).join(' | ')} |`);
    const doc = readFileSync(join(POLICIES_DIR, '..', 'docs', 'security.md'), 'utf8');
    const table = doc.slice(doc.indexOf('<!-- permission-matrix:start -->\n') + 33, doc.indexOf('<!-- permission-matrix:end -->')).trim();
    expect(table).toBe(lines.join('\n'));
  });
});

// Every route of the staff and auth APIs, with what it needs. A route that is not listed fails the test.
const ROUTES: Record<string, { needs: Permission | 'signed-in' | 'public'; url: string; payload?: object }> = {
  'POST /api/auth/sign-in': { needs: 'public', url: '/api/auth/sign-in' },
  'POST /api/auth/sign-out': { needs: 'signed-in', url: '/api/auth/sign-out' },
  'GET /api/auth/me': { needs: 'signed-in', url: '/api/auth/me' },
  'GET /api/staff/runs/:id': { needs: 'run.read', url: '/api/staff/runs/424242' },
  'GET /api/staff/runs/:id/changes': { needs: 'list.read', url: '/api/staff/runs/424242/changes' },
  'POST /api/staff/what-if': { needs: 'whatif.run', url: '/api/staff/what-if', payload: { pointId: 'no-such-point', period: '2024', draftFiles: [{ file: 'x.policy.yaml', text: 'x' }] } },
  'POST /api/staff/batches/:id/approve': { needs: 'batch.approve', url: '/api/staff/batches/424242/approve' },
  'POST /api/staff/batches/:id/reject': { needs: 'batch.approve', url: '/api/staff/batches/424242/reject', payload: { reason: '金额有误' } },
  'GET /api/staff/budget': { needs: 'budget.read', url: '/api/staff/budget' },
  'POST /api/staff/notices': { needs: 'notice.publish', url: '/api/staff/notices', payload: { pointId: 'no-such-point', period: '2024' } },
  'GET /api/staff/objections': { needs: 'list.read', url: '/api/staff/objections' },
  'GET /api/staff/deadlines': { needs: 'list.read', url: '/api/staff/deadlines' },
  'GET /api/staff/library': { needs: 'policy.read', url: '/api/staff/library' },
  'GET /api/staff/documents/:id': { needs: 'policy.read', url: '/api/staff/documents/no-such-doc' },
  'GET /api/staff/taxonomy': { needs: 'policy.read', url: '/api/staff/taxonomy' },
  'POST /api/staff/policy-check': { needs: 'policy.read', url: '/api/staff/policy-check', payload: { file: 'x.policy.yaml', text: 'x' } },
  'POST /api/staff/policy-skeleton': { needs: 'policy.author', url: '/api/staff/policy-skeleton', payload: { paragraph: '【金额】补贴1000元【/】', pointId: 'x', name: 'x', subject: 'enterprise', article: '一' } },
  'POST /api/staff/policy-versions': { needs: 'policy.author', url: '/api/staff/policy-versions', payload: { file: 'x.policy.yaml', text: 'x' } },
  'GET /api/staff/policy-versions/:id': { needs: 'policy.read', url: '/api/staff/policy-versions/424242' },
  'POST /api/staff/policy-versions/:id/submit': { needs: 'policy.author', url: '/api/staff/policy-versions/424242/submit' },
  'POST /api/staff/policy-versions/:id/review': { needs: 'policy.review', url: '/api/staff/policy-versions/424242/review', payload: { decision: 'approve' } },
  'POST /api/staff/policy-versions/:id/publish': { needs: 'policy.publish', url: '/api/staff/policy-versions/424242/publish', payload: {} },
  'GET /api/staff/points/:pointId/versions': { needs: 'policy.read', url: '/api/staff/points/no-such-point/versions' },
  'POST /api/staff/points/:pointId/rollback': { needs: 'policy.publish', url: '/api/staff/points/no-such-point/rollback', payload: { version: 1 } },
  'POST /api/staff/objections/:id/resolve': { needs: 'objection.resolve', url: '/api/staff/objections/424242/resolve', payload: { decision: 'rejected', reason: '经核实名单无误' } },
  'GET /api/staff/audit/history': { needs: 'audit.read', url: '/api/staff/audit/history?batch=424242' },
};

describe('every staff route, every role', () => {
  it('refuses a role without the route’s permission 403 FORBIDDEN and lets one with it through', async () => {
    // A fresh sign-in per request: the sign-in rate limit (10 a minute per address) is lifted for this test.
    const app = buildServer({ db, log: silentLog, clock, portalSecret: 'permissions-test-secret-0123456789', accounts: accountsOf(db.orm, clock), portal: portalSignInOff, rateLimits: { signIn: { max: 1_000_000, timeWindowMs: 60_000 } } });
    const seen: { key: string; declared: string | undefined }[] = [];
    app.addHook('onRoute', (route) => {
      const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
      if (!/^\/api\/(staff|auth)\//.test(route.url)) return;
      for (const method of methods) seen.push({ key: `${method} ${route.url}`, declared: routeRequirement(route.config) });
    });
    await app.ready();
    try {
      expect(seen.map((r) => r.key).sort()).toEqual(Object.keys(ROUTES).sort());
      for (const { key, declared } of seen) if (ROUTES[key]!.needs !== 'public') expect(declared, key).toBe(ROUTES[key]!.needs);

      for (const role of SIGNABLE) {
        for (const [key, route] of Object.entries(ROUTES)) {
          if (route.needs === 'public') continue;
          // A fresh session per request: sign-out ends the one it is sent with.
          const signIn = await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { login: loginOf(role), password: PASSWORD } });
          const cookie = signIn.cookies.find((c) => c.name === 'mianshen_staff')!;
          const headers = { cookie: `mianshen_staff=${cookie.value}`, 'x-csrf-token': signIn.json<{ csrfToken: string }>().csrfToken };
          const method = key.split(' ')[0] as 'GET' | 'POST';
          const response = await app.inject({ method, url: route.url, headers, ...(route.payload ? { payload: route.payload } : {}) });
          const allowed = route.needs === 'signed-in' || allows(route.needs, role);
          if (allowed) expect(response.statusCode, `${role} ${key}: ${response.body}`).not.toBe(403);
          else expect({ status: response.statusCode, code: response.json<{ code: string }>().code }, `${role} ${key}`).toEqual({ status: 403, code: 'FORBIDDEN' });
        }
      }
    } finally {
      await app.close();
    }
  });
});

// Every service operation with its permission and a call that, once authorised, fails fast or does
// harmless work. `allowed` overrides the matrix where ownership decides (explain).
const fakeBoss = { send: () => Promise.reject(Object.assign(new Error('queue reached'), { code: 'QUEUE_REACHED' })) } as unknown as PgBoss;
const emptyBank: BankChannel = { kind: 'sandbox', transmit: () => Promise.resolve({ reference: 'x', sha256: 'x', repeated: false }), fetchReports: () => Promise.resolve([]), acknowledge: () => Promise.resolve() };
const OPERATIONS: { name: string; permission: Permission; call: (actor: Actor) => Promise<unknown>; allowed?: (role: Role) => boolean }[] = [
  { name: 'publishLibrary', permission: 'policy.publish', call: (actor) => publishLibrary(db.orm, clock, actor, []) },
  { name: 'createDraft', permission: 'policy.author', call: (actor) => createDraft(db, clock, { file: 'x.policy.yaml', text: 'format: policy/1', inForceFrom: 'not a day', actor }) },
  { name: 'submitDraft', permission: 'policy.author', call: (actor) => submitDraft(db, clock, 424242, actor) },
  { name: 'reviewDraft', permission: 'policy.review', call: (actor) => reviewDraft(db, clock, 424242, { decision: 'approve', actor }) },
  { name: 'publishDraft', permission: 'policy.publish', call: (actor) => publishDraft(db, clock, 424242, { actor }) },
  { name: 'rollbackPoint', permission: 'policy.publish', call: (actor) => rollbackPoint(db, clock, { pointId: 'no-such-point', version: 1, actor }) },
  { name: 'getDraft', permission: 'policy.read', call: (actor) => getDraft(db, 424242, actor) },
  { name: 'pointHistory', permission: 'policy.read', call: (actor) => pointHistory(db, 'no-such-point', actor) },
  { name: 'importFeed', permission: 'feed.import', call: (actor) => importFeed(db, clock, { feedId: 'no-such-feed', input: { path: join(work, 'none.csv') }, asOf: '2024-03-31', actor, rejectsDir: join(work, 'rejects') }) },
  { name: 'buildHireLedger', permission: 'feed.import', call: (actor) => buildHireLedger(db, clock, { month: '2023-07', actor, rejectsDir: join(work, 'rejects') }) },
  { name: 'runMatchJob', permission: 'run.start', call: (actor) => runMatchJob(fakeBoss, db, { scope: 'enterprise', period: '2024', actor }) },
  { name: 'simulate', permission: 'whatif.run', call: (actor) => simulate(db, { pointId: 'no-such-point', period: '2024', draftFiles: [], actor }) },
  { name: 'exportList', permission: 'list.export', call: (actor) => exportList(db, { pointId: 'no-such-point', period: '2024', format: 'csv', out: join(work, 'x.csv'), actor }) },
  {
    name: 'explainEntry (own subject for enterprises)',
    permission: 'list.read',
    call: (actor) => explainEntry(db, { subjectKey: OWN_SUBJECT, pointId: 'no-such-point', period: '2024' }, actor),
    allowed: (role) => allows('list.read', role) || role === 'enterprise',
  },
  { name: 'prepareBatch', permission: 'batch.prepare', call: (actor) => prepareBatch(db, clock, { pointId: 'no-such-point', period: '2024', actor }) },
  { name: 'approveBatch', permission: 'batch.approve', call: (actor) => approveBatch(db, clock, { batchId: 424242, actor }) },
  { name: 'sendBatch', permission: 'batch.send', call: (actor) => sendBatch(db, clock, emptyBank, { batchId: 424242, actor }) },
  { name: 'rejectBatch', permission: 'batch.approve', call: (actor) => rejectBatch(db, clock, { batchId: 424242, reason: '金额有误', actor }) },
  { name: 'resolveAdjustment', permission: 'adjustment.resolve', call: (actor) => resolveAdjustment(db, clock, { id: 424242, resolution: '已核实无需调整', actor }) },
  { name: 'publishNotice', permission: 'notice.publish', call: (actor) => publishNotice(db, clock, { pointId: 'no-such-point', period: '2024', actor }) },
  {
    name: 'raiseObjection (own entry for subjects)',
    permission: 'objection.raise',
    call: (actor) => raiseObjection(db, clock, { noticeId: 424242, subjectKey: OWN_SUBJECT, reason: '名单金额有误', actor }),
    allowed: (role) => allows('objection.raise', role) && role !== 'citizen',
  },
  { name: 'resolveObjection', permission: 'objection.resolve', call: (actor) => resolveObjection(db, clock, { objectionId: 424242, decision: 'rejected', reason: '经核实名单无误', actor }) },
  {
    name: 'confirmEntry (own entry, subjects only)',
    permission: 'entry.confirm',
    call: (actor) => confirmEntry(db, clock, { subjectKey: OWN_SUBJECT, pointId: 'no-such-point', period: '2024', accountNumber: '6222021234567890', accountKind: 'basic', actor }),
    allowed: (role) => role === 'enterprise',
  },
  { name: 'reconcile', permission: 'bank.reconcile', call: (actor) => reconcile(db, clock, silentLog, emptyBank, actor) },
  { name: 'checkRecoveries', permission: 'recovery.check', call: (actor) => checkRecoveries(db, clock, { actor }) },
  { name: 'listRecoveries', permission: 'recovery.read', call: (actor) => listRecoveries(db.orm, { actor }) },
  { name: 'recordRecovery', permission: 'recovery.record', call: (actor) => recordRecovery(db.orm, clock, { id: 424242, amountFen: 20000n, recoveredOn: '2020-01-02', reference: 'YH-1', actor }) },
  { name: 'writeOffRecovery', permission: 'recovery.write_off', call: (actor) => writeOffRecovery(db.orm, clock, { id: 424242, reason: '无遗产可供追回', actor }) },
  { name: 'accounts.create', permission: 'account.manage', call: (actor) => accountsOf(db.orm, clock).create(actor, { login: '!bad login', displayName: 'x', roles: ['auditor'] }) },
  { name: 'accounts.resetPassword', permission: 'account.manage', call: (actor) => accountsOf(db.orm, clock).resetPassword(actor, { login: 'nobody', password: 'long enough password' }) },
  { name: 'accounts.disable', permission: 'account.manage', call: (actor) => accountsOf(db.orm, clock).disable(actor, { login: 'nobody' }) },
  { name: 'accounts.list', permission: 'account.manage', call: (actor) => accountsOf(db.orm, clock).list(actor) },
];

describe('every service operation, every role', () => {
  for (const op of OPERATIONS) {
    it(`${op.name} (${op.permission})`, async () => {
      for (const role of ALL_ROLES) {
        const result = await outcome(op.call(actorOfRole.get(role)!));
        const allowed = op.allowed ? op.allowed(role) : allows(op.permission, role);
        if (allowed) expect(result, `${role} may ${op.name}`).not.toBe('FORBIDDEN');
        else expect(result, `${role} may not ${op.name}`).toBe('FORBIDDEN');
      }
    });
  }

  it('refuses an enterprise explaining another subject’s decision', async () => {
    expect(await outcome(explainEntry(db, { subjectKey: '91440300MA5FYYYY0Y', pointId: 'x', period: '2024' }, actorOfRole.get('enterprise')!))).toBe('FORBIDDEN');
  });
});

// Every CLI command: the permission it declares and arguments to run it with. Commands run in process
// against the test database through the same runPrepared the CLI's main uses.
const CLI: Record<string, { argv: string[][]; needs: Permission | 'offline' | 'no account' }> = {
  import: { needs: 'feed.import', argv: [['credit-status', join(work, 'credit.csv')]] },
  publish: { needs: 'policy.publish', argv: [[POLICIES_DIR]] },
  ledger: { needs: 'feed.import', argv: [['2023-07']] },
  match: { needs: 'run.start', argv: [['wengang-fanhuan-2024', '2024', '--shards', '1']] },
  runs: { needs: 'run.read', argv: [[], ['show', '1']] },
  export: { needs: 'list.export', argv: [['list', 'wengang-fanhuan-2024', '2024', '--format', 'csv', '--out', join(work, 'list.csv')]] },
  feeds: { needs: 'offline', argv: [[]] },
  calendar: { needs: 'offline', argv: [['2025-09-26', '5']] },
  audit: { needs: 'audit.read', argv: [['verify']] },
  worker: { needs: 'no account', argv: [[]] },
  explain: { needs: 'list.read', argv: [[OWN_SUBJECT, 'wengang-fanhuan-2024', '2024']] },
  'what-if': { needs: 'whatif.run', argv: [['wengang-fanhuan-2024', '2024', '--draft', POLICIES_DIR]] },
  bank: { needs: 'bank.reconcile', argv: [['reconcile'], ['sandbox']] },
  notice: { needs: 'list.read', argv: [['list'], ['show', '424242'], ['status', 'no-such-point', '2024']] },
  objection: { needs: 'list.read', argv: [['list']] },
  policy: { needs: 'policy.read', argv: [['versions', 'no-such-point'], ['diff', '424242']] },
  deadlines: { needs: 'list.read', argv: [[]] },
  batch: { needs: 'batch.read', argv: [['list']] },
  budget: { needs: 'budget.read', argv: [[]] },
  adjustments: { needs: 'list.read', argv: [['list'], ['list', '--all']] },
  quarantine: { needs: 'batch.read', argv: [['list']] },
  reverify: { needs: 'batch.read', argv: [['list']] },
  recoveries: { needs: 'recovery.read', argv: [['list'], ['list', '--all']] },
  keys: { needs: 'keys.rotate', argv: [['rotate']] },
  user: { needs: 'account.manage', argv: [['list'], ['add', '--login', 'cli.made', '--name', '新人', '--roles', 'auditor'], ['disable', '--login', 'cli.made'], ['reset-password', '--login', 'cli.made', '--password-stdin']] },
};
const AUDIT_CHECKPOINT = ['checkpoint', '--out', join(work, 'checkpoint.json')];

describe('every CLI command, every role', () => {
  let app: App;
  beforeAll(async () => {
    writeFileSync(join(work, 'credit.csv'), 'not,the,header\n');
    const config = loadConfig({ DATABASE_URL: db.url, DATA_DIR: join(work, 'data'), LOG_LEVEL: 'silent', MATCH_WORKERS: '1', BOSS_SUPERVISE_SECONDS: '5', ...dataKeyEnv() });
    app = await startApp(config, clock, silentLog, { workers: true });
  });
  afterAll(async () => app?.stop());

  it('lists every command', () => {
    expect(Object.keys(COMMANDS).sort()).toEqual(Object.keys(CLI).sort());
  });

  it('declares each command’s permission; runs it for a role holding it and refuses every other role with FORBIDDEN', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const cases: { name: string; argv: string[]; needs: Permission | 'offline' | 'no account' }[] = [];
      for (const [name, spec] of Object.entries(CLI)) for (const argv of spec.argv) cases.push({ name, argv, needs: spec.needs });
      cases.push({ name: 'audit', argv: AUDIT_CHECKPOINT, needs: 'audit.checkpoint' });
      // Subcommands that need another permission than their command's first.
      cases.push({ name: 'quarantine', argv: ['resolve', '424242', '--reason', '银行确认重复通知'], needs: 'bank.reconcile' });
      cases.push({ name: 'reverify', argv: ['confirm', OWN_SUBJECT, 'no-such-payment', '--account', '6222021234567890123'], needs: 'bank.reconcile' });
      cases.push({ name: 'reverify', argv: ['follow-up', '424242'], needs: 'batch.prepare' });
      cases.push({ name: 'notice', argv: ['publish', 'no-such-point', '2024'], needs: 'notice.publish' });
      cases.push({ name: 'objection', argv: ['raise', '424242', OWN_SUBJECT, '--reason', '来电反映名单有误'], needs: 'objection.raise' });
      cases.push({ name: 'objection', argv: ['resolve', '424242', 'rejected', '--reason', '经核实名单无误'], needs: 'objection.resolve' });
      cases.push({ name: 'policy', argv: ['draft', join(POLICIES_DIR, 'sz-gaoling', 'sz-gaoling.policy.yaml'), '--in-force-from', '2099-01-01'], needs: 'policy.author' });
      cases.push({ name: 'policy', argv: ['submit', '424242'], needs: 'policy.author' });
      cases.push({ name: 'policy', argv: ['review', '424242', 'return', '--comment', '请补充依据'], needs: 'policy.review' });
      cases.push({ name: 'policy', argv: ['publish', '424242'], needs: 'policy.publish' });
      cases.push({ name: 'policy', argv: ['rollback', 'no-such-point', '1'], needs: 'policy.publish' });
      cases.push({ name: 'batch', argv: ['prepare', 'no-such-point', '2024'], needs: 'batch.prepare' });
      cases.push({ name: 'batch', argv: ['approve', '424242'], needs: 'batch.approve' });
      cases.push({ name: 'batch', argv: ['reject', '424242', '--reason', '金额有误'], needs: 'batch.approve' });
      cases.push({ name: 'batch', argv: ['send', '424242'], needs: 'batch.send' });
      cases.push({ name: 'adjustments', argv: ['resolve', '424242', '--reason', '已核实无需调整'], needs: 'adjustment.resolve' });
      cases.push({ name: 'export', argv: ['batch', '424242', '--format', 'csv', '--out', join(work, 'batch.csv')], needs: 'batch.read' });
      cases.push({ name: 'recoveries', argv: ['check'], needs: 'recovery.check' });
      cases.push({ name: 'recoveries', argv: ['recover', '424242', '--amount', '200.00', '--on', '2020-01-02', '--reference', 'YH-1'], needs: 'recovery.record' });
      cases.push({ name: 'recoveries', argv: ['write-off', '424242', '--reason', '无遗产可供追回'], needs: 'recovery.write_off' });
      for (const { name, argv, needs } of cases) {
        const prepared = COMMANDS[name]!.prepare(argv);
        const label = `${name} ${argv.join(' ')}`;
        if (needs === 'offline') {
          expect('offline' in prepared, label).toBe(true);
          continue;
        }
        expect('offline' in prepared, label).toBe(false);
        const work = prepared as Prepared;
        if (needs === 'no account') {
          expect(work.permission, label).toBeNull();
          continue;
        }
        expect(work.permission, label).toBe(needs);
        for (const role of SIGNABLE) {
          // reset-password reads the new password from stdin: its allowed run is the child-process test below.
          if (allows(needs, role) && argv[0] === 'reset-password') continue;
          const result = await outcome(runPrepared(app, work, loginOf(role), { MIANSHEN_PASSWORD: PASSWORD }));
          if (allows(needs, role)) expect(result, `${role}: ${label}`).not.toBe('FORBIDDEN');
          else expect(result, `${role}: ${label}`).toBe('FORBIDDEN');
        }
        // Without --as a command that needs a permission does not run at all (only the first user add may).
        if (!work.bootstrap) expect(await outcome(runPrepared(app, work, undefined, {})), label).toMatch(/UsageError|acts as a staff account/);
      }
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  }, 120_000);

  it('refuses a wrong --as password like a wrong sign-in', async () => {
    const prepared = COMMANDS.runs!.prepare([]) as Prepared;
    expect(await outcome(runPrepared(app, prepared, loginOf('auditor'), { MIANSHEN_PASSWORD: 'wrong password here' }))).toBe('SIGN_IN_FAILED');
  });
});

describe('the CLI as a child process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mianshen-users-cli-'));
  let fresh: TestDatabase;
  const cli = (argv: string[], options: { stdin?: string; env?: Record<string, string> } = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['src/cli/index.ts', ...argv], { env: { ...process.env, DATABASE_URL: fresh.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent', MIANSHEN_PASSWORD: '', ...options.env } }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin!.end(options.stdin ?? '');
    });
  beforeAll(async () => {
    fresh = await createTestDatabase();
  });
  afterAll(async () => {
    await fresh?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('bootstraps the first administrator from stdin, then needs --as; never prints a password', async () => {
    const first = await cli(['user', 'add', '--login', 'Root.Admin', '--name', '管理员', '--roles', 'administrator', '--password-stdin'], { stdin: 'the first admin password\n' });
    expect(first, first.stderr).toMatchObject({ code: 0 });
    expect(first.stdout).toContain('root.admin');
    const again = await cli(['user', 'add', '--login', 'other', '--name', '另', '--roles', 'administrator', '--password-stdin'], { stdin: 'another admin password\n' });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('FORBIDDEN');
    const added = await cli(['user', 'add', '--login', 'zhao', '--name', '赵', '--roles', 'auditor', '--password-stdin', '--as', 'root.admin'], { stdin: 'zhao initial password', env: { MIANSHEN_PASSWORD: 'the first admin password' } });
    expect(added, added.stderr).toMatchObject({ code: 0 });
    const reset = await cli(['user', 'reset-password', '--login', 'ZHAO', '--password-stdin', '--as', 'root.admin'], { stdin: 'zhao second password\n', env: { MIANSHEN_PASSWORD: 'the first admin password' } });
    expect(reset, reset.stderr).toMatchObject({ code: 0 });
    const asZhao = await cli(['user', 'list', '--as', 'zhao'], { env: { MIANSHEN_PASSWORD: 'zhao second password' } });
    expect(asZhao.code).toBe(1);
    expect(asZhao.stderr).toContain('FORBIDDEN');
    const oldPassword = await cli(['audit', 'verify', '--as', 'zhao'], { env: { MIANSHEN_PASSWORD: 'zhao initial password' } });
    expect(oldPassword.stderr).toContain('SIGN_IN_FAILED');
    const verify = await cli(['audit', 'verify', '--as', 'zhao'], { env: { MIANSHEN_PASSWORD: 'zhao second password' } });
    expect(verify, verify.stderr).toMatchObject({ code: 0 });
    const list = await cli(['user', 'list', '--as', 'root.admin'], { env: { MIANSHEN_PASSWORD: 'the first admin password' } });
    expect(list.stdout).toMatch(/zhao .* auditor/);
    const all = [first, again, added, reset, asZhao, oldPassword, verify, list].map((r) => r.stdout + r.stderr).join('\n');
    for (const secret of ['the first admin password', 'zhao initial password', 'zhao second password', 'argon2']) expect(all).not.toContain(secret);
    // The audit trail names accounts, never a unix user.
    const actors = (await fresh.sql<{ actor: string }[]>`select distinct actor from audit_log`).map((r) => r.actor);
    for (const actor of actors) expect(actor).toMatch(/^account:\d+$/);
  }, 120_000);

  it('refuses a password on the command line: there is no option for it', async () => {
    const r = await cli(['user', 'add', '--login', 'x', '--name', 'x', '--roles', 'auditor', '--password', 'in argv is wrong']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--password'/);
  });
});
