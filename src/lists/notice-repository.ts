// The SQL of 公示, 异议 and 确认: small statements over the executor they are given (the drizzle client
// or a transaction). Times and dates come in as values; notice-service.ts decides.
import { and, desc, eq, gte, lt, sql as dsql } from 'drizzle-orm';
import type { Orm, Tx } from '../db/clients.ts';
import { entryConfirmations, entryHolds, listEntries, listNotices, noticeEntries, objections } from '../db/schema/index.ts';
import type { EntryStanding } from './notice-gate.ts';
import { maskPersonName } from '../subjects/id-number.ts';
import { maskUscc } from '../subjects/uscc.ts';

type Executor = Orm | Tx;

export interface StandingRow extends EntryStanding {
  subjectKey: string;
  idempotencyKey: string;
  /** The confirmed account (SM4-encrypted) and its kind, when the subject confirmed one. */
  confirmedAccount: { accountEnc: string; accountKind: 'basic' | 'social-insurance' } | null;
}

/**
 * Every listed, eligible entry of a point and period (or of the given subjects) with what the gate
 * needs: its latest notice, open objections, the last upheld one, an open hold, and the confirmation.
 */
export async function entryStandings(q: Executor, pointId: string, period: string, subjectKeys?: readonly string[]): Promise<StandingRow[]> {
  const rows = await q.execute<{
    subject_key: string;
    idempotency_key: string;
    amount: string;
    notice_id: string | null;
    noticed: string | null;
    ends_on: string | null;
    published_at: Date | string | null;
    open_objections: number;
    last_upheld_at: Date | string | null;
    held: boolean;
    c_status: 'requested' | 'confirmed' | 'waived' | null;
    c_due_on: string | null;
    c_account_enc: string | null;
    c_account_kind: 'basic' | 'social-insurance' | null;
  }>(dsql`
    select l.subject_key, l.idempotency_key, l.amount_fen::text as amount,
           n.notice_id::text as notice_id, n.amount_fen::text as noticed, n.ends_on::text as ends_on, n.published_at,
           (select count(*)::int from objections o where o.subject_key = l.subject_key and o.point_id = l.point_id and o.period = l.period and o.status = 'open') as open_objections,
           (select max(o.resolved_at) from objections o where o.subject_key = l.subject_key and o.point_id = l.point_id and o.period = l.period and o.status = 'upheld') as last_upheld_at,
           exists (select 1 from entry_holds h where h.subject_key = l.subject_key and h.point_id = l.point_id and h.period = l.period and h.released_at is null) as held,
           c.status as c_status, c.due_on::text as c_due_on, c.account_enc as c_account_enc, c.account_kind as c_account_kind
    from list_entries l
    left join lateral (
      select ne.notice_id, ne.amount_fen, ln.ends_on, ln.published_at
      from notice_entries ne join list_notices ln on ln.id = ne.notice_id
      where ne.subject_key = l.subject_key and ne.point_id = l.point_id and ne.period = l.period
      order by ne.notice_id desc limit 1
    ) n on true
    left join entry_confirmations c on c.subject_key = l.subject_key and c.point_id = l.point_id and c.period = l.period and c.notice_id = n.notice_id
    where l.point_id = ${pointId} and l.period = ${period} and l.outcome = 'eligible' and l.status = 'listed'
      and l.amount_fen is not null and l.amount_fen > 0
      ${subjectKeys === undefined ? dsql`` : dsql`and l.subject_key in ${subjectKeys.length === 0 ? dsql`(null)` : dsql`(${dsql.join(subjectKeys.map((k) => dsql`${k}`), dsql`, `)})`}`}
    order by l.subject_key`);
  const at = (v: Date | string | null) => (v === null ? null : new Date(v));
  return rows.map((r) => ({
    subjectKey: r.subject_key,
    idempotencyKey: r.idempotency_key,
    amountFen: BigInt(r.amount),
    notice: r.notice_id === null ? null : { noticeId: Number(r.notice_id), amountFen: BigInt(r.noticed!), endsOn: r.ends_on!, publishedAt: at(r.published_at)! },
    openObjections: r.open_objections,
    lastUpheldAt: at(r.last_upheld_at),
    held: r.held,
    confirmation: r.c_status === null ? null : { status: r.c_status, dueOn: r.c_due_on! },
    confirmedAccount: r.c_status === 'confirmed' && r.c_account_enc !== null ? { accountEnc: r.c_account_enc, accountKind: r.c_account_kind ?? 'basic' } : null,
  }));
}

/** The masked identity the public sees: enterprises by masked USCC and name, persons by masked id and surname. */
export async function publicIdentities(q: Executor, subjectKeys: readonly string[]): Promise<Map<string, { maskedId: string; maskedName: string }>> {
  const out = new Map<string, { maskedId: string; maskedName: string }>();
  for (let i = 0; i < subjectKeys.length; i += 1000) {
    const slice = subjectKeys.slice(i, i + 1000);
    const rows = await q.execute<{ key: string; masked_id: string | null; name: string; kind: string }>(dsql`
      select e.uscc as key, null as masked_id, e.name, 'enterprise' as kind from enterprises e where e.uscc in (${dsql.join(slice.map((k) => dsql`${k}`), dsql`, `)})
      union all
      select p.person_key, p.id_masked, p.name, 'person' from persons p where p.person_key in (${dsql.join(slice.map((k) => dsql`${k}`), dsql`, `)})`);
    for (const r of rows) out.set(r.key, { maskedId: r.masked_id ?? maskUscc(r.key), maskedName: r.kind === 'person' ? maskPersonName(r.name) : r.name });
  }
  return out;
}

export async function insertNotice(q: Executor, row: typeof listNotices.$inferInsert): Promise<number> {
  const [inserted] = await q.insert(listNotices).values(row).returning({ id: listNotices.id });
  return inserted!.id;
}

export async function insertNoticeEntries(q: Executor, rows: (typeof noticeEntries.$inferInsert)[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) await q.insert(noticeEntries).values(rows.slice(i, i + 1000));
}

export async function insertConfirmations(q: Executor, rows: (typeof entryConfirmations.$inferInsert)[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) await q.insert(entryConfirmations).values(rows.slice(i, i + 1000));
}

export async function findNotice(q: Executor, noticeId: number) {
  const [row] = await q.select().from(listNotices).where(eq(listNotices.id, noticeId));
  return row;
}

export function noticesSince(q: Executor, endsOnOrAfter: string) {
  return q.select().from(listNotices).where(gte(listNotices.endsOn, endsOnOrAfter)).orderBy(desc(listNotices.id)).limit(200);
}

export function entriesOfNotice(q: Executor, noticeId: number) {
  return q
    .select({ subjectKey: noticeEntries.subjectKey, amountFen: noticeEntries.amountFen, maskedId: noticeEntries.maskedId, maskedName: noticeEntries.maskedName })
    .from(noticeEntries)
    .where(eq(noticeEntries.noticeId, noticeId))
    .orderBy(noticeEntries.maskedId);
}

export async function noticeEntry(q: Executor, noticeId: number, subjectKey: string) {
  const [row] = await q.select().from(noticeEntries).where(and(eq(noticeEntries.noticeId, noticeId), eq(noticeEntries.subjectKey, subjectKey)));
  return row;
}

export async function insertObjection(q: Executor, row: typeof objections.$inferInsert): Promise<number> {
  const [inserted] = await q.insert(objections).values(row).returning({ id: objections.id });
  return inserted!.id;
}

export async function lockObjection(q: Executor, id: number) {
  const [row] = await q.select().from(objections).where(eq(objections.id, id)).for('update');
  return row;
}

export async function setObjectionDecision(q: Executor, id: number, decision: { status: 'upheld' | 'rejected'; resolvedBy: string; resolution: string; resolvedAt: Date }): Promise<void> {
  await q.update(objections).set(decision).where(and(eq(objections.id, id), eq(objections.status, 'open')));
}

export function objectionsOf(q: Executor, filter: { status?: 'open' | 'upheld' | 'rejected'; subjectKey?: string; noticeId?: number }) {
  const where = [filter.status ? eq(objections.status, filter.status) : undefined, filter.subjectKey ? eq(objections.subjectKey, filter.subjectKey) : undefined, filter.noticeId ? eq(objections.noticeId, filter.noticeId) : undefined].filter((w) => w !== undefined);
  return q.select().from(objections).where(and(...where)).orderBy(objections.id).limit(1000);
}

export async function insertHold(q: Executor, row: typeof entryHolds.$inferInsert): Promise<void> {
  await q.insert(entryHolds).values(row).onConflictDoNothing();
}

export async function lockConfirmation(q: Executor, key: { subjectKey: string; pointId: string; period: string }) {
  const [row] = await q
    .select()
    .from(entryConfirmations)
    .where(and(eq(entryConfirmations.subjectKey, key.subjectKey), eq(entryConfirmations.pointId, key.pointId), eq(entryConfirmations.period, key.period)))
    .orderBy(desc(entryConfirmations.noticeId))
    .limit(1)
    .for('update');
  return row;
}

export async function setConfirmed(q: Executor, key: { subjectKey: string; pointId: string; period: string; noticeId: number }, set: { accountEnc: string; accountKeyId: string; accountMasked: string; accountKind: 'basic' | 'social-insurance'; confirmedBy: string; confirmedAt: Date }): Promise<void> {
  await q
    .update(entryConfirmations)
    .set({ ...set, status: 'confirmed' })
    .where(and(eq(entryConfirmations.subjectKey, key.subjectKey), eq(entryConfirmations.pointId, key.pointId), eq(entryConfirmations.period, key.period), eq(entryConfirmations.noticeId, key.noticeId), eq(entryConfirmations.status, 'requested')));
}

/**
 * Requested confirmations whose last day is before today. Not locked: nobody can confirm after the
 * day (confirmEntry refuses), and markWaived changes only those still requested.
 */
export function expiredConfirmations(q: Executor, today: string, scope?: { pointId: string; period: string }) {
  const where = [eq(entryConfirmations.status, 'requested'), lt(entryConfirmations.dueOn, today), scope ? eq(entryConfirmations.pointId, scope.pointId) : undefined, scope ? eq(entryConfirmations.period, scope.period) : undefined].filter((w) => w !== undefined);
  return q.select().from(entryConfirmations).where(and(...where)).orderBy(entryConfirmations.pointId, entryConfirmations.subjectKey).limit(5000);
}

/** Waives these confirmations and their entries; returns those this call waived (a concurrent waiver took the others). */
export async function markWaived<R extends { subjectKey: string; pointId: string; period: string; noticeId: number }>(q: Executor, rows: readonly R[], at: Date): Promise<R[]> {
  const waived: R[] = [];
  for (const r of rows) {
    const changed = await q
      .update(entryConfirmations)
      .set({ status: 'waived', waivedAt: at })
      .where(and(eq(entryConfirmations.subjectKey, r.subjectKey), eq(entryConfirmations.pointId, r.pointId), eq(entryConfirmations.period, r.period), eq(entryConfirmations.noticeId, r.noticeId), eq(entryConfirmations.status, 'requested')))
      .returning({ subjectKey: entryConfirmations.subjectKey });
    if (changed.length === 0) continue;
    await q
      .update(listEntries)
      .set({ status: 'waived', updatedAt: at })
      .where(and(eq(listEntries.subjectKey, r.subjectKey), eq(listEntries.pointId, r.pointId), eq(listEntries.period, r.period), eq(listEntries.status, 'listed')));
    waived.push(r);
  }
  return waived;
}
