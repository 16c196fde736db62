// Streaming readers for feed files: CSV (RFC 4180, header row) and JSON Lines, both UTF-8 with an
// optional BOM and LF or CRLF line ends. They yield one record at a time numbered by its physical line
// in the file (a quoted field spanning lines: its first line), so bad rows can be named. A row that
// cannot be read is yielded as an error and affects nothing else; the reader resynchronises at the next
// line end outside quotes. Only a quote left open to the end of the file stops the file, since
// everything after it would be one field.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { AppError } from '../errors.ts';

export type RawRecord = Record<string, string | number | boolean | null | undefined>;

export interface NumberedRecord {
  rowNo: number;
  record: RawRecord | null;
  /** Set when the line itself could not be read (bad JSON, wrong field count, bad quoting). */
  error?: string;
  /** What could be read of an unreadable CSV row (fields before the problem), e.g. to know whose row it was. */
  partial?: RawRecord;
}

/** The header row of a CSV file (row 1), yielded before its records. */
export interface HeaderItem {
  rowNo: number;
  header: string[];
}

export type FeedItem = NumberedRecord | HeaderItem;

export const isHeader = (item: FeedItem): item is HeaderItem => 'header' in item;

export type FeedFormat = 'csv' | 'jsonl';

export function formatOf(path: string): FeedFormat {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  throw new AppError('FEED_UNREADABLE', `${path}: unknown feed format; name the file .csv or .jsonl`);
}

const BOM = '\uFEFF';

/** Decoded text chunks with a leading BOM removed. Bytes that are not UTF-8 become U+FFFD (the validator rejects them). */
async function* textChunks(input: NodeJS.ReadableStream): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let first = true;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && text.length > 0) {
      if (text.startsWith(BOM)) text = text.slice(1);
      first = false;
    }
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

interface CsvRow {
  line: number;
  fields: string[] | null;
  error?: string;
  /** Fields read before an error. */
  before?: string[];
}

/**
 * Splits CSV text into rows of fields. Unquoted fields are taken as they are; a quoted field may hold
 * commas, doubled quotes and line breaks. A quote inside an unquoted field, or text after a closing
 * quote, makes that row unreadable; reading resumes after the end of its line.
 */
async function* csvRows(input: NodeJS.ReadableStream, fileName: string): AsyncGenerator<CsvRow> {
  let buf = '';
  let pos = 0;
  let line = 1; // physical line of buf[pos]
  let eof = false;
  const chunks = textChunks(input);

  const more = async (): Promise<boolean> => {
    const next = await chunks.next();
    if (next.done) {
      eof = true;
      return false;
    }
    buf = pos > 0 ? buf.slice(pos) + next.value : buf + next.value;
    pos = 0;
    return true;
  };

  for (;;) {
    if (pos >= buf.length && !(await more())) return;
    const start = line;
    let nl = buf.indexOf('\n', pos);
    while (nl === -1 && !eof) {
      if (!(await more())) break;
      nl = buf.indexOf('\n', pos);
    }
    const lineEnd = nl === -1 ? buf.length : nl;
    const quote = buf.indexOf('"', pos);
    if (quote === -1 || quote > lineEnd) {
      // The common case: no quotes on this line.
      let text = buf.slice(pos, lineEnd);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      pos = lineEnd + 1;
      line++;
      if (text === '') continue;
      yield { line: start, fields: text.split(',') };
      continue;
    }
    // Character-level parse from pos; may need more input while inside quotes.
    const fields: string[] = [];
    let field = '';
    let i = pos;
    let lines = 0;
    let error: string | undefined;
    let quoted = false; // the current field started with a quote
    let inQuotes = false;
    let afterQuote = false;
    for (;;) {
      if (i >= buf.length) {
        if (!eof) {
          const offset = i - pos;
          if (await more()) {
            i = pos + offset;
            continue;
          }
        }
        if (inQuotes) {
          throw new AppError('FEED_UNREADABLE', `${fileName}: line ${start}: a quoted field opened here is never closed, so the rest of the file cannot be read; close the quote (write a quote inside a field as "") and import the file again. Nothing was imported.`, { line: start });
        }
        break; // end of file ends the row
      }
      const ch = buf[i]!;
      if (inQuotes) {
        if (ch === '"') {
          if (i + 1 >= buf.length && !eof) {
            const offset = i - pos;
            if (await more()) {
              i = pos + offset;
              continue;
            }
          }
          if (buf[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          inQuotes = false;
          afterQuote = true;
          i++;
          continue;
        }
        if (ch === '\n') lines++;
        field += ch;
        i++;
        continue;
      }
      if (ch === ',') {
        fields.push(field);
        field = '';
        quoted = false;
        afterQuote = false;
        i++;
        continue;
      }
      if (ch === '\n') break;
      if (ch === '\r' && (buf[i + 1] === '\n' || (i + 1 >= buf.length && eof))) {
        i++;
        continue;
      }
      if (afterQuote) {
        if (ch === ' ' || ch === '\t') {
          i++;
          continue;
        }
        error = `text after the closing quote of field ${fields.length + 1}; a quote inside a quoted field is written as ""`;
        break;
      }
      if (ch === '"') {
        if (field.trim() === '' && !quoted) {
          quoted = true;
          inQuotes = true;
          field = '';
          i++;
          continue;
        }
        error = `a quote inside unquoted field ${fields.length + 1}; quote the whole field and double the quote ("a""b")`;
        break;
      }
      field += ch;
      i++;
    }
    if (error) {
      // Resynchronise: skip to the end of this physical line.
      let skip = buf.indexOf('\n', i);
      while (skip === -1 && !eof) {
        const offset = i - pos;
        if (!(await more())) break;
        i = pos + offset;
        skip = buf.indexOf('\n', i);
      }
      pos = skip === -1 ? buf.length : skip + 1;
      line = start + lines + 1;
      const span = lines > 0 ? ` (an unclosed quote made lines ${start}-${start + lines} one row; all of them are rejected)` : '';
      yield { line: start, fields: null, error: `${error}${span}`, before: fields };
      continue;
    }
    fields.push(field);
    pos = i + 1;
    line = start + lines + 1;
    yield { line: start, fields };
  }
}

function partialRecord(header: readonly string[], fields: readonly string[]): RawRecord {
  const record: RawRecord = {};
  for (let k = 0; k < Math.min(header.length, fields.length); k++) record[header[k]!] = fields[k]!.trim();
  return record;
}

/** CSV: row 1 is the header, so the first data row is row 2 (as a spreadsheet shows it). */
async function* readCsv(input: NodeJS.ReadableStream, fileName: string): AsyncGenerator<FeedItem> {
  let header: string[] | null = null;
  for await (const row of csvRows(input, fileName)) {
    if (header === null) {
      if (!row.fields) {
        throw new AppError('FEED_HEADER_INVALID', `${fileName}: line ${row.line}: the header row cannot be read (${row.error}); fix it and import the file again. Nothing was imported.`, { line: row.line });
      }
      header = row.fields.map((h) => h.trim());
      yield { rowNo: row.line, header };
      continue;
    }
    if (!row.fields) {
      yield { rowNo: row.line, record: null, error: row.error, partial: partialRecord(header, row.before ?? []) };
      continue;
    }
    const fields = row.fields;
    // A row of nothing but separators (spreadsheets write them below the data) carries no data.
    if (fields.every((f) => f.trim() === '')) continue;
    if (fields.length !== header.length) {
      yield { rowNo: row.line, record: null, error: `wrong number of columns for the header: ${fields.length} fields, the header has ${header.length}`, partial: partialRecord(header, fields) };
      continue;
    }
    const record: RawRecord = {};
    for (let k = 0; k < header.length; k++) record[header[k]!] = fields[k]!.trim();
    yield { rowNo: row.line, record };
  }
  if (header === null) throw new AppError('FEED_HEADER_INVALID', `${fileName}: the file is empty; a feed file starts with a header row naming its columns. Nothing was imported.`);
}

async function* readJsonl(input: NodeJS.ReadableStream): AsyncGenerator<FeedItem> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let rowNo = 0;
  for await (let line of lines) {
    rowNo++;
    if (rowNo === 1 && line.startsWith(BOM)) line = line.slice(1);
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        yield { rowNo, record: null, error: 'a line must be one JSON object' };
      } else {
        yield { rowNo, record: value as RawRecord };
      }
    } catch (error) {
      yield { rowNo, record: null, error: `not valid JSON: ${(error as Error).message}` };
    }
  }
}

/** A feed's items: for CSV the header first, then the records. */
function readFeedItems(input: NodeJS.ReadableStream, format: FeedFormat, fileName = 'feed'): AsyncGenerator<FeedItem> {
  return format === 'csv' ? readCsv(input, fileName) : readJsonl(input);
}

/** The records only (the header is checked by the importer). */
async function* readFeedStream(input: NodeJS.ReadableStream, format: FeedFormat, fileName = 'feed'): AsyncGenerator<NumberedRecord> {
  for await (const item of readFeedItems(input, format, fileName)) if (!isHeader(item)) yield item;
}

export function readFeedFile(path: string): AsyncGenerator<NumberedRecord> {
  return readFeedStream(createReadStream(path), formatOf(path), path);
}

export function readFeedFileItems(path: string): AsyncGenerator<FeedItem> {
  return readFeedItems(createReadStream(path), formatOf(path), path);
}
