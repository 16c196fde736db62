// List export (拟享受名单导出) for staff outside the system: one row per list entry of a point and period,
// identifiers masked, the amount in 元 with its rounding rule, the allocation and the reasons, and a
// totals line (entries and amount) that equals the list's. CSV (UTF-8 with BOM, so Excel reads the
// Chinese) or XLSX (streamed, so a province-sized list does not sit in memory).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { rowBatches, type Database } from '../db/clients.ts';
import { AppError } from '../errors.ts';
import { authorize, type Actor } from '../identity/permissions.ts';
import { roundingLabels, type Rounding } from '../money.ts';
import { isPersonKey } from '../subjects/personal-data.ts';
import { maskPersonName } from '../subjects/id-number.ts';
import { maskUscc } from '../subjects/uscc.ts';

export type ExportFormat = 'csv' | 'xlsx';

export const EXPORT_COLUMNS = ['证件号码（已脱敏）', '名称', '判定结果', '应享金额（元）', '金额（分）', '取整规则', '分配方式', '原因', '状态', '政策版本'] as const;

const OUTCOME_TEXT: Record<string, string> = { eligible: '符合', undetermined: '待定', ineligible: '除外' };
const ALLOCATION_TEXT: Record<string, string> = { full: '全额', capped: '封顶', 'pro-rata': '按比例', priority: '按优先级', excluded: '不得重复享受', none: '无' };

export interface ExportResult {
  file: string;
  entries: number;
  totalFen: bigint;
}

/** Fen as 元 text, exact: 123456n -> "1234.56" (no thousands separators: the cell is read back as a number). */
export function fenToYuanText(fen: bigint): string {
  const negative = fen < 0n;
  const m = negative ? -fen : fen;
  return `${negative ? '-' : ''}${m / 100n}.${(m % 100n).toString().padStart(2, '0')}`;
}

export function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

interface Row {
  subject_key: string;
  enterprise_name: string | null;
  person_name: string | null;
  /** The person's 公民身份号码 masked at import (persons keeps no clear number). */
  id_masked: string | null;
  outcome: string;
  amount_fen: bigint | null;
  rounding: string | null;
  allocation: string | null;
  reason_codes: string[];
  status: string;
  policy_version: number;
}

function cells(r: Row): string[] {
  // A person's name is personal data: shown masked to its first character, like the ID number.
  // A person's key is a pseudonym: the masked number recorded beside it is what a reader recognises.
  const masked = r.id_masked ?? (isPersonKey(r.subject_key) ? r.subject_key : maskUscc(r.subject_key));
  const name = r.enterprise_name ?? (r.person_name ? maskPersonName(r.person_name) : '');
  return [
    masked,
    name,
    OUTCOME_TEXT[r.outcome] ?? r.outcome,
    r.amount_fen === null ? '' : fenToYuanText(r.amount_fen),
    r.amount_fen === null ? '' : r.amount_fen.toString(),
    r.rounding ? (roundingLabels[r.rounding as Rounding] ?? r.rounding) : '',
    r.allocation ? (ALLOCATION_TEXT[r.allocation] ?? r.allocation) : '',
    r.reason_codes.join('; '),
    r.status,
    String(r.policy_version),
  ];
}

/** Writes the list of one point and period to `out`; refuses a point or period with no list entries. */
export async function exportList(db: Database, request: { pointId: string; period: string; format: ExportFormat; out: string; actor: Actor }): Promise<ExportResult> {
  authorize(request.actor, 'list.export');
  const [{ n } = { n: 0 }] = await db.sql<{ n: number }[]>`select count(*)::int as n from list_entries where point_id = ${request.pointId} and period = ${request.period}`;
  if (n === 0) throw new AppError('NOT_FOUND', `The list of ${request.pointId} for ${request.period} has no entries; check the point id and period, or run the match first (npm run cli -- match ${request.pointId} ${request.period}).`);
  const query = db.sql<Row[]>`
    select l.subject_key, e.name as enterprise_name, p.name as person_name, p.id_masked, l.outcome, l.amount_fen, l.rounding, l.allocation, l.reason_codes, l.status, l.policy_version
    from list_entries l
    left join enterprises e on e.uscc = l.subject_key
    left join persons p on p.person_key = l.subject_key
    where l.point_id = ${request.pointId} and l.period = ${request.period}
    order by l.outcome, l.subject_key`;
  let entries = 0;
  let totalFen = 0n;
  const title = `${request.pointId} ${request.period} 拟享受名单`;
  const totalsOf = () => ['合计', `${entries} 条`, '', fenToYuanText(totalFen), totalFen.toString(), '金额为各条取整后之和', '', '', '', ''];

  if (request.format === 'csv') {
    const out = createWriteStream(request.out);
    const write = async (line: string) => {
      if (!out.write(line)) await once(out, 'drain');
    };
    await write(`\ufeff${EXPORT_COLUMNS.join(',')}\n`);
    for await (const rows of rowBatches(db.sql, query, 5000)) {
      for (const r of rows) {
        entries++;
        totalFen += r.amount_fen ?? 0n;
        await write(`${cells(r).map(csvCell).join(',')}\n`);
      }
    }
    await write(`${totalsOf().map(csvCell).join(',')}\n`);
    out.end();
    await once(out, 'finish');
  } else {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: request.out, useStyles: true });
    const sheet = workbook.addWorksheet('名单');
    sheet.columns = EXPORT_COLUMNS.map((header) => ({ header, width: header.length * 2 + 8 }));
    sheet.getRow(1).font = { bold: true };
    for await (const rows of rowBatches(db.sql, query, 5000)) {
      for (const r of rows) {
        entries++;
        totalFen += r.amount_fen ?? 0n;
        // Amounts go in as text: a spreadsheet number is a binary float.
        sheet.addRow(cells(r)).commit();
      }
    }
    const totals = sheet.addRow(totalsOf());
    totals.font = { bold: true };
    totals.commit();
    sheet.headerFooter.oddHeader = title;
    sheet.commit();
    await workbook.commit();
  }
  return { file: request.out, entries, totalFen };
}
