// The identity-used ledger (身份台账): from the 人社 hire records of a month, each person is counted for
// one employer once per subsidy family — the first employer to hire them — so one graduate counts for
// one firm only, across firms, years and regions, and a person used for 吸纳就业补贴 is not used again
// for 扩岗补助. The deduplicated per-firm counts become the month's facts (feed ledger-hires-monthly),
// which the matcher reads in preference to any count a department sent.
//
// "First" is an order that does not depend on the order of any file: a person already recorded for an
// earlier month stays with that employer; within a month, the hires that qualify (contract signed, at
// least one month insured, a target of either subsidy) come before those that do not, and among them
// the lowest employer 统一社会信用代码 wins (人社's hire records carry the month, not the day, so
// there is no earlier hire date to go by). A person with two hires in one month is stored as one
// record listing both (mappings.ts rowsPerPeriod), so a hire that does not qualify at employer A never
// blocks a qualifying hire at employer B. Rebuilding a month recomputes that month's own entries from
// the current hire records (a corrected file moves a person to the right employer); entries of other
// months are kept and still block.
import { join } from 'node:path';
import { appendAuditSql } from '../audit/audit-trail.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { importFeed, type ImportResult } from '../feeds/importer.ts';
import { actorRef, authorize, type Actor } from '../identity/permissions.ts';
import type { NumberedRecord } from '../feeds/parse.ts';
import { FACTS_LOCK_KEY } from '../subjects/facts-repository.ts';

const EMPLOYMENT_SUBSIDY_FAMILY = 'employment-subsidy';

export interface LedgerResult {
  month: string;
  hires: number;
  counted: number;
  /** People another employer (or an earlier month) already used; masked. */
  alreadyUsed: { person: string; usedBy: string; period: string; hiredBy: string }[];
  firms: number;
  imported: ImportResult;
}

interface Hire {
  person: string;
  hiredBy: string;
  contract: boolean;
  insuredMonths: number;
  expansion: boolean;
  absorption: boolean;
}

function qualifies(h: Hire): boolean {
  return h.hiredBy !== '' && h.contract && h.insuredMonths >= 1 && (h.expansion || h.absorption);
}

export async function buildHireLedger(db: Database, clock: Clock, input: { month: string; actor: Actor; rejectsDir: string }): Promise<LedgerResult> {
  // The ledger is imported as a derived feed: building it is importing.
  authorize(input.actor, 'feed.import');
  const { month } = input;
  const { hires, counted, alreadyUsed, perFirm } = await db.sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${FACTS_LOCK_KEY})`;
    const rows = await tx<{ subject_key: string; facts: Record<string, unknown> }[]>`
      select subject_key, facts from (
        select distinct on (subject_key, source, period) subject_key, facts, retracted from fact_records
        where source = 'hrss-hire-records' and period = ${month} and subject_type = 'person'
        order by subject_key, source, period, seq desc
      ) latest where not retracted order by subject_key`;
    const hires: Hire[] = rows.flatMap((r) => {
      const list = Array.isArray(r.facts.hires) ? (r.facts.hires as Record<string, unknown>[]) : [r.facts];
      return list.map((f) => ({
        person: r.subject_key,
        hiredBy: typeof f.hiredBy === 'string' ? f.hiredBy : '',
        contract: f.hireContractSigned === true,
        insuredMonths: Number(f.hireInsuredMonths ?? 0),
        expansion: f.expansionTarget === true,
        absorption: f.absorptionTarget === true,
      }));
    });
    hires.sort((a, b) => (a.person !== b.person ? (a.person < b.person ? -1 : 1) : Number(qualifies(b)) - Number(qualifies(a)) || (a.hiredBy < b.hiredBy ? -1 : a.hiredBy > b.hiredBy ? 1 : 0)));
    // This month's own entries are recomputed below; other months' entries stand.
    const replaced = await tx`delete from identity_ledger where family = ${EMPLOYMENT_SUBSIDY_FAMILY} and period = ${month}`;
    const persons = [...new Set(hires.map((h) => h.person))];
    const used = new Map<string, { subject_key: string; period: string }>(
      (persons.length === 0
        ? []
        : await tx<{ person_key: string; subject_key: string; period: string }[]>`
            select person_key, subject_key, period from identity_ledger where family = ${EMPLOYMENT_SUBSIDY_FAMILY} and person_key in ${tx(persons)}`
      ).map((r) => [r.person_key, r]),
    );
    const perFirm = new Map<string, { e1: number; e3: number; a: number }>();
    const alreadyUsed: LedgerResult['alreadyUsed'] = [];
    const newRows: { person_key: string; family: string; subject_key: string; period: string; recorded_at: Date }[] = [];
    let counted = 0;
    for (const h of hires) {
      // Every employer named this month gets a count, zero included, so no stale count stands in for it.
      if (h.hiredBy && !perFirm.has(h.hiredBy)) perFirm.set(h.hiredBy, { e1: 0, e3: 0, a: 0 });
      if (!qualifies(h)) continue;
      const prior = used.get(h.person);
      if (prior) {
        alreadyUsed.push({ person: h.person, // a person key (pseudonym), not the number
         usedBy: prior.subject_key, period: prior.period, hiredBy: h.hiredBy });
        continue;
      }
      used.set(h.person, { subject_key: h.hiredBy, period: month });
      newRows.push({ person_key: h.person, family: EMPLOYMENT_SUBSIDY_FAMILY, subject_key: h.hiredBy, period: month, recorded_at: clock.now() });
      counted++;
      const firm = perFirm.get(h.hiredBy)!;
      if (h.expansion) firm.e1++;
      if (h.expansion && h.insuredMonths >= 3) firm.e3++;
      if (h.absorption) firm.a++;
    }
    for (let i = 0; i < newRows.length; i += 1000) {
      await tx`insert into identity_ledger ${tx(newRows.slice(i, i + 1000), 'person_key', 'family', 'subject_key', 'period', 'recorded_at')}`;
    }
    await appendAuditSql(tx, clock, {
      actor: actorRef(input.actor),
      action: 'ledger.built',
      entityType: 'identity_ledger',
      entityId: `${EMPLOYMENT_SUBSIDY_FAMILY}/${month}`,
      payload: { month, hires: hires.length, counted, recorded: newRows.length, replaced: replaced.count, alreadyUsed: alreadyUsed.length, firms: perFirm.size },
    });
    return { hires: hires.length, counted, alreadyUsed, perFirm };
  });

  // The month's deduplicated counts, imported like any feed (audited, superseding an earlier build).
  const records: NumberedRecord[] = [...perFirm]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([uscc, c], i) => ({ rowNo: i + 2, record: { uscc, month, expansion_hires_1m: c.e1, expansion_hires_3m: c.e3, absorbed_hires: c.a } }));
  const imported = await importFeed(db, clock, {
    feedId: 'ledger-hires-monthly',
    input: { name: `identity-ledger:${month}`, records },
    asOf: clock.now().toISOString().slice(0, 10),
    actor: input.actor,
    rejectsDir: join(input.rejectsDir),
  });
  return { month, hires, counted, alreadyUsed, firms: perFirm.size, imported };
}
