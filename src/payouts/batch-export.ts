// Batch export for finance (拨付批次明细): one row per payment of a batch — masked identifier, name,
// masked account and its kind, the amount in 元 and in 分, end-to-end id, status — with two totals
// lines: the batch's own, and the payment file's as transmitted (bank_messages: the pain.001's
// NbOfTxs and CtrlSum). They must agree; the result says whether they do. CSV (UTF-8 with BOM) or XLSX.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import type { Database } from '../db/clients.ts';
import { AppError } from '../errors.ts';
import { authorize, type Actor } from '../identity/permissions.ts';
import { csvCell, fenToYuanText, type ExportFormat } from '../lists/export.ts';
import { maskPersonName } from '../subjects/id-number.ts';
import { maskUscc } from '../subjects/uscc.ts';

const BATCH_EXPORT_COLUMNS = ['证件号码（已脱敏）', '名称', '收款账户（已脱敏）', '账户类型', '金额（元）', '金额（分）', '端到端标识', '状态', '失败原因', '预算额度'] as const;

const KIND_TEXT: Record<string, string> = { basic: '基本存款账户', 'social-insurance': '社保缴费账户' };
const STATUS_TEXT: Record<string, string> = { pending: '待发送', sent: '已发送', paid: '已到账', failed: '失败', returned: '退回' };

export interface BatchExportResult {
  file: string;
  payments: number;
  totalFen: bigint;
  /** What the batch's transmitted payment file(s) carried; null before the batch is sent. */
  paymentFile: { messages: number; payments: number; totalFen: bigint } | null;
  /** The batch's payments and its payment file agree on count and total (true before sending: nothing to compare). */
  agrees: boolean;
}

interface Row {
  subject_key: string;
  enterprise_name: string | null;
  person_name: string | null;
  id_masked: string | null;
  account_masked: string;
  account_kind: string;
  amount_fen: bigint;
  end_to_end_id: string | null;
  status: string;
  failure_reason: string | null;
  budget_line: string;
}

function cells(r: Row): string[] {
  const name = r.enterprise_name ?? (r.person_name ? maskPersonName(r.person_name) : '');
  return [r.id_masked ?? maskUscc(r.subject_key), name, r.account_masked, KIND_TEXT[r.account_kind] ?? r.account_kind, fenToYuanText(r.amount_fen), r.amount_fen.toString(), r.end_to_end_id ?? '', STATUS_TEXT[r.status] ?? r.status, r.failure_reason ?? '', r.budget_line];
}

/** Writes one batch's payments to `out` with the batch's and the payment file's totals. */
export async function exportBatch(db: Database, request: { batchId: number; format: ExportFormat; out: string; actor: Actor }): Promise<BatchExportResult> {
  authorize(request.actor, 'batch.read');
  const [batch] = await db.sql<{ point_id: string; period: string; status: string }[]>`select point_id, period, status from payout_batches where id = ${request.batchId}`;
  if (!batch) throw new AppError('BATCH_NOT_FOUND', `Payout batch ${request.batchId} does not exist; list them with: npm run cli -- batch list`);
  // A batch's rows are bounded (one per entitlement of one point and period): read whole.
  const rows = await db.sql<Row[]>`
    select p.subject_key, e.name as enterprise_name, ps.name as person_name, ps.id_masked, p.account_masked, p.account_kind, p.amount_fen,
           p.end_to_end_id, p.status, p.failure_reason, p.budget_line
    from payments p left join enterprises e on e.uscc = p.subject_key left join persons ps on ps.person_key = p.subject_key
    where p.batch_id = ${request.batchId} order by p.end_to_end_id`;
  const totalFen = rows.reduce((s, r) => s + BigInt(r.amount_fen), 0n);
  const [file] = await db.sql<{ messages: number; payments: number | null; total: string | null }[]>`
    select count(*)::int as messages, sum(payment_count)::int as payments, sum(total_fen)::text as total from bank_messages where batch_id = ${request.batchId}`;
  const paymentFile = file && file.messages > 0 ? { messages: file.messages, payments: file.payments ?? 0, totalFen: BigInt(file.total ?? '0') } : null;
  // A batch sent in one message carries all its payments; a re-sent batch's messages cover what was pending each time.
  const agrees = paymentFile === null || (paymentFile.payments === rows.length && paymentFile.totalFen === totalFen);
  const blanks = (n: number) => Array.from({ length: n }, () => '');
  const totals = [
    ['批次合计', `${rows.length} 笔`, ...blanks(2), fenToYuanText(totalFen), totalFen.toString(), `批次 #${request.batchId} ${batch.point_id} ${batch.period}`, batch.status, ...blanks(2)],
    paymentFile === null
      ? ['支付文件合计', '尚未发送', ...blanks(8)]
      : ['支付文件合计', `${paymentFile.payments} 笔`, ...blanks(2), fenToYuanText(paymentFile.totalFen), paymentFile.totalFen.toString(), `${paymentFile.messages} 个报文（pain.001 NbOfTxs/CtrlSum）`, agrees ? '一致' : '不一致，请核查', ...blanks(2)],
  ];

  if (request.format === 'csv') {
    const out = createWriteStream(request.out);
    out.write(`\ufeff${BATCH_EXPORT_COLUMNS.join(',')}\n`);
    for (const r of rows) out.write(`${cells({ ...r, amount_fen: BigInt(r.amount_fen) }).map(csvCell).join(',')}\n`);
    for (const t of totals) out.write(`${t.map(csvCell).join(',')}\n`);
    out.end();
    await once(out, 'finish');
  } else {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: request.out, useStyles: true });
    const sheet = workbook.addWorksheet('拨付明细');
    sheet.columns = BATCH_EXPORT_COLUMNS.map((header) => ({ header, width: header.length * 2 + 8 }));
    sheet.getRow(1).font = { bold: true };
    // Amounts go in as text: a spreadsheet number is a binary float.
    for (const r of rows) sheet.addRow(cells({ ...r, amount_fen: BigInt(r.amount_fen) })).commit();
    for (const t of totals) {
      const row = sheet.addRow(t);
      row.font = { bold: true };
      row.commit();
    }
    sheet.commit();
    await workbook.commit();
  }
  return { file: request.out, payments: rows.length, totalFen, paymentFile, agrees };
}
