// Amendments over time: a version has an in-force-from date (生效日期) and a run uses, for each policy
// file, the text in force on its period's reference day (a month's first day here). An approved
// version is never used before it is published; a version published with a future in-force-from is
// not used for periods before it; a correction of a past period needs a reason and is shown as one.
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { loadDemoPopulation } from '../src/demo/load-demo.ts';
import { auditLog, matchRuns, policyLibraries, policyPublications } from '../src/db/schema/index.ts';
import { isAppError } from '../src/errors.ts';
import { latestLibraryHash, publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { libraryHashForPeriod } from '../src/policies/period-library.ts';
import { createDraft, publishDraft, reviewDraft, submitDraft } from '../src/policies/policy-workflow.ts';
import { parsePeriod } from '../src/rules/lang/period.ts';
import type { StaffActor } from '../src/identity/permissions.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { approvedVersion, edited, gaolingText, monthAmounts, RAISE } from './support/policy-versions.ts';
import { createStaff } from './support/staff.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2024-06-15T02:00:00.000Z');
let db: TestDatabase;
let author: StaffActor;
let reviewer: StaffActor;
let original: string;

beforeAll(async () => {
  db = await createTestDatabase();
  author = await createStaff(db, ['policy_staff']);
  reviewer = await createStaff(db, ['reviewer']);
  await publishLibrary(db.orm, clock, reviewer, await readLibraryFiles(POLICIES_DIR));
  await loadDemoPopulation(db, clock, { seed: 11, count: 10, persons: 120, dataYear: 2023, asOf: '2024-03-31', dataDir: tempDir('policy-amendments') });
  original = await gaolingText();
});
afterAll(async () => db?.drop());

describe('a mid-year amendment (70-79 year olds: 200元 → 250元 a month from 2024-07-01)', () => {
  let versionId: number;
  let before: Record<string, number>;

  it('an approved version takes effect only at its published date', async () => {
    before = await monthAmounts(db, clock, '2024-08');
    expect(before['20000']).toBeGreaterThan(0);
    const approved = await approvedVersion(db, clock, author, reviewer, edited(original, RAISE), '2024-07-01');
    versionId = approved.id;
    expect(approved.status).toBe('approved');
    // Approved, not published: no run uses it.
    expect(await monthAmounts(db, clock, '2024-08')).toEqual(before);
    clock.set('2024-06-20T02:00:00.000Z');
    await publishDraft(db, clock, versionId, { actor: reviewer });
    const after = await monthAmounts(db, clock, '2024-08');
    expect(after['20000']).toBeUndefined();
    expect(after['25000']).toBe(before['20000']);
  });

  it('pays the old amount for periods before the in-force-from date and the new amount from it', async () => {
    const june = await monthAmounts(db, clock, '2024-06');
    const july = await monthAmounts(db, clock, '2024-07');
    expect(june['20000']).toBeGreaterThan(0);
    expect(june['25000']).toBeUndefined();
    expect(july['25000']).toBeGreaterThan(0);
    expect(july['20000']).toBeUndefined();
    // Other bands are untouched in both.
    expect(Object.keys(june).filter((k) => k !== '20000')).toEqual(Object.keys(july).filter((k) => k !== '25000'));
    // The June run pinned a library with the file's old text (composed for the period, never the one in force).
    const runs = await db.orm.select({ period: matchRuns.period, hash: matchRuns.libraryHash }).from(matchRuns);
    const juneHash = runs.filter((r) => r.period === '2024-06').at(-1)!.hash;
    const julyHash = runs.filter((r) => r.period === '2024-07').at(-1)!.hash;
    expect(julyHash).toBe(await latestLibraryHash(db.orm));
    expect(juneHash).not.toBe(julyHash);
    const [june1] = await db.orm.select({ composed: policyLibraries.composed }).from(policyLibraries).where(eq(policyLibraries.hash, juneHash));
    // June's library is the first one published (all of its files as they were), not a new composition.
    expect(june1!.composed).toBe(false);
  });

  it('a correction of a past period needs a reason, and is recorded and audited as a correction', async () => {
    // 250元 → 260元 from 2024-05-01, published on 2024-06-20: May and June change after the fact.
    const text = edited(original, ['- { when: "[70岁, 80岁)", then: 200元 }', '- { when: "[70岁, 80岁)", then: 260元 }']);
    const approved = await approvedVersion(db, clock, author, reviewer, text, '2024-05-01');
    const refusal = await publishDraft(db, clock, approved.id, { actor: reviewer }).catch((e: unknown) => e);
    expect(isAppError(refusal, 'POLICY_CORRECTION_REQUIRED')).toBe(true);
    const published = await publishDraft(db, clock, approved.id, { correction: '市民政局更正通知：标准自5月起执行', actor: reviewer });
    expect([published.draft.status, published.draft.correctionReason, published.inForceFrom]).toEqual(['published', '市民政局更正通知：标准自5月起执行', '2024-05-01']);
    const [publication] = await db.orm.select().from(policyPublications).where(eq(policyPublications.draftId, approved.id));
    expect([publication!.kind, publication!.reason]).toEqual(['correction', '市民政局更正通知：标准自5月起执行']);
    const [audit] = await db.orm.select().from(auditLog).where(eq(auditLog.action, 'policy.correction-published'));
    expect(audit!.payload).toMatchObject({ inForceFrom: '2024-05-01', correction: '市民政局更正通知：标准自5月起执行' });
    expect((await monthAmounts(db, clock, '2024-04'))['20000']).toBeGreaterThan(0);
    expect((await monthAmounts(db, clock, '2024-05'))['26000']).toBeGreaterThan(0);
    // The latest publication in force on a day wins: the correction from May also decides August.
    expect((await monthAmounts(db, clock, '2024-08'))['26000']).toBeGreaterThan(0);
  });
});

describe('the reference day of a period', () => {
  const YEAR_END = 'rsbf-2022-23/rsbf-2022-23.policy.yaml'; // wengang-fanhuan-2022: valuesOn: period-end
  const YEAR_START = 'rsbf-2024-40/rsbf-2024-40.policy.yaml'; // its points read values on the first day
  const texts = new Map<string, string>();

  const publishFrom = async (file: string, inForceFrom: string) => {
    const text = `${texts.get(file)!}\n# amended\n`;
    const draft = await createDraft(db, clock, { file, text, inForceFrom, actor: author });
    await submitDraft(db, clock, draft.id, author);
    await reviewDraft(db, clock, draft.id, { decision: 'approve', actor: reviewer });
    await publishDraft(db, clock, draft.id, { actor: reviewer });
    return text;
  };
  const textFor = async (period: string, file: string) => {
    const hash = await libraryHashForPeriod(db.orm, clock, 'staff:test', parsePeriod(period));
    const [row] = await db.orm.select({ files: policyLibraries.files }).from(policyLibraries).where(eq(policyLibraries.hash, hash));
    return (row!.files as { file: string; text: string }[]).find((f) => f.file === file)?.text;
  };

  it('is the first day of the period, or its last day for a file whose points all read values at period-end', async () => {
    for (const f of await readLibraryFiles(POLICIES_DIR)) texts.set(f.file, f.text);
    clock.set('2022-05-01T02:00:00.000Z');
    const yearEnd = await publishFrom(YEAR_END, '2022-06-01');
    const yearStart = await publishFrom(YEAR_START, '2024-06-01');
    // 2022 at period-end (2022-12-31): the amendment from 2022-06-01 decides the whole year; 2021 does not see it.
    expect(await textFor('2022', YEAR_END)).toBe(yearEnd);
    expect(await textFor('2021', YEAR_END)).toBe(texts.get(YEAR_END));
    // 2024 at period-start (2024-01-01): the amendment from 2024-06-01 is not yet in force; from 2025 it is.
    expect(await textFor('2024', YEAR_START)).toBe(texts.get(YEAR_START));
    expect(await textFor('2024-06', YEAR_START)).toBe(yearStart);
    expect(await textFor('2025', YEAR_START)).toBe(yearStart);
    // A composed library is stored once and is never the library in force.
    expect(await latestLibraryHash(db.orm)).toBe(await libraryHashForPeriod(db.orm, clock, 'staff:test', parsePeriod('2025')));
    const composed = await db.orm.select({ hash: policyLibraries.hash }).from(policyLibraries).where(eq(policyLibraries.composed, true));
    expect(composed.length).toBeGreaterThan(0);
  });

  it('a whole-library publish (cli publish) of changed texts puts them in force for every period, before and after', async () => {
    await publishLibrary(db.orm, clock, reviewer, await readLibraryFiles(POLICIES_DIR));
    const [row] = await db.orm.select().from(policyPublications).where(eq(policyPublications.file, YEAR_END)).orderBy(desc(policyPublications.id)).limit(1);
    expect([row!.kind, row!.inForceFrom, row!.text]).toEqual(['publish', null, texts.get(YEAR_END)]);
    for (const period of ['2021', '2022', '2025']) expect(await textFor(period, YEAR_END)).toBe(texts.get(YEAR_END));
    expect(await textFor('2025', YEAR_START)).toBe(texts.get(YEAR_START));
  });
});
