// The short summary `npm start` prints after the cycle.
import type { CycleSummary } from './cycle.ts';
import { formatYuan } from './money.ts';

export function formatSummary(summary: CycleSummary): string {
  const lines: string[] = [];
  lines.push(`policy library ${summary.library.hash.slice(0, 12)}: ${summary.library.points} points${summary.library.newVersions.length ? `, ${summary.library.newVersions.length} new versions published` : ', unchanged'}`);
  lines.push(`demo population: ${summary.demo.enterprises} enterprises, ${summary.demo.persons} persons (${summary.demo.created ? 'generated now' : 'already in the database'})`);
  const planted = summary.demo.planted;
  if (planted.length > 0) {
    const count = (pred: (s: (typeof planted)[number]) => boolean) => planted.filter(pred).length;
    lines.push(
      `  planted from the policy library's test cases: ${count((s) => s.subject === 'enterprise')} enterprises, ${count((s) => s.subject === 'person')} persons, one per case of ${new Set(planted.map((s) => s.pointId)).size} points (${count((s) => s.expected === 'eligible')} eligible, ${count((s) => s.expected === 'ineligible')} ineligible, ${count((s) => s.expected === 'undetermined')} undetermined)`,
    );
  }
  for (const i of summary.demo.imports) {
    lines.push(`  feed ${i.feedId}: ${i.rowsAccepted} rows imported, ${i.rowsRejected} rejected${i.rejectsFile ? ` -> ${i.rejectsFile}` : ''}`);
    for (const r of i.rejections.slice(0, 5)) lines.push(`    row ${r.rowNo} ${r.field}=${JSON.stringify(r.value)}: ${r.reason}`);
  }
  const listedSomewhere = new Set(summary.runs.flatMap((r) => r.points.filter((p) => p.eligible + p.undetermined + p.excluded > 0).map((p) => p.pointId)));
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
    const elsewhere = idle.filter((p) => listedSomewhere.has(p.pointId));
    const nowhere = idle.filter((p) => !listedSomewhere.has(p.pointId));
    if (elsewhere.length > 0) lines.push(`  (${elsewhere.length} more points in effect, nobody listed for this period; shown in another run)`);
    if (nowhere.length > 0) lines.push(`  (${nowhere.length} more points: nobody in the demo population qualifies or waits on data — ${nowhere.map((p) => p.pointId).join(', ')})`);
    const approved = points.reduce((s, p) => s + p.approvedFen, 0n);
    const paid = points.reduce((s, p) => s + p.paidFen, 0n);
    const failed = points.reduce((s, p) => s + p.failed, 0);
    lines.push(`  total: entitled ¥${formatYuan(run.totalFen)}; approved ¥${formatYuan(approved)}; paid ¥${formatYuan(paid)}; failed payments ${failed}`);
  }
  const a = summary.audit;
  lines.push(a.ok ? `audit chain: verified, ${a.rows} entries, head #${a.headSeq} ${a.headHash.slice(0, 16)}…` : `audit chain: BROKEN at #${a.problem?.seq}: ${a.problem?.message}`);
  if (summary.checkpoint) lines.push(`audit checkpoint: #${summary.checkpoint.seq} signed (Ed25519, ${summary.checkpoint.algorithm}); check later with: npm run cli -- audit checkpoint --out FILE, audit verify --checkpoint FILE`);
  return lines.join('\n');
}
