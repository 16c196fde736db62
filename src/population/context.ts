// What every part of the generator shares: the options, normalised, and the tables derived from them.
import { dayNumber, parseIsoDate } from './dates.ts';
import { AppError } from '../errors.ts';

export interface PopulationOptions {
  seed: number;
  enterprises: number;
  persons: number;
  /** The data year (稳岗返还 paid in year N reads year N-1): annual feeds carry it, monthly feeds its months. */
  dataYear: number;
  /** The date current-state feeds describe (deaths up to it); default 31 March after the data year. */
  asOf?: string;
  /** Share of valid rows followed by a deliberately bad row (0 to 1); default 0. */
  dirtyRate?: number;
  /** Also put random bad rows into all-or-nothing feeds (credit-status), which then reject whole; default false. */
  dirtyAtomic?: boolean;
  /** Bad rows of the given kinds appended at the end of a feed, one each, on top of dirtyRate. */
  dirtyRows?: Readonly<Partial<Record<string, readonly DirtyKind[]>>>;
  /** Rows of subjects planted from outside the generator (policy-anchors.ts), appended to a feed after its generated rows. */
  extraRows?: Readonly<Partial<Record<string, readonly (readonly string[])[]>>>;
}

export const DIRTY_KINDS = ['bad-check', 'bad-amount', 'bad-date', 'unknown-code', 'bad-number', 'bad-bool', 'missing-required', 'duplicate', 'unregistered'] as const;
export type DirtyKind = (typeof DIRTY_KINDS)[number];

export interface Context {
  seed: number;
  enterprises: number;
  persons: number;
  dataYear: number;
  asOf: string;
  asOfDay: number;
  dataYearStart: number;
  dataYearEnd: number;
  dirtyRate: number;
  dirtyAtomic: boolean;
  dirtyRows: Readonly<Partial<Record<string, readonly DirtyKind[]>>>;
  extraRows: Readonly<Partial<Record<string, readonly (readonly string[])[]>>>;
}

export function contextOf(options: PopulationOptions): Context {
  for (const [name, value] of [['seed', options.seed], ['enterprises', options.enterprises], ['persons', options.persons], ['dataYear', options.dataYear]] as const) {
    if (!Number.isSafeInteger(value) || (name !== 'seed' && value < 0)) throw new AppError('ARGUMENT_INVALID', `${name} must be a whole number${name === 'seed' ? '' : ' ≥ 0'}, got ${value}`);
  }
  if (options.dataYear < 1990 || options.dataYear > 2100) throw new AppError('ARGUMENT_INVALID', `dataYear ${options.dataYear} is out of range`);
  const dirtyRate = options.dirtyRate ?? 0;
  if (!(dirtyRate >= 0 && dirtyRate <= 1)) throw new AppError('ARGUMENT_INVALID', `dirtyRate must be between 0 and 1, got ${dirtyRate}`);
  const asOf = options.asOf ?? `${options.dataYear + 1}-03-31`;
  const asOfDay = parseIsoDate(asOf);
  const dataYearEnd = dayNumber(options.dataYear, 12, 31);
  if (asOfDay < dataYearEnd) throw new AppError('ARGUMENT_INVALID', `asOf ${asOf} is before the end of the data year ${options.dataYear}`);
  return {
    seed: options.seed,
    enterprises: options.enterprises,
    persons: options.persons,
    dataYear: options.dataYear,
    asOf,
    asOfDay,
    dataYearStart: dayNumber(options.dataYear, 1, 1),
    dataYearEnd,
    dirtyRate,
    dirtyAtomic: options.dirtyAtomic ?? false,
    dirtyRows: options.dirtyRows ?? {},
    extraRows: options.extraRows ?? {},
  };
}
