// Writes generated feeds to files, one pass per feed with flat memory: CSV (header row, UTF-8, RFC 4180
// quoting where needed) or JSON Lines (one object per line; 是/否 as JSON booleans, whole numbers as
// numbers, empty cells as null, amounts kept as "12345.67" strings so they stay exact).
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { feedMapping, type FeedMapping } from '../feeds/mappings.ts';
import { contextOf, type Context, type PopulationOptions } from './context.ts';
import { feedHeader, feedRows, GENERATED_FEEDS, type FeedProgress, type Row } from './feeds.ts';
import { AppError } from '../errors.ts';

export type FileFormat = 'csv' | 'jsonl';

function csvCell(value: string): string {
  return value.includes(',') || value.includes('"') || value.includes('\n') || value.includes('\r') ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(row: readonly string[]): string {
  let line = csvCell(row[0]!);
  for (let k = 1; k < row.length; k++) line += `,${csvCell(row[k]!)}`;
  return `${line}\n`;
}

/** A JSON Lines encoder for one feed: values typed by the column's declared type. */
export function jsonlEncoder(mapping: FeedMapping): (row: Row) => string {
  const header = feedHeader(mapping);
  const kinds = header.map((column) => mapping.columns.find((c) => c.column === column)?.type.kind ?? 'text');
  const keys = header.map((h) => JSON.stringify(h));
  return (row) => {
    let out = '{';
    for (let k = 0; k < header.length; k++) {
      const value = row[k]!;
      let json: string;
      if (value === '') json = 'null';
      else if (kinds[k] === 'bool' && (value === '是' || value === '否')) json = value === '是' ? 'true' : 'false';
      else if (kinds[k] === 'int' && /^\d{1,15}$/.test(value)) json = value;
      else json = JSON.stringify(value);
      out += `${k === 0 ? '' : ','}${keys[k]}:${json}`;
    }
    return `${out}}\n`;
  };
}

/** File name for a feed: period feeds carry their data year, e.g. hrss-ui-annual-2023.csv. */
function feedFileName(mapping: FeedMapping, dataYear: number, format: FileFormat): string {
  return `${mapping.id}${mapping.period.kind === 'current' ? '' : `-${dataYear}`}.${format}`;
}

export interface WrittenFeed {
  feedId: string;
  path: string;
  format: FileFormat;
  rows: number;
  dirtyRows: number;
  bytes: number;
}

/** Writes one feed file in one streaming pass; returns what it wrote. */
export async function writeFeedFile(path: string, feedId: string, options: PopulationOptions | Context, format: FileFormat, onProgress?: (p: FeedProgress) => void): Promise<WrittenFeed> {
  const mapping = feedMapping(feedId);
  if (!mapping) throw new AppError('ARGUMENT_INVALID', `unknown feed "${feedId}"`);
  const encode = format === 'csv' ? csvLine : jsonlEncoder(mapping);
  const stream = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => {});
  let chunk = format === 'csv' ? csvLine(feedHeader(mapping)) : '';
  let bytes = 0;
  let rows = 0;
  let dirtyRows = 0;
  const flush = async () => {
    const data = chunk;
    bytes += Buffer.byteLength(data, 'utf8');
    chunk = '';
    if (!stream.write(data, 'utf8')) await Promise.race([new Promise<void>((resolve) => stream.once('drain', () => resolve())), failed]);
  };
  for (const { row, dirty } of feedRows(feedId, options, onProgress)) {
    chunk += encode(row);
    rows++;
    if (dirty) dirtyRows++;
    if (chunk.length >= 1 << 16) await flush();
  }
  await flush();
  await Promise.race([new Promise<void>((resolve) => stream.end(() => resolve())), failed]);
  return { feedId, path, format, rows, dirtyRows, bytes };
}

export interface WriteOptions extends PopulationOptions {
  /** Feeds to write (default: all); enterprise and person feeds alike. */
  feeds?: readonly string[];
  /** Per-feed format; default CSV except credit-status, which 信用中国 sends as JSON Lines. */
  formats?: Readonly<Record<string, FileFormat>>;
}

export const DEFAULT_FORMATS: Readonly<Record<string, FileFormat>> = { 'credit-status': 'jsonl' };

/**
 * Writes every requested feed into `dir`, registries first (samr-registry, police-population), so the
 * files can be imported in the order returned.
 */
export async function writeFeedFiles(dir: string, options: WriteOptions, onProgress?: (p: FeedProgress) => void): Promise<WrittenFeed[]> {
  const ctx = contextOf(options);
  const feeds = options.feeds ?? GENERATED_FEEDS;
  for (const id of feeds) if (!GENERATED_FEEDS.includes(id)) throw new AppError('ARGUMENT_INVALID', `no generator for feed "${id}"`);
  const ordered = [...feeds].sort((a, b) => Number(!feedMapping(a)!.registers) - Number(!feedMapping(b)!.registers));
  await mkdir(dir, { recursive: true });
  const written: WrittenFeed[] = [];
  for (const feedId of ordered) {
    const mapping = feedMapping(feedId)!;
    const format = options.formats?.[feedId] ?? DEFAULT_FORMATS[feedId] ?? 'csv';
    written.push(await writeFeedFile(join(dir, feedFileName(mapping, ctx.dataYear, format)), feedId, ctx, format, onProgress));
  }
  return written;
}
