// The short summary `npm start` prints after the cycle.
import type { CycleSummary } from './cycle.ts';
import { formatYuan } from './money.ts';

export function formatSummary(summary: CycleSummary): string {
  const lines: string[] = [];
  lines.push(`policy library ${summary.library.hash.slice(0, 12)}: ${summary.library.points} points${summary.library.newVersions.length ? `, ${summary.library.newVersions.length} new versions published` : ', unchanged'}`);
  lines.push(`demo population: ${summary.demo.enterprises} enterprises, ${summary.demo.persons} persons (${summary.demo.created ? 'generated now' : 'already in the database'})`);
  for (const i of summary.demo.imports) {
    lines.push(`  feed ${i.feedId}: ${i.rowsAccepted} rows imported, ${i.rowsRejected} rejected${i.rejectsFile ? ` -> ${i.rejectsFile}` : ''}`);
    for (const r of i.rejections.slice(0, 5)) lines.push(`    row ${r.rowNo} ${r.field}=${JSON.stringify(r.value)}: ${r.reason}`);
  }
  for (const { run, points, ledger, scope } of summary.runs) {
    if (ledger) {
      lines.push(`identity ledger ${ledger.month}: ${ledger.hires} hire records, ${ledger.counted} persons counted, ${ledger.alreadyUsed.length} already used by another firm`);
    }
    lines.push(
      `match run #${run.runId} (${run.kind}, ${scope}, period ${run.period}): ${run.evaluated} subjects × ${run.points.length} points; list changes: +${run.changes.added} −${run.changes.removed} ~${run.changes.amountChanged + run.changes.outcomeChanged}`,
    );
    lines.push('  point                                      符合   待定  除外        应享金额        已拨付   失败  无账户');
    const shown = points.filter((p) => p.eligible + p.undetermined + p.excluded > 0);
    for (const p of shown) {
      lines.push(
        `  ${`${p.pointId} v${p.version}`.padEnd(40)} ${String(p.eligible).padStart(6)} ${String(p.undetermined).padStart(6)} ${String(p.excluded).padStart(5)} ${`¥${formatYuan(p.entitledFen)}`.padStart(15)} ${`${p.paid}`.padStart(6)}/${`¥${formatYuan(p.paidFen)}`.padEnd(14)} ${String(p.failed).padStart(4)} ${String(p.withoutAccount).padStart(6)}`,
      );
    }
    const idle = points.filter((p) => !shown.includes(p));
    if (idle.length > 0) lines.push(`  (${idle.length} more points: nobody in the demo population qualifies or waits on data — ${idle.map((p) => p.pointId).join(', ')})`);
    const approved = points.reduce((s, p) => s + p.approvedFen, 0n);
    const paid = points.reduce((s, p) => s + p.paidFen, 0n);
    const failed = points.reduce((s, p) => s + p.failed, 0);
    lines.push(`  total: entitled ¥${formatYuan(run.totalFen)}; approved ¥${formatYuan(approved)}; paid ¥${formatYuan(paid)}; failed payments ${failed}`);
  }
  const a = summary.audit;
  lines.push(a.ok ? `audit chain: verified, ${a.rows} entries, head #${a.headSeq} ${a.headHash.slice(0, 16)}…` : `audit chain: BROKEN at #${a.problem?.seq}: ${a.problem?.message}`);
  return lines.join('\n');
}
