// Feed import: stream a file (or generated records) through its declared mapping, keep every valid
// row, report every bad one (row, field, masked value, reason) to a rejects file and a table, and
// record the facts append-only. On real PostgreSQL rows go in by COPY into a staging table; on the
// embedded database, which has no COPY FROM STDIN, by batched INSERT. The apply step is set-based SQL.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type postgres from 'postgres';
import { appendAuditSql } from '../audit/audit-trail.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { AppError } from '../errors.ts';
import { actorRef, authorize, type Actor } from '../identity/permissions.ts';
import {
  analyzeStaging,
  createStaging,
  finishImport,
  groupRowsPerPeriod,
  importedBefore,
  importedFileId,
  insertImport,
  insertRejects,
  insertStagingRows,
  lockFacts,
  openStagingCopy,
  registerSubjects,
  rejectInFile,
  retractUnlisted,
  stagedRows,
  unchangedGroupedRows,
  writeChangedFacts,
  type StagingRow,
} from './import-repository.ts';
import { encryptField, personKeyOf, protectIdNumber } from '../subjects/personal-data.ts';
import { feedMapping, type FeedMapping } from './mappings.ts';
import { formatOf, isHeader, readFeedFileItems, type FeedItem, type NumberedRecord } from './parse.ts';
import { checkHeader, checkKeys, printable, unknownKeyWarning, validateRecord, type Rejection, type ValidRow } from './validate.ts';

export interface ImportRequest {
  feedId: string;
  /** A feed file (.csv or .jsonl), or records produced in process (e.g. by the population generator). */
  input: { path: string } | { name: string; records: AsyncIterable<NumberedRecord> | Iterable<NumberedRecord> };
  asOf: string;
  /** Who imports: needs feed.import (an administrator, or the system account for scheduled feeds). */
  actor: Actor;
  /** Where rejects files are written. */
  rejectsDir: string;
  /** All-or-nothing for this import (a feed's mapping may also declare it). */
  atomic?: boolean;
  /** Refuse the file when it has a column (CSV) or key (JSON Lines) the mapping does not know. */
  strict?: boolean;
}

export interface ImportResult {
  importId: number | null;
  feedId: string;
  fileName: string;
  fileHash: string;
  duplicate: boolean;
  status: 'imported' | 'rejected' | 'duplicate';
  rowsTotal: number;
  rowsAccepted: number;
  rowsUnchanged: number;
  rowsRejected: number;
  rowsRetracted: number;
  rejectsFile: string | null;
  /** The first rejections, for a summary; all of them are in the rejects file and table. */
  rejections: Rejection[];
  /** What was accepted but ignored (unknown columns or keys); also in the rejects file and the audit entry. */
  warnings: Rejection[];
}

const STAGING_BATCH = 1000;

async function fileHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) || text === '' ? `"${text.replace(/"/g, '""')}"` : text;
}

function stagingLine(row: ValidRow, rowNo: number): string {
  return `${row.subjectKey},${row.period},${rowNo},${csvField(JSON.stringify(row.facts))},${csvField(row.name ?? null)},${csvField(row.regionCode ?? null)},"${row.part ?? ''}",${row.effectiveDate ?? ''},${row.idEnc ?? ''},${row.idMasked ?? ''}\n`;
}

/** The key a row's subject is recorded under: a person's 公民身份号码 becomes its person key. */
function recordedKey(mapping: FeedMapping, key: string): string {
  return mapping.subject === 'person' ? personKeyOf(key) : key;
}

/**
 * The import edge of personal data: after validation and before anything is written, a person row's
 * 公民身份号码 becomes its person key (kept SM4-encrypted and masked beside it), and every bank account
 * fact becomes its SM4-encrypted form. Nothing downstream (staging, facts, lists, logs) sees either.
 */
function protectRow(mapping: FeedMapping, row: ValidRow): ValidRow {
  const out: ValidRow = { ...row, facts: { ...row.facts } };
  if (mapping.subject === 'person') {
    const id = protectIdNumber(row.subjectKey);
    out.subjectKey = id.personKey;
    out.idEnc = id.idEnc;
    out.idMasked = id.idMasked;
  }
  for (const column of mapping.columns) {
    const value = column.encrypted && column.fact ? out.facts[column.fact] : undefined;
    if (typeof value === 'string' && value !== '') out.facts[column.fact as string] = encryptField(value);
  }
  return out;
}


/** The error report: header problems and warnings (row 1) first, then every rejected row. */
function rejectsCsv(rejections: readonly Rejection[]): string {
  const lines = ['row_no,field,value,reason'];
  for (const r of rejections) lines.push([r.rowNo, csvField(printable(r.field)), csvField(printable(r.value)), csvField(printable(r.reason))].join(','));
  return `${lines.join('\n')}\n`;
}

async function writeReport(dir: string, name: string, entries: readonly Rejection[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, rejectsCsv(entries));
  return path;
}

/** Writes staged rows either by COPY (real PostgreSQL) or by batched INSERT (embedded). */
function stagingWriter(tx: postgres.TransactionSql, copy: Writable | null) {
  let batch: StagingRow[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await insertStagingRows(tx, rows);
  };
  // COPY data goes out in chunks of about 64 KB: one CopyData message per row costs more than the row.
  let chunk = '';
  const flushChunk = async () => {
    if (!copy || chunk === '') return;
    const data = chunk;
    chunk = '';
    if (!copy.write(data)) await new Promise((resolve) => copy.once('drain', resolve));
  };
  return {
    async write(row: ValidRow, rowNo: number) {
      if (copy) {
        chunk += stagingLine(row, rowNo);
        if (chunk.length >= 1 << 16) await flushChunk();
        return;
      }
      // Sent as json, not text: a text parameter would be stored as one JSON string.
      batch.push({ subject_key: row.subjectKey, period: row.period, row_no: rowNo, facts: tx.json(row.facts), name: row.name ?? null, region_code: row.regionCode ?? null, part: row.part ?? '', valid_from: row.effectiveDate ?? null, id_enc: row.idEnc ?? null, id_masked: row.idMasked ?? null });
      if (batch.length >= STAGING_BATCH) await flush();
    },
    async end() {
      if (copy) {
        await flushChunk();
        await new Promise<void>((resolve, reject) => {
          copy.once('error', reject);
          copy.end(() => resolve());
        });
        // postgres.js resolves the COPY when the server acknowledges; 'finish' fires after that.
        await new Promise<void>((resolve) => (copy.writableFinished ? resolve() : copy.once('finish', () => resolve())));
      } else await flush();
    },
    /** Leaves COPY on an error (CopyFail), so the transaction rolls back and the connection stays usable. */
    abort(error: unknown) {
      if (!copy || copy.destroyed) return;
      copy.on('error', () => {});
      copy.destroy(error instanceof Error ? error : new Error(String(error)));
    },
  };
}

export async function importFeed(db: Database, clock: Clock, request: ImportRequest): Promise<ImportResult> {
  authorize(request.actor, 'feed.import');
  const mapping = feedMapping(request.feedId);
  if (!mapping) throw new AppError('FEED_UNKNOWN', `Unknown feed "${request.feedId}"; the declared feeds are listed in src/feeds/mappings.ts and the README.`);
  const atomic = request.atomic ?? mapping.atomic ?? false;
  const fileName = 'path' in request.input ? request.input.path : request.input.name;
  if ('path' in request.input) formatOf(request.input.path); // an unknown extension fails before any work

  // A file already imported for this feed changes nothing.
  const knownHash = 'path' in request.input ? await fileHash(request.input.path) : null;
  if (knownHash) {
    const existing = await importedFileId(db.sql, mapping.id, knownHash);
    if (existing !== undefined) return emptyResult(mapping, fileName, knownHash, existing);
  }

  const items: AsyncIterator<FeedItem> = 'path' in request.input ? readFeedFileItems(request.input.path) : toIterator(request.input.records);
  try {
    return await importItems(db, clock, request, mapping, items, { atomic, fileName, knownHash });
  } finally {
    // Closes the file at once when the import stops early (a refused header, an unreadable file).
    await items.return?.(undefined);
  }
}

async function importItems(
  db: Database,
  clock: Clock,
  request: ImportRequest,
  mapping: FeedMapping,
  items: AsyncIterator<FeedItem>,
  { atomic, fileName, knownHash }: { atomic: boolean; fileName: string; knownHash: string | null },
): Promise<ImportResult> {
  const warnings: Rejection[] = [];
  // A CSV header is checked before anything is written: a file whose columns are not the mapping's is refused whole.
  let first = await items.next();
  let keyed = true; // records whose keys are checked one by one (JSON Lines, in-process records)
  if (!first.done && isHeader(first.value)) {
    keyed = false;
    const check = checkHeader(mapping, first.value.header, first.value.rowNo);
    const refuse = check.problems.length > 0 || (request.strict === true && check.unknown.length > 0);
    if (refuse) {
      const entries = [...check.problems, ...check.unknown];
      const report = await writeReport(request.rejectsDir, `refused-${mapping.id}-${(knownHash ?? 'records').slice(0, 12)}.rejects.csv`, entries);
      const named = check.problems.length > 0 ? check.problems : check.unknown;
      throw new AppError(
        check.problems.length > 0 ? 'FEED_HEADER_INVALID' : 'FEED_UNKNOWN_COLUMN',
        `${fileName}: the header does not match feed ${mapping.id}: ${named.map((p) => p.reason.replace(/^warning: /, '')).join(' | ')}${check.problems.length === 0 ? ' (refused because the import is strict)' : ''}. Fix the header and import the file again; nothing was imported. Report: ${report}`,
        { feed: mapping.id, fileName, columns: named.map((p) => p.field), rejectsFile: report },
      );
    }
    warnings.push(...check.unknown);
    first = await items.next();
  }

  const rowHash = createHash('sha256');
  const rejections: Rejection[] = [];
  const rejectedKeys = new Set<string>();
  const unknownKeys = new Set<string>();
  const options = { asOf: request.asOf };
  let rowsTotal = 0;

  const result = await db.sql.begin(async (tx) => {
    await createStaging(tx);
    const copy = db.embedded ? null : await openStagingCopy(tx);
    const staging = stagingWriter(tx, copy);
    try {
      for (let next = first; !next.done; next = await items.next()) {
        const item = next.value;
        if (isHeader(item)) continue;
        rowsTotal++;
        if (!knownHash) rowHash.update(`${item.rowNo}\t${JSON.stringify(item.record)}\n`);
        if (item.record === null) {
          rejections.push({ rowNo: item.rowNo, field: '(row)', value: '', reason: item.error ?? 'unreadable row' });
          // A full feed must not retract a subject because its row could not be read.
          const key = String(item.partial?.[mapping.keyColumn] ?? '').trim().toUpperCase();
          if (key) rejectedKeys.add(recordedKey(mapping, key));
          continue;
        }
        const keyProblems = keyed ? checkKeys(mapping, item.rowNo, item.record) : null;
        if (keyProblems) {
          for (const key of keyProblems.unknown) {
            if (unknownKeys.has(key)) continue;
            unknownKeys.add(key);
            const warning = unknownKeyWarning(mapping, item.rowNo, key);
            if (request.strict) {
              throw new AppError('FEED_UNKNOWN_COLUMN', `${fileName}: row ${item.rowNo}: ${warning.reason.replace(/^warning: /, '').replace(' is ignored', '')} (refused because the import is strict). Remove the key or import without strict; nothing was imported.`, { feed: mapping.id, fileName, columns: [key], row: item.rowNo });
            }
            warnings.push(warning);
          }
        }
        const checked = validateRecord(mapping, item.rowNo, item.record, options);
        let rowRejections = 'rejections' in checked ? checked.rejections : [];
        if (keyProblems && keyProblems.rejections.length > 0) {
          const missing = new Set(keyProblems.rejections.map((r) => r.field));
          rowRejections = [...keyProblems.rejections, ...rowRejections.filter((r) => !missing.has(r.field))];
        }
        if (rowRejections.length > 0) {
          rejections.push(...rowRejections);
          const key = String(item.record[mapping.keyColumn] ?? '').trim().toUpperCase();
          if (key) rejectedKeys.add(recordedKey(mapping, key));
          continue;
        }
        await staging.write(protectRow(mapping, (checked as { row: ValidRow }).row), item.rowNo);
      }
      await staging.end();
    } catch (error) {
      staging.abort(error);
      throw error;
    }
    // A temp table has no statistics until analysed; without them the joins below plan as if it were tiny.
    await analyzeStaging(tx);
    const hash = knownHash ?? rowHash.digest('hex');

    // Imports and snapshots take the same lock, so a snapshot's watermark never falls between them.
    await lockFacts(tx);
    if (!knownHash) {
      const existing = await importedFileId(tx, mapping.id, hash);
      if (existing !== undefined) return { duplicateOf: existing, hash };
    }

    const sqlRejections = await rejectInFile(tx, mapping);
    rejections.push(...sqlRejections);
    rejections.sort((a, b) => a.rowNo - b.rowNo);
    const rejectedRows = new Set(rejections.map((r) => r.rowNo)).size;
    const status = atomic && rejectedRows > 0 ? ('rejected' as const) : ('imported' as const);

    const importId = await insertImport(tx, { source: mapping.id, department: mapping.department, status, fileName, fileHash: hash, asOf: request.asOf, rowsTotal, rowsRejected: rejectedRows, actor: actorRef(request.actor), at: clock.now() });

    let rowsAccepted = 0;
    let rowsUnchanged = 0;
    let rowsRetracted = 0;
    if (status === 'imported') {
      // Has this feed been imported before? (fact_imports is small; fact_records has no index on source.)
      const earlier = await importedBefore(tx, mapping.id, importId);
      if (mapping.registers) await registerSubjects(tx, mapping, clock.now(), earlier);
      const staged = await stagedRows(tx);
      rowsAccepted = staged;
      const grouped = mapping.rowsPerPeriod ? await groupRowsPerPeriod(tx, mapping.rowsPerPeriod.fact) : 0;
      const written = await writeChangedFacts(tx, mapping, importId, request.asOf, earlier);
      rowsUnchanged = staged - grouped - written;
      if (grouped > 0) rowsUnchanged += await unchangedGroupedRows(tx, mapping.id, importId);
      // Nothing to retract from a feed's first import.
      if (mapping.mode === 'full' && earlier) rowsRetracted = await retractUnlisted(tx, mapping, importId, request.asOf, [...rejectedKeys]);
    }

    let rejectsFile: string | null = null;
    if (rejections.length > 0 || warnings.length > 0) {
      for (let i = 0; i < rejections.length; i += 1000) {
        const chunk = rejections.slice(i, i + 1000).map((r) => ({ import_id: importId, row_no: r.rowNo, field: printable(r.field), value: printable(r.value), reason: printable(r.reason) }));
        await insertRejects(tx, chunk);
      }
      rejectsFile = await writeReport(request.rejectsDir, `import-${importId}-${mapping.id}.rejects.csv`, [...warnings, ...rejections]);
    }
    await finishImport(tx, importId, { rowsAccepted, rowsUnchanged, rowsRetracted, rejectsFile });

    const summary = { feed: mapping.id, department: mapping.department, fileName, fileHash: hash, asOf: request.asOf, status, rowsTotal, rowsAccepted, rowsUnchanged, rowsRejected: rejectedRows, rowsRetracted, warnings: warnings.map((w) => printable(w.reason)) };
    await appendAuditSql(tx, clock, { actor: actorRef(request.actor), action: status === 'imported' ? 'facts.imported' : 'facts.import-rejected', entityType: 'fact_import', entityId: String(importId), payload: summary });
    return { importId, hash, status, rowsAccepted, rowsUnchanged, rowsRetracted, rejectedRows, rejectsFile };
  });

  if (result.duplicateOf !== undefined) return emptyResult(mapping, fileName, result.hash, result.duplicateOf);
  return {
    importId: result.importId,
    feedId: mapping.id,
    fileName,
    fileHash: result.hash,
    duplicate: false,
    status: result.status,
    rowsTotal,
    rowsAccepted: result.rowsAccepted,
    rowsUnchanged: result.rowsUnchanged,
    rowsRejected: result.rejectedRows,
    rowsRetracted: result.rowsRetracted,
    rejectsFile: result.rejectsFile,
    rejections: rejections.slice(0, 100),
    warnings,
  };
}

function toIterator(records: AsyncIterable<NumberedRecord> | Iterable<NumberedRecord>): AsyncIterator<FeedItem> {
  if (Symbol.asyncIterator in records) return records[Symbol.asyncIterator]();
  const it = records[Symbol.iterator]();
  return { next: () => Promise.resolve(it.next()) };
}

function emptyResult(mapping: FeedMapping, fileName: string, fileHash: string, importId: number): ImportResult {
  return { importId, feedId: mapping.id, fileName, fileHash, duplicate: true, status: 'duplicate', rowsTotal: 0, rowsAccepted: 0, rowsUnchanged: 0, rowsRejected: 0, rowsRetracted: 0, rejectsFile: null, rejections: [], warnings: [] };
}
