// List export: what leaves the system is masked, exact to the fen, states its rounding, and adds up.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS, exportList, fenToYuanText } from '../src/lists/export.ts';
import { buildIdNumber } from '../src/subjects/id-number.ts';
import { protectIdNumber } from '../src/subjects/personal-data.ts';
import { buildUscc } from '../src/subjects/uscc.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { createStaff } from './support/staff.ts';
import { tempDir } from './support/temp.ts';

let db: TestDatabase;
const work = tempDir('export');
const FIRM = buildUscc('9', '1', '440300', 'MA5KBR48');
const PERSON = buildIdNumber('440305', '19500101', '123');
const OTHER = buildIdNumber('440305', '19600101', '456');
const now = new Date('2024-06-15T00:00:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
  await db.sql`insert into enterprises (uscc, name, region_code, created_at) values (${FIRM}, ${'深圳市"甲",有限公司'}, '440300', ${now})`;
  // Persons as the importer records them: by person key, the number encrypted and masked beside it.
  const person = (id: string, name: string) => {
    const p = protectIdNumber(id);
    return db.sql`insert into persons (person_key, id_enc, key_id, id_masked, name, region_code, created_at) values (${p.personKey}, ${p.idEnc}, ${p.keyId}, ${p.idMasked}, ${name}, '440305', ${now})`;
  };
  await person(PERSON, '张三丰');
  await person(OTHER, '李四');
  const entry = (subject: string, point: string, outcome: string, amount: string | null, codes: string[]) => ({
    subject_key: subject, point_id: point, period: '2024', idempotency_key: `${point}/2024/${subject}`, outcome, rule_amount_fen: amount, amount_fen: amount,
    rounding: 'half-up-fen', allocation: amount ? 'full' : 'none', reason_codes: codes, policy_version: 1, run_id: 1, status: 'listed', updated_at: now,
  });
  await db.sql`insert into list_entries ${db.sql([
    entry(FIRM, 'firm-point', 'eligible', '123456789012', []),
    entry(protectIdNumber(PERSON).personKey, 'person-point', 'eligible', '5', []),
    entry(protectIdNumber(OTHER).personKey, 'person-point', 'undetermined', null, ['MISSING:disabilityGrade']),
  ])}`;
});
afterAll(async () => db?.drop());

describe('a list export', () => {
  it('states amounts in 元 exactly from fen, with no float in between', () => {
    expect(fenToYuanText(123456789012n)).toBe('1234567890.12');
    expect(fenToYuanText(5n)).toBe('0.05');
    expect(fenToYuanText(-150n)).toBe('-1.50');
    expect(fenToYuanText(9007199254740993n)).toBe('90071992547409.93');
  });

  it("masks a person's ID number and name, keeps a firm's name, quotes CSV cells, and adds up", async () => {
    const csv = join(work, 'persons.csv');
    const result = await exportList(db, { pointId: 'person-point', period: '2024', format: 'csv', out: csv, actor: await createStaff(db, ['auditor']) });
    expect(result).toMatchObject({ entries: 2, totalFen: 5n });
    const text = readFileSync(csv, 'utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    expect(text).not.toContain(PERSON);
    expect(text).not.toContain(OTHER);
    expect(text).not.toContain(protectIdNumber(PERSON).personKey); // the masked number, not the pseudonym
    expect(text).not.toContain('张三丰');
    expect(text).toContain('440305********123');
    expect(text).toContain('张**');
    expect(text).toContain('MISSING:disabilityGrade');
    expect(text).toContain('四舍五入到分');
    expect(text.trimEnd().split('\n').at(-1)).toBe('合计,2 条,,0.05,5,金额为各条取整后之和,,,,');

    const firm = join(work, 'firm.csv');
    await exportList(db, { pointId: 'firm-point', period: '2024', format: 'csv', out: firm, actor: await createStaff(db, ['auditor']) });
    const [, row] = readFileSync(firm, 'utf8').split('\n');
    expect(row).toBe(`${FIRM.slice(0, 6)}********${FIRM.slice(14)},"深圳市""甲"",有限公司",符合,1234567890.12,123456789012,四舍五入到分,全额,,listed,1`);
  });

  it('writes XLSX with the header, amounts as exact text and the totals line', async () => {
    const out = join(work, 'firm.xlsx');
    await exportList(db, { pointId: 'firm-point', period: '2024', format: 'xlsx', out, actor: await createStaff(db, ['auditor']) });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(out);
    const sheet = workbook.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([...EXPORT_COLUMNS]);
    expect(sheet.getRow(2).getCell(4).value).toBe('1234567890.12');
    expect(sheet.getRow(3).getCell(1).value).toBe('合计');
    expect(sheet.getRow(3).getCell(5).value).toBe('123456789012');
  });

  it('refuses a point and period with no list, saying what to do', async () => {
    await expect(exportList(db, { pointId: 'firm-point', period: '2023', format: 'csv', out: join(work, 'none.csv'), actor: await createStaff(db, ['auditor']) })).rejects.toThrow(/has no entries; check the point id and period, or run the match first/);
  });
});
