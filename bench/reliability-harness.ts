// The kill harness for payouts: a payout worker (bench/reliability-child.ts) is SIGKILLed at random
// points of prepare, approve, re-verify, send and reconcile, restarted each time, and finally let run
// to the end while the sandbox file bank answers its files. Then the books are checked against the
// bank's own files: every payment paid, failed or returned; no entitlement booked twice by the bank;
// nothing stranded in flight or batched without a payment; no point over its budget; the audit chain
// intact. Used by `npm run bench reliability` (50 kills) and test/payout-kill.test.ts (fewer).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyAuditChain } from '../src/audit/audit-trail.ts';
import { fixedClock } from '../src/clock.ts';
import type { Database } from '../src/db/clients.ts';
import { loadDemoPopulation } from '../src/demo/load-demo.ts';
import { accountsOf, staffActorOf } from '../src/identity/account-service.ts';
import { type StaffActor } from '../src/identity/permissions.ts';
import type { Logger } from '../src/logger.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import { publishNotice } from '../src/lists/notice-service.ts';
import { lineBalances } from '../src/payouts/budget-ledger.ts';
import { readPain001 } from '../src/payouts/iso20022/pain001.ts';
import { parseBankReport } from '../src/payouts/iso20022/report.ts';
import { sandboxFileBank } from '../src/payouts/iso20022/sandbox-file-bank.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { demoPlan } from '../src/population/policy-anchors.ts';
import { dayToIso } from '../src/rules/lang/parser.ts';
import { parsePeriod } from '../src/rules/lang/period.ts';

const CHILD = join(import.meta.dirname, 'reliability-child.ts');
const POLICIES = join(import.meta.dirname, '..', 'policies');
const CLOCK = '2024-06-20T02:00:00.000Z';
/** When the lists were published: their 5 working days end before CLOCK. */
const NOTICE_CLOCK = '2024-05-30T02:00:00.000Z';
// Weighted towards the steps every round passes through.
const SELF_KILL_STEPS = ['prepare', 'approve', 'transmitted', 'send', 'reconcile', 'transmitted', 'approve', 'reverify', 'follow-up'];
const PERIOD = '2024';
// The bank's failures, by account suffix: closed accounts, names that do not match, invalid numbers.
const BANK_RULES = [
  { accountSuffix: '0000', outcome: 'closed' as const },
  { accountSuffix: '13', outcome: 'name-mismatch' as const },
  { accountSuffix: '27', outcome: 'invalid' as const },
];

export interface HarnessOptions {
  db: Database & { url: string };
  work: string;
  kills: number;
  enterprises: number;
  seed: number;
  log: (message: string) => void;
  silentLog: Logger;
}

export interface HarnessReport {
  kills: number;
  /** Where the kills landed: the step the worker had entered last. */
  killedIn: Record<string, number>;
  restarts: number;
  seconds: number;
  payments: { total: number; paid: number; failed: number; returned: number; pending: number; sent: number; resent: number };
  batches: number;
  paidFen: string;
  violations: string[];
}

/** The scenario's staff: the first account (an administrator) creates the others. */
function staffOf(db: Database) {
  const accounts = accountsOf(db.orm, fixedClock(CLOCK));
  let administrator: StaffActor | null = null;
  return async (login: string, roles: StaffActor['roles'][number][]): Promise<StaffActor> => {
    administrator ??= staffActorOf(await accounts.create(null, { login: 'harness.admin', displayName: 'harness.admin', roles: ['administrator'] }));
    return staffActorOf(await accounts.create(administrator, { login, displayName: login, roles: [...roles] as never }));
  };
}

/** Library, population and the 2024 enterprise match the worker pays from. */
async function setUp(options: HarnessOptions) {
  const { db, work } = options;
  const clock = fixedClock(CLOCK);
  const createStaffActor = staffOf(db);
  const reviewer = await createStaffActor('harness.reviewer', ['reviewer']);
  const published = await publishLibrary(db.orm, clock, reviewer, await readLibraryFiles(POLICIES));
  // The demo's population: generated enterprises plus one planted per test case of every point, so
  // that every point of the year has eligible subjects and the worker has a batch per point to pay.
  // The plan adds a run for each period a point is in effect in (2019 … 2025), so there are batches of
  // many points and periods to pay.
  const plan = demoPlan(published.library.points, [{ scope: 'enterprise', period: PERIOD, pay: true }], options.seed);
  await loadDemoPopulation(db, clock, {
    seed: options.seed,
    count: options.enterprises,
    persons: 0,
    dataYear: Number(PERIOD) - 1,
    asOf: dayToIso(Math.max(...plan.runs.map((r) => parsePeriod(r.period).end))),
    dataDir: work,
    planted: plan.rows,
  });
  const policyStaff = await createStaffActor('harness.staff', ['policy_staff']);
  const batches: { pointId: string; period: string }[] = [];
  for (const spec of plan.runs.filter((r) => r.scope === 'enterprise')) {
    const run = await runToCompletion(db, clock, options.silentLog, { scope: 'enterprise', period: spec.period, trigger: 'test', actor: `account:${policyStaff.accountId}`, shards: 2 });
    for (const p of run.points) if (p.eligible > 0 && p.totalFen > 0n) batches.push({ pointId: p.pointId, period: spec.period });
  }
  // Each list is published (公示) three weeks before the worker's day, so every notice has ended when
  // it prepares. Points that also need the subject's confirmation (确认) are left out: nobody confirms
  // in the harness, and their entries would simply wait.
  const needsConfirmation = new Set(published.library.points.filter((p) => p.confirmation !== null).map((p) => p.id));
  const payable = batches.filter((b) => !needsConfirmation.has(b.pointId));
  for (const b of payable) await publishNotice(db, fixedClock(NOTICE_CLOCK), { ...b, actor: reviewer });
  return {
    batches: payable,
    budgets: new Map(published.library.points.map((p) => [p.id, p.budget.totalFen])),
    officer: await createStaffActor('harness.officer', ['finance_officer']),
    approvers: [await createStaffActor('harness.approver.a', ['finance_approver']), await createStaffActor('harness.approver.b', ['finance_approver'])] as [StaffActor, StaffActor],
  };
}

interface Incarnation {
  lastStep: string;
  exitCode(): number | null;
  signal(): string | null;
  stderr(): string;
  exit: Promise<{ code: number | null; signal: string | null; stderr: string }>;
  kill(): void;
  ready: Promise<void>;
  done: () => boolean;
}

function startChild(plan: object, selfKill?: string): Incarnation {
  const child = spawn(process.execPath, [CHILD], { env: { ...process.env, HARNESS_PLAN: JSON.stringify(plan), HARNESS_SELF_KILL: selfKill ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lastStep = 'startup';
  let finished = false;
  let stderr = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') onReady();
      else if (line === 'done') finished = true;
      else if (line.startsWith('step ')) incarnation.lastStep = line.slice(5);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exit = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => child.once('exit', (code, signal) => { onReady(); resolve({ code, signal, stderr }); }));
  const incarnation: Incarnation = { lastStep, exit, ready, kill: () => child.kill('SIGKILL'), done: () => finished, exitCode: () => child.exitCode, signal: () => child.signalCode, stderr: () => stderr };
  return incarnation;
}

/** Deterministic pseudo-random delays (the seed makes a failing schedule repeatable). */
function delays(seed: number) {
  let state = seed >>> 0 || 1;
  return (maxMs: number) => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state % maxMs;
  };
}

export async function runKillHarness(options: HarnessOptions): Promise<HarnessReport> {
  const started = performance.now();
  const { db, work } = options;
  const setup = await setUp(options);
  options.log(`paying ${setup.batches.length} points and periods; ${options.kills} kills`);
  const dataDir = join(work, 'data');
  const bank = sandboxFileBank({ dataDir, clock: fixedClock(CLOCK), rules: BANK_RULES });
  const plan = { databaseUrl: db.url, dataDir, clock: CLOCK, batches: setup.batches, officer: setup.officer, approvers: setup.approvers, verifiedSuffix: '88' };
  // The bank answers on its own schedule, whether or not the worker is alive.
  let banking = true;
  const bankLoop = (async () => {
    while (banking) {
      await bank.process();
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
  })();

  const killedIn: Record<string, number> = {};
  const next = delays(options.seed);
  let kills = 0;
  let restarts = 0;
  let window = 250;
  try {
    while (kills < options.kills) {
      // Every other incarnation kills itself at a chosen step (see reliability-child.ts); the others
      // are killed from outside after a random delay, wherever they are.
      const selfKill = kills % 2 === 1 ? `${SELF_KILL_STEPS[next(SELF_KILL_STEPS.length)]}:${1 + next(2)}` : undefined;
      const child = startChild(plan, selfKill);
      restarts++;
      await child.ready;
      const timer = selfKill ? child.exit : new Promise((resolve) => setTimeout(resolve, next(window)));
      await Promise.race([timer, child.exit]);
      if (child.done()) {
        await child.exit;
        options.log(`the worker finished its work after ${kills} kills`);
        break;
      }
      const exited = child.exitCode() !== null || child.signal() !== null;
      if (exited && child.signal() !== 'SIGKILL') throw new Error(`the payout worker failed on its own (exit ${child.exitCode()}):\n${child.stderr()}`);
      if (!exited) child.kill();
      await child.exit;
      const where = selfKill ? `${child.lastStep} (self)` : child.lastStep;
      killedIn[where] = (killedIn[where] ?? 0) + 1;
      kills++;
      // Timed kills that land before any work keep the window growing until they reach the work.
      if (!selfKill) window = Math.max(60, Math.min(1500, window + (child.lastStep === 'startup' ? 60 : -30)));
    }
    // The last worker runs to the end.
    const last = startChild(plan);
    restarts++;
    const result = await Promise.race([last.exit, new Promise<null>((resolve) => setTimeout(() => resolve(null), 240_000))]);
    if (result === null) {
      last.kill();
      throw new Error('the last payout worker did not finish within 240 s');
    }
    if (result.code !== 0) throw new Error(`the last payout worker failed (exit ${result.code}):\n${result.stderr}`);
  } finally {
    banking = false;
    await bankLoop;
  }
  const violations = await checkBooks(db, dataDir, setup.budgets);
  const counts = await db.sql<{ status: string; n: number }[]>`select status, count(*)::int as n from payments group by status`;
  const by = Object.fromEntries(counts.map((c) => [c.status, c.n])) as Record<string, number>;
  const [resent] = await db.sql<{ n: number }[]>`select count(*)::int as n from payments where attempt = 1`;
  const [batches] = await db.sql<{ n: number; paid: string }[]>`select (select count(*)::int from payout_batches) as n, coalesce((select sum(amount_fen) from payments where status = 'paid'), 0)::text as paid`;
  return {
    kills,
    killedIn,
    restarts,
    seconds: (performance.now() - started) / 1000,
    payments: { total: counts.reduce((s, c) => s + c.n, 0), paid: by.paid ?? 0, failed: by.failed ?? 0, returned: by.returned ?? 0, pending: by.pending ?? 0, sent: by.sent ?? 0, resent: resent!.n },
    batches: batches!.n,
    paidFen: batches!.paid,
    violations,
  };
}

/** What must hold after any number of kills, read from the database and from the bank's own files. */
async function checkBooks(db: Database, dataDir: string, budgets: Map<string, bigint | null>): Promise<string[]> {
  const violations: string[] = [];
  const stranded = await db.sql<{ status: string; n: number }[]>`select status, count(*)::int as n from payments where status not in ('paid', 'failed', 'returned') group by status`;
  for (const s of stranded) violations.push(`${s.n} payments left ${s.status}`);
  const batchedWithout = await db.sql<{ n: number }[]>`
    select count(*)::int as n from list_entries e
    where e.status in ('batched', 'paid')
      and not exists (select 1 from payments p where p.subject_key = e.subject_key and p.entitlement_key = e.idempotency_key)`;
  if (batchedWithout[0]!.n > 0) violations.push(`${batchedWithout[0]!.n} list entries batched or paid without a payment`);
  const twice = await db.sql<{ n: number }[]>`select count(*)::int as n from (select 1 from payments where status = 'paid' group by subject_key, entitlement_key having count(*) > 1) t`;
  if (twice[0]!.n > 0) violations.push(`${twice[0]!.n} entitlements paid twice in the database`);
  const overEntitled = await db.sql<{ n: number }[]>`
    select count(*)::int as n from (
      select p.subject_key, p.entitlement_key from payments p join list_entries e on e.subject_key = p.subject_key and e.idempotency_key = p.entitlement_key
      where p.status = 'paid' group by p.subject_key, p.entitlement_key, e.amount_fen having sum(p.amount_fen) > e.amount_fen) t`;
  if (overEntitled[0]!.n > 0) violations.push(`${overEntitled[0]!.n} entitlements paid more than their amount`);

  // The bank's side: every end-to-end id it booked (ACSC in its status reports), mapped back to the
  // entitlement; two bookings for one entitlement would be money paid twice whatever our tables say.
  const outbox = join(dataDir, 'bank', 'outbox');
  const inbox = join(dataDir, 'bank', 'inbox');
  const messagesOf = new Map<string, Set<string>>();
  for (const file of existsSync(outbox) ? readdirSync(outbox).filter((f) => f.endsWith('.pain.001.xml')) : []) {
    const message = readPain001(readFileSync(join(outbox, file), 'utf8'), file);
    for (const t of message.transfers) messagesOf.set(t.endToEndId, (messagesOf.get(t.endToEndId) ?? new Set()).add(message.messageId));
  }
  const inTwoMessages = [...messagesOf].filter(([, ids]) => ids.size > 1).length;
  if (inTwoMessages > 0) violations.push(`${inTwoMessages} end-to-end ids sent in two different payment messages`);
  // An end-to-end id booked twice is money paid twice: count bookings, not distinct ids.
  const booked = new Map<string, number>();
  for (const file of existsSync(inbox) ? readdirSync(inbox).filter((f) => f.endsWith('.xml')) : []) {
    // camt.054 debit bookings: money that left the fund account, whatever the status reports said.
    const report = parseBankReport(readFileSync(join(inbox, file), 'utf8'), file);
    for (const line of report.lines) if (line.kind === 'booking' && line.endToEndId) booked.set(line.endToEndId, (booked.get(line.endToEndId) ?? 0) + 1);
  }
  const rows = await db.sql<{ end_to_end_id: string; entitlement: string; status: string }[]>`select end_to_end_id, subject_key || ' ' || entitlement_key as entitlement, status from payments where end_to_end_id is not null`;
  const bookedPer = new Map<string, number>();
  const statusOf = new Map(rows.map((r) => [r.end_to_end_id, r]));
  for (const [id, times] of booked) {
    const row = statusOf.get(id);
    if (!row) {
      violations.push(`the bank booked ${id}, which no payment carries`);
      continue;
    }
    bookedPer.set(row.entitlement, (bookedPer.get(row.entitlement) ?? 0) + times);
    if (row.status !== 'paid') violations.push(`the bank booked ${id} but the payment is ${row.status}`);
  }
  const bookedTwice = [...bookedPer.values()].filter((n) => n > 1).length;
  if (bookedTwice > 0) violations.push(`${bookedTwice} entitlements booked twice by the bank`);
  const paidNotBooked = rows.filter((r) => r.status === 'paid' && !booked.has(r.end_to_end_id)).length;
  if (paidNotBooked > 0) violations.push(`${paidNotBooked} payments marked paid that the bank never booked`);

  const paidBy = await db.sql<{ point_id: string; paid: string }[]>`
    select b.point_id, sum(p.amount_fen)::text as paid from payments p join payout_batches b on b.id = p.batch_id
    where p.status = 'paid' group by b.point_id`;
  for (const b of paidBy) {
    const budget = budgets.get(b.point_id);
    if (budget !== undefined && budget !== null && BigInt(b.paid) > budget) violations.push(`${b.point_id} paid ${b.paid} fen, over its budget of ${budget} fen`);
  }

  // The budget ledger agrees with the books: no line holds more than its limit, no state balance is
  // negative, and what it says is paid is what the payments say is paid.
  for (const line of await lineBalances(db.orm)) {
    if (line.limitFen !== null && line.inUseFen > line.limitFen) violations.push(`${line.pointId} ${line.period} ${line.line}: ledger holds ${line.inUseFen} fen, over its limit of ${line.limitFen}`);
    for (const [state, fen] of [['reserved', line.reservedFen], ['committed', line.committedFen], ['paid', line.paidFen]] as const) {
      if (fen < 0n) violations.push(`${line.pointId} ${line.period} ${line.line}: ${state} balance is negative (${fen} fen)`);
    }
  }
  const ledgerPaid = new Map<string, bigint>();
  for (const line of await lineBalances(db.orm)) ledgerPaid.set(line.pointId, (ledgerPaid.get(line.pointId) ?? 0n) + line.paidFen);
  for (const b of paidBy) if ((ledgerPaid.get(b.point_id) ?? 0n) !== BigInt(b.paid)) violations.push(`${b.point_id}: the ledger says ${ledgerPaid.get(b.point_id) ?? 0n} fen paid, the payments ${b.paid}`);

  const chain = await verifyAuditChain(db.sql);
  if (!chain.ok) violations.push(`audit chain does not verify: ${JSON.stringify(chain)}`);
  return violations;
}
