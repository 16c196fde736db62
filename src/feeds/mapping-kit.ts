// The vocabulary feed mappings are written in, shared by the core mappings (mappings.ts) and the
// per-topic feeds that policies added (mappings-*.ts).

export type ColumnType =
  | { kind: 'text' }
  | { kind: 'int' } // non-negative whole number
  | { kind: 'decimal'; scale: number } // non-negative decimal with at most `scale` places (an annual average); kept exact
  | { kind: 'yuan' } // 元 with at most 2 decimals -> stored as integer fen (string)
  | { kind: 'bool' } // 是/否, true/false, 1/0, Y/N
  | { kind: 'date' } // YYYY-MM-DD
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'code'; list: 'region' | 'industry' }
  | { kind: 'uscc' } // another subject's 统一社会信用代码, check character verified
  | { kind: 'account' }; // a bank or card account number: 8-32 digits (spaces between groups dropped)

export interface ColumnMapping {
  column: string;
  /** The dictionary fact this column fills; omitted for registry-only columns (name). */
  fact?: string;
  type: ColumnType;
  /** An empty required cell rejects the row; an empty optional cell records the fact as null. */
  required: boolean;
  /** Personal data: masked wherever a rejected value is reported. */
  personal?: boolean;
  /**
   * A bank account: the fact is stored SM4-encrypted (sm4:<kid>:…, src/subjects/personal-data.ts) from
   * the import on; only the payout's send boundary decrypts it. Rejected values show the last four digits.
   */
  encrypted?: boolean;
  /**
   * The column may be left out of a file altogether (its facts are then absent, as for an empty cell).
   * Every other column must be in the header: a missing or renamed one refuses the file.
   */
  optional?: boolean;
}

export interface FeedMapping {
  id: string;
  department: string;
  title: string;
  subject: 'enterprise' | 'person';
  keyColumn: string;
  /** 'current' for state-as-of feeds; otherwise the column holding the data year (YYYY) or month (YYYY-MM). */
  period: { kind: 'current' } | { kind: 'year' | 'month'; column: string };
  /**
   * full: a file is the whole truth for its source and periods, so subjects it no longer lists have
   * their facts retracted; delta: only the rows present change.
   */
  mode: 'full' | 'delta';
  /** Registers subjects (the 市场监管 registry, the 公安 population register) rather than requiring them. */
  registers?: { nameColumn: string; regionColumn: string };
  /** All-or-nothing: one bad row rejects the whole file. */
  atomic?: boolean;
  /**
   * Produced by this system from other feeds (not sent by a department): within a period its facts take
   * precedence over a department feed's facts of the same name.
   */
  derivedBy?: string;
  columns: readonly ColumnMapping[];
  /**
   * 'current' feeds whose state changes on a known date (a 户籍 move, a death, a certificate's grade, a
   * registration status): an optional column holding that date (YYYY-MM-DD). A row's facts hold from it
   * on (fact_records.valid_from); without it a change holds from the import's as-of date.
   */
  effectiveColumn?: string;
  /**
   * Several rows of one subject and period are kept when they differ in this column (a person hired by
   * two employers in one month). They are recorded as one record: the facts of the first row in the
   * order of this column, plus `fact` listing every row's facts in that order, so the result does not
   * depend on the order of the file. Rows equal in it are duplicates.
   */
  rowsPerPeriod?: { column: string; fact: string };
}

export const col = (column: string, fact: string | undefined, type: ColumnType, required = false, personal = false): ColumnMapping => ({ column, fact, type, required, personal });
/** A bank account column: personal, and encrypted at import. */
export const account = (column: ColumnMapping): ColumnMapping => ({ ...column, type: { kind: 'account' }, personal: true, encrypted: true });
/** A column a source may leave out of its file. */
export const opt = (column: ColumnMapping): ColumnMapping => ({ ...column, optional: true });
export const text: ColumnType = { kind: 'text' };
export const int: ColumnType = { kind: 'int' };
export const average: ColumnType = { kind: 'decimal', scale: 2 };
export const yuan: ColumnType = { kind: 'yuan' };
export const bool: ColumnType = { kind: 'bool' };
export const date: ColumnType = { kind: 'date' };
export const region: ColumnType = { kind: 'code', list: 'region' };
export const industry: ColumnType = { kind: 'code', list: 'industry' };
