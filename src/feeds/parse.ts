// Streaming readers for feed files: CSV (RFC 4180, header row, optional UTF-8 BOM) and JSON Lines.
// They yield one record at a time with its row number in the file, so bad rows can be named.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';

export type RawRecord = Record<string, string | number | boolean | null | undefined>;

export interface NumberedRecord {
  rowNo: number;
  record: RawRecord | null;
  /** Set when the line itself could not be read (bad JSON, wrong column count). */
  error?: string;
}

export type FeedFormat = 'csv' | 'jsonl';

export function formatOf(path: string): FeedFormat {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  throw new RangeError(`${path}: unknown feed format; name the file .csv or .jsonl`);
}

/** CSV: row 1 is the header, so the first data row is row 2 (as a spreadsheet shows it). */
async function* readCsv(input: NodeJS.ReadableStream): AsyncGenerator<NumberedRecord> {
  const parser = input.pipe(
    parse({ columns: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true, info: true }),
  );
  for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number; invalid_field_length: number } }>) {
    const rowNo = item.info.lines;
    if (item.info.invalid_field_length > 0) {
      yield { rowNo, record: null, error: 'wrong number of columns for the header' };
      continue;
    }
    yield { rowNo, record: item.record };
  }
}

async function* readJsonl(input: NodeJS.ReadableStream): AsyncGenerator<NumberedRecord> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let rowNo = 0;
  for await (const line of lines) {
    rowNo++;
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

export function readFeedStream(input: NodeJS.ReadableStream, format: FeedFormat): AsyncGenerator<NumberedRecord> {
  return format === 'csv' ? readCsv(input) : readJsonl(input);
}

export function readFeedFile(path: string): AsyncGenerator<NumberedRecord> {
  return readFeedStream(createReadStream(path), formatOf(path));
}
