// The short summary `npm start` prints after the cycle.
import type { CycleSummary } from './cycle.ts';
import { formatYuan } from './money.ts';

export function formatSummary(summary: CycleSummary): string {
  const lines: string[] = [];
  lines.push(`demo population: ${summary.demo.enterprises} enterprises (${summary.demo.created ? 'generated now' : 'already in the database'})`);
  for (const i of summary.demo.imports) {
    lines.push(`  feed ${i.feedId}: ${i.rowsAccepted} rows imported, ${i.rowsRejected} rejected${i.rejectsFile ? ` -> ${i.rejectsFile}` : ''}`);
    for (const r of i.rejections.slice(0, 5)) lines.push(`    row ${r.rowNo} ${r.field}=${JSON.stringify(r.value)}: ${r.reason}`);
  }
  for (const p of summary.points) {
    lines.push(
      `${p.pointId} v${p.policyVersion}, period ${p.period}, run #${p.runId}:`,
      `  matched 符合 ${p.eligible} / 不符合 ${p.ineligible} / 待定 ${p.undetermined} of ${p.evaluated}; entitled total ¥${formatYuan(p.matchedFen)}`,
      `  batch ${p.batchId === null ? '(none new)' : `#${p.batchId}`}: approved ¥${formatYuan(p.approvedFen)}; paid ${p.paid} (¥${formatYuan(p.paidFen)}); failed ${p.failed}; eligible without an account ${p.withoutAccount}`,
    );
  }
  const a = summary.audit;
  lines.push(
    a.ok
      ? `audit chain: verified, ${a.rows} entries, head #${a.headSeq} ${a.headHash.slice(0, 16)}…`
      : `audit chain: BROKEN at #${a.problem?.seq}: ${a.problem?.message}`,
  );
  return lines.join('\n');
}
