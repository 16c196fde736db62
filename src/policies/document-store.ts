// 文本库 and the library catalogue: documents with their number, issuer, level, sources and stored text,
// and the points they hold with each rule's quoted words; filtered by the tag taxonomy and searched by
// text. Reads the latest published library, so what staff see is what matching uses.
import { and, desc, eq } from 'drizzle-orm';
import type { Orm } from '../db/clients.ts';
import { policyDocuments, policyDocumentTexts } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import type { PointModel, Quote } from '../rules/lang/model.ts';
import { latestLibraryHash, libraryByHash } from './library-registry.ts';
import { TAG_DIMENSIONS, type TagDimension } from './taxonomy.ts';

export interface CatalogueFilter {
  level?: string;
  /** dimension → value; a point matches when it carries the value on that dimension. */
  tags?: Partial<Record<TagDimension, string>>;
  /** Words searched in the document's number and title and the points' names. */
  q?: string;
}

const quoteView = (q: Quote | null) => (q ? { text: q.text, source: q.source.key, url: q.source.url, grade: q.source.grade, secondary: q.source.grade !== 'S' } : null);

/** The rule as the author wrote it (the policy file's own text of `when` / `expr`). */
function ruleText(p: PointModel, key: 'conditions' | 'exceptions', j: number): string | null {
  const source = (p.canonical as { point?: Record<string, unknown> }).point?.[key];
  const item = Array.isArray(source) ? (source[j] as { when?: unknown } | undefined) : undefined;
  return typeof item?.when === 'string' ? item.when : null;
}

function amountText(p: PointModel): string | null {
  const amount = (p.canonical as { point?: { amount?: { expr?: unknown } } }).point?.amount;
  return typeof amount?.expr === 'string' ? amount.expr : amount ? '决策表（见政策文件）' : null;
}

function pointView(p: PointModel) {
  return {
    id: p.id,
    name: p.name,
    subject: p.subject,
    tags: p.tags,
    delivery: p.delivery,
    ask: p.ask,
    effective: { from: p.effective.fromText, to: p.effective.toText },
    citation: p.citation,
    conditions: p.conditions.map((c, j) => ({ id: c.id, label: c.label, cite: c.cite, rule: ruleText(p, 'conditions', j), quote: quoteView(c.quote) })),
    exceptions: p.exceptions.map((c, j) => ({ id: c.id, label: c.label, cite: c.cite, rule: ruleText(p, 'exceptions', j), quote: quoteView(c.quote) })),
    amount: { rule: amountText(p), rounding: p.amount.rounding, cite: p.amount.cite, quote: quoteView(p.amount.quote) },
    tests: p.tests.map((t) => ({ name: t.name, kind: t.kind, period: t.period, outcome: t.expect.outcome })),
  };
}

function matches(p: PointModel, f: CatalogueFilter): boolean {
  for (const dim of TAG_DIMENSIONS) {
    const want = f.tags?.[dim];
    if (want !== undefined && !(p.tags[dim] ?? []).includes(want)) return false;
  }
  return true;
}

function words(q: string | undefined): string[] {
  return (q ?? '').trim().split(/\s+/u).filter(Boolean);
}

/** The documents of the published library with their points, filtered; counts by level for the console. */
export async function catalogue(orm: Orm, filter: CatalogueFilter = {}) {
  const library = await libraryByHash(orm, await latestLibraryHash(orm));
  const terms = words(filter.q);
  const documents = library.documents
    .filter((d) => filter.level === undefined || d.level === filter.level)
    .map((d) => {
      const points = library.points.filter((p) => p.document.id === d.id && matches(p, filter));
      const hay = [d.docNumber, d.title, d.issuer, ...points.map((p) => p.name)].join(' ');
      return { d, points, found: terms.every((t) => hay.includes(t)) };
    })
    .filter((x) => x.points.length > 0 && x.found)
    .map(({ d, points }) => ({
      id: d.id,
      docNumber: d.docNumber,
      title: d.title,
      issuer: d.issuer,
      level: d.level,
      published: d.published,
      sourceUrl: d.sourceUrl,
      sourceGrade: d.sourceGrade,
      points: points.map((p) => ({ id: p.id, name: p.name, tags: p.tags, delivery: p.delivery })),
    }));
  return { documents, pointCount: documents.reduce((n, d) => n + d.points.length, 0) };
}

/** One document: its particulars, every stored text version, and its points with each rule's quote. */
export async function documentDetail(orm: Orm, id: string) {
  const [row] = await orm.select().from(policyDocuments).where(eq(policyDocuments.id, id));
  if (!row) throw new AppError('POLICY_NOT_FOUND', `No policy document '${id}' has been published; check the id in the library list.`);
  const texts = await orm
    .select({ sha256: policyDocumentTexts.sha256, libraryHash: policyDocumentTexts.libraryHash, publishedAt: policyDocumentTexts.publishedAt })
    .from(policyDocumentTexts)
    .where(eq(policyDocumentTexts.documentId, id))
    .orderBy(desc(policyDocumentTexts.publishedAt));
  const [current] = row.textSha256 ? await orm.select({ text: policyDocumentTexts.text }).from(policyDocumentTexts).where(and(eq(policyDocumentTexts.documentId, id), eq(policyDocumentTexts.sha256, row.textSha256))) : [];
  const library = await libraryByHash(orm, await latestLibraryHash(orm));
  return {
    id: row.id,
    docNumber: row.docNumber,
    title: row.title,
    issuer: row.issuer,
    level: row.level,
    published: row.published,
    sourceUrl: row.sourceUrl,
    sourceGrade: row.sourceGrade,
    sources: row.sources,
    text: current?.text ?? null,
    textVersions: texts.map((t) => ({ sha256: t.sha256, libraryHash: t.libraryHash, publishedAt: t.publishedAt.toISOString() })),
    points: library.points.filter((p) => p.document.id === id).map(pointView),
  };
}
