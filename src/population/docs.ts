// docs/feeds.md and examples/feeds/, generated from the declared mappings (src/feeds/mappings.ts), the
// data dictionary and the population generator, so that the documentation cannot drift from the code:
// test/population/docs.test.ts compares the committed files with what this produces.
import { FACTS } from '../dictionary/facts.ts';
import { FEEDS, type ColumnMapping, type FeedMapping } from '../feeds/mappings.ts';
import type { PopulationOptions } from './context.ts';
import { dirtyKindsFor, feedHeader, feedRows, isDerivedFeed } from './feeds.ts';
import { csvLine, DEFAULT_FORMATS, jsonlEncoder, type FileFormat } from './write.ts';

/** The population the examples are cut from: big enough that every list feed has rows. */
const EXAMPLE_POPULATION: PopulationOptions = { seed: 2024, enterprises: 200_000, persons: 100_000, dataYear: 2023 };
const EXAMPLE_ROWS = 8;

export function exampleFileName(mapping: FeedMapping): string {
  return `${mapping.id}.${exampleFormat(mapping)}`;
}

function exampleFormat(mapping: FeedMapping): FileFormat {
  return DEFAULT_FORMATS[mapping.id] ?? 'csv';
}

/** The example file for a feed: its first rows in a fixed population (streaming stops after them). */
export function exampleFile(mapping: FeedMapping): string {
  const format = exampleFormat(mapping);
  const encode = format === 'csv' ? csvLine : jsonlEncoder(mapping);
  let out = format === 'csv' ? csvLine(feedHeader(mapping)) : '';
  let n = 0;
  for (const { row } of feedRows(mapping.id, EXAMPLE_POPULATION)) {
    out += encode(row);
    if (++n >= EXAMPLE_ROWS) break;
  }
  return out;
}

const UNIT_WORDS: Record<string, string> = { person: '人', month: '月', fen: '分', times: '次' };

/** The type, and the dictionary range a value must fall in (src/dictionary/facts.ts). */
function typeText(column: ColumnMapping): string {
  const fact = FACTS.find((f) => f.name === column.fact);
  const range = fact?.range;
  const within = !range ? '' : range.k === 'num' ? `; range ${range.label}` : `; range ${range.min} .. ${range.max}${range.notAfterAsOf ? ', not after the as-of date' : ''}`;
  return `${kindText(column, fact)}${within}`;
}

function kindText(column: ColumnMapping, fact: (typeof FACTS)[number] | undefined): string {
  const type = column.type;
  const unit = fact && fact.type.k === 'num' ? Object.keys(fact.type.unit).map((u) => UNIT_WORDS[u] ?? u).join('·') : '';
  switch (type.kind) {
    case 'text':
      return 'text';
    case 'int':
      return `whole number ≥ 0${unit ? ` (${unit})` : ''}`;
    case 'yuan':
      return '元 with at most 2 decimals, e.g. `12345.67` (stored as exact 分)';
    case 'bool':
      return '`是`/`否` (also true/false, 1/0, Y/N)';
    case 'date':
      return 'date `YYYY-MM-DD`';
    case 'enum':
      return `one of ${type.values.map((v) => `\`${v}\``).join(' ')}`;
    case 'account':
      return 'account number, 8 to 32 digits (spaces between groups dropped; scientific notation such as `6.22589E+18` refused), stored SM4-encrypted';
    case 'code':
      return type.list === 'region' ? 'GB/T 2260 division code, 6 digits, e.g. `440305`' : 'GB/T 4754-2017 code: section letter A-T + 2-4 digits, e.g. `C3911`';
    default:
      // Kinds added to mappings.ts after this was written: name them rather than fail.
      if ((type as { kind: string }).kind === 'uscc') return '统一社会信用代码 of another subject, 18 characters, check character verified';
      if (type.kind === 'decimal') return `number ≥ 0 with at most ${type.scale} decimals, e.g. \`37.5\`${unit ? ` (${unit})` : ''}, kept exact`;
      return (type as { kind: string }).kind;
  }
}

function factText(column: ColumnMapping, mapping: FeedMapping): string {
  if (!column.fact) return mapping.registers?.nameColumn === column.column ? 'subject name (registry)' : '—';
  const fact = FACTS.find((f) => f.name === column.fact);
  const text = fact ? `\`${fact.name}\` ${fact.zh}` : `\`${column.fact}\``;
  return column.encrypted ? `${text} (SM4-encrypted at import)` : text;
}

/** Which subjects a generated feed lists, as the department would send it. */
const LISTED: Record<string, string> = {
  'samr-registry': 'every enterprise, including 注销/吊销',
  'tax-annual': 'units that filed for the data year',
  'hrss-ui-annual': 'units with insured staff',
  'credit-status': 'every enterprise, 是/否 each',
  'bank-accounts': 'units with a basic account',
  'most-high-tech': '高新技术企业 (about 1%)',
  'miit-specialised': '专精特新, 小巨人, 单项冠军 firms',
  'culture-star-hotels': 'rated (or standard-met) hotels among H6110',
  'stats-above-scale': '规上/限上 units of the data year',
  'hrss-hires-monthly': 'units with subsidised hires, per month',
  'police-population': 'every person, including the dead and those whose 户籍 moved out',
  'civil-assistance': 'members of 低保 and 低收入 households',
  'disabled-certificates': 'holders of a disability certificate',
  'hrss-persons': 'insured persons aged 18-62',
  'hrss-sscard-accounts': 'every living person (one social-security card each)',
  'edu-talent': 'talents introduced 2019-2022',
  'csrc-listing': 'firms in the listing pipeline, on 新三板, or relocated here as listed companies',
  'hrss-hire-records': 'persons starting a job in a month of the data year, with the employer',
};

/** Feeds that have an example file: those a department sends (derived feeds are computed by the system). */
export function exampleFeeds(): FeedMapping[] {
  return FEEDS.filter((f) => !isDerivedFeed(f));
}

const KEY_TEXT = { enterprise: '统一社会信用代码 (GB 32100-2015, check characters verified)', person: '公民身份号码 (GB 11643-1999, check character and birth date verified; personal: recorded under a person key, HMAC-SM3, with the number SM4-encrypted beside it; masked in reports)' };

export function feedsMarkdown(): string {
  const lines: string[] = [
    '# Feed formats',
    '',
    '<!-- Generated by `node src/cli/feed-docs.ts` from src/feeds/mappings.ts, src/dictionary/facts.ts and the',
    '     population generator; test/population/docs.test.ts fails when this file is out of date. -->',
    '',
    'Every department sends its data as a feed file; each feed has one declared mapping (src/feeds/mappings.ts)',
    'that says which department sends it, which column identifies the subject, which period a row is for, and',
    'for every column its type, unit, whether it is required, and the data-dictionary fact it fills.',
    `There is an example file for every feed in [examples/feeds/](../examples/feeds/) (the first ${EXAMPLE_ROWS} rows of a generated`,
    'population; `npm run generate` writes whole populations in the same formats).',
    '',
    '## Common rules',
    '',
    '- **CSV**: UTF-8 (a BOM is accepted), LF or CRLF line ends, a header row with the column names below, RFC 4180',
    '  quoting. Row numbers in reports are physical line numbers, the header being row 1 as a spreadsheet shows it (a',
    '  quoted field spanning lines: its first line).',
    '- **Header**: columns may come in any order. Every column not marked *optional* below must be there: a missing,',
    '  renamed or duplicated column refuses the whole file (error `FEED_HEADER_INVALID` naming the column and listing',
    '  the expected ones) before anything is written. An unknown column is ignored and reported as a warning; an',
    '  import run with `strict: true` refuses the file for it (`FEED_UNKNOWN_COLUMN`).',
    '- **Unreadable rows** affect only themselves: a row with the wrong number of fields, a quote inside an unquoted',
    '  field (`a"b"c`) or text after a closing quote (`"a"b`) is rejected and reading resumes at the next line. A quote',
    '  that never closes refuses the file (`FEED_UNREADABLE`, naming the line where it opened); an import is one',
    '  transaction, so nothing is written. A cell holding a NUL byte, bytes that are not UTF-8 (e.g. a GBK file) or a',
    '  lone surrogate is rejected naming the field, never stripped. Rows of nothing but commas are skipped.',
    '- **JSON Lines** (`.jsonl`): one JSON object per line with the same keys (a BOM and CRLF are accepted); values may',
    '  be strings, numbers, booleans or null. Amounts should stay strings (`"12345.67"`) so that they are exact. Row',
    '  numbers are line numbers. A missing key of a non-optional column rejects the row (null is fine); an unknown key',
    '  is a warning, or under `strict` refuses the file.',
    '- **Ranges**: every number and date is checked against the range of the fact it fills (src/dictionary/facts.ts):',
    '  money 0 .. 10^12 元, head counts 0 .. 10^7 人, months 0 .. 1200, times 0 .. 1000, shares 0 .. 1, dates',
    '  1900-01-01 .. 2100-12-31, and birth (from the 公民身份号码) and death dates not after the import\'s as-of date.',
    '  The rejection names the field and the range.',
    '- **Decimals**: averages (e.g. `avg_insured`, the annual average of insured staff) may carry decimals; a whole',
    '  value is stored as a number, a fraction as exact decimal text (`"37.5"`), which policies read as an exact rational.',
    '- **Empty** cells (or null values, or an *optional column* left out) record the fact as absent (null) unless the',
    '  column is *required* (its cell may not be empty), in which case the row is rejected.',
    '- **Money** is in 元 with at most 2 decimals (thousands separators `,` are tolerated) and is stored as exact 分.',
    '- **Period**: `current` feeds describe the state as of the import\'s as-of date; annual feeds carry the data year',
    '  (`YYYY`) and monthly feeds the month (`YYYY-MM`) in the period column, so one file can hold several periods.',
    '- **Effective dates** (valid time): feeds with an `effective_date` column (optional) state the date a row\'s state',
    '  took effect (户籍迁出/迁入, death, a certificate\'s grade, a registration status). A fact record holds from that',
    '  date; without it, a row that changes a subject\'s earlier record of a `current` feed holds from the import\'s',
    '  as-of date, and a subject\'s first record holds for all time. A `current` full feed\'s retraction holds from the',
    '  as-of date; in annual and monthly feeds a changed or retracted value is a correction and holds for all time.',
    '  A run reads each subject as it stood on the first day of the period it matches, from its pinned snapshot.',
    '- **Mode**: a *full* file is the whole truth for its source and the periods it contains: subjects it no longer',
    '  lists have their facts retracted (history is kept). A *delta* file changes only the rows present.',
    '- **Atomic** feeds are all-or-nothing: one bad row rejects the whole file.',
    '- **Registries first**: `samr-registry` registers enterprises and `police-population` registers persons; every',
    '  other feed may only name registered subjects.',
    '- **Bad rows** are never dropped silently: each is reported with row number, field, value (masked if personal)',
    '  and reason, written to a rejects file (`row_no,field,value,reason`, beside the import summary) and kept in the',
    '  `fact_rejects` table; valid rows are imported. Warnings (unknown columns) head the same file as row 1 and are in',
    '  the import result and its audit entry; a refused file gets a `refused-<feed>-<hash>.rejects.csv` report.',
    '  Re-importing the same file changes nothing; a corrected file supersedes earlier facts without losing them.',
    '',
    '| feed | department | subject | period | mode | atomic | a generated file lists |',
    '|---|---|---|---|---|:-:|---|',
    ...FEEDS.map((f) => `| [\`${f.id}\`](#${f.id}) | ${f.department} | ${f.subject} | ${f.period.kind === 'current' ? 'current' : `${f.period.kind} (\`${f.period.column}\`)`} | ${f.mode} | ${f.atomic ? 'yes' : ''} | ${isDerivedFeed(f) ? '(derived by this system, not sent)' : (LISTED[f.id] ?? '')} |`),
    '',
  ];
  for (const mapping of FEEDS) {
    lines.push(`## ${mapping.id}`, '', `**${mapping.title}** — sent by ${mapping.department}.`, '');
    lines.push(`- Subject key: \`${mapping.keyColumn}\`, the ${mapping.subject === 'enterprise' ? 'enterprise' : 'person'}'s ${KEY_TEXT[mapping.subject]}.`);
    lines.push(`- Period: ${mapping.period.kind === 'current' ? '`current` (state as of the import date)' : `\`${mapping.period.column}\` column, ${mapping.period.kind === 'year' ? 'the data year as `YYYY`' : 'the month as `YYYY-MM`'}`}.`);
    lines.push(`- Mode: ${mapping.mode}${mapping.atomic ? '; **atomic** (one bad row rejects the file)' : ''}.`);
    if (mapping.registers) lines.push(`- Registers subjects: name from \`${mapping.registers.nameColumn}\`, region from \`${mapping.registers.regionColumn}\`.`);
    if (mapping.effectiveColumn) lines.push(`- Effective date: optional column \`${mapping.effectiveColumn}\` (\`YYYY-MM-DD\`): the row's facts hold from that date.`);
    if (mapping.rowsPerPeriod) lines.push(`- Several rows per subject and period are kept when their \`${mapping.rowsPerPeriod.column}\` differs (stored as one record listing them under \`${mapping.rowsPerPeriod.fact}\`, in \`${mapping.rowsPerPeriod.column}\` order); rows equal in it are duplicates.`);
    const derived = isDerivedFeed(mapping);
    if (derived) lines.push(`- Derived: produced by this system (${(mapping as { derivedBy?: string }).derivedBy}) from other feeds, not sent by a department; the generator does not write it.`, '');
    else lines.push(`- Example: [examples/feeds/${exampleFileName(mapping)}](../examples/feeds/${exampleFileName(mapping)}); bad-row kinds the generator can inject: ${dirtyKindsFor(mapping).join(', ')}.`, '');
    lines.push('| column | type / unit / range | required | personal | fills fact |', '|---|---|:-:|:-:|---|');
    lines.push(`| \`${mapping.keyColumn}\` | ${mapping.subject === 'enterprise' ? '统一社会信用代码, 18 characters' : '公民身份号码, 18 characters'} | yes | ${mapping.subject === 'person' ? 'yes' : ''} | subject key |`);
    if (mapping.period.kind !== 'current') lines.push(`| \`${mapping.period.column}\` | ${mapping.period.kind === 'year' ? '`YYYY`' : '`YYYY-MM`'} | yes |  | period |`);
    for (const column of mapping.columns) lines.push(`| \`${column.column}\` | ${typeText(column)} | ${column.required ? 'yes' : column.optional ? 'optional column' : ''} | ${column.personal ? 'yes' : ''} | ${factText(column, mapping)} |`);
    if (mapping.effectiveColumn) lines.push(`| \`${mapping.effectiveColumn}\` | date \`YYYY-MM-DD\`; range 1900-01-01 .. 2100-12-31 | optional column |  | valid from (effective date) |`);
    if (derived) lines.push('');
    else lines.push('', '```', exampleFile(mapping).split('\n').slice(0, 4).join('\n'), '```', '');
  }
  return lines.join('\n');
}
