// The library a run of a period uses. Every reviewed publication of a policy file has an in-force-from
// date (生效日期); the text of a file in force on a day D is that of its latest publication (in
// publication order) whose in-force-from is on or before D (none: since always). A period's reference
// day is its first day, or its last day when every point of the file says `valuesOn: period-end`.
// The run's library is the library in force (the latest published) with each such file's text
// replaced by the text in force on the reference day; a file with no text in force then (first
// published from a later date) is left out. When that changes nothing, it is the latest library itself;
// otherwise the composed library is stored (once per content hash, marked composed: never the library
// in force) so that the run pins it like any other and can be re-evaluated exactly.
import { asc, eq } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-trail.ts';
import type { Clock } from '../clock.ts';
import type { Orm } from '../db/clients.ts';
import { policyLibraries, policyPublications } from '../db/schema/index.ts';
import { parseIsoDay } from '../rules/lang/parser.ts';
import type { Period } from '../rules/lang/period.ts';
import { buildLibrary, latestLibraryHash, libraryByHash, libraryFiles, libraryHash, type LibraryFile } from './library-registry.ts';

interface PublicationRow {
  id: number;
  file: string;
  text: string;
  inForceFrom: string | null;
}

/** The publication of a file in force on a day (day number), or undefined when none is yet. */
function inForceOn(publications: readonly PublicationRow[], day: number): PublicationRow | undefined {
  let found: PublicationRow | undefined;
  for (const p of publications) {
    if (p.inForceFrom !== null && parseIsoDay(p.inForceFrom)! > day) continue;
    if (!found || p.id > found.id) found = p;
  }
  return found;
}

/** The library hash a run of this period pins (actor: who starts the run, for the audit of a composed library). */
export async function libraryHashForPeriod(orm: Orm, clock: Clock, actor: string, period: Period): Promise<string> {
  const latest = await latestLibraryHash(orm);
  const rows = await orm
    .select({ id: policyPublications.id, file: policyPublications.file, text: policyPublications.text, inForceFrom: policyPublications.inForceFrom })
    .from(policyPublications)
    .orderBy(asc(policyPublications.id));
  if (rows.length === 0) return latest;
  const files = (await libraryFiles(orm, latest)) ?? [];
  const library = await libraryByHash(orm, latest);
  const byFile = new Map<string, PublicationRow[]>();
  for (const r of rows) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const composed: LibraryFile[] = [];
  const replaced: { file: string; publication: number | null }[] = [];
  for (const f of files) {
    const timeline = byFile.get(f.file);
    if (!timeline) {
      composed.push(f);
      continue;
    }
    const points = library.points.filter((p) => p.loc.file === f.file);
    const day = points.length > 0 && points.every((p) => p.valuesOn === 'period-end') ? period.end : period.start;
    const current = inForceOn(timeline, day);
    if (current?.text === f.text) composed.push(f);
    else {
      if (current) composed.push({ file: f.file, text: current.text });
      replaced.push({ file: f.file, publication: current?.id ?? null });
    }
  }
  if (replaced.length === 0) return latest;
  const hash = libraryHash(composed);
  const [stored] = await orm.select({ hash: policyLibraries.hash }).from(policyLibraries).where(eq(policyLibraries.hash, hash));
  if (stored) return hash;
  const points = buildLibrary(composed).points.length;
  await orm.transaction(async (tx) => {
    const inserted = await tx.insert(policyLibraries).values({ hash, files: composed, publishedAt: clock.now(), publishedBy: actor, composed: true }).onConflictDoNothing().returning({ hash: policyLibraries.hash });
    if (inserted.length === 0) return;
    await appendAudit(tx, clock, { actor, action: 'policy.library-composed', entityType: 'policy_library', entityId: hash, payload: { period: period.text, base: latest, replaced, points } });
  });
  return hash;
}
