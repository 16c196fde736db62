// The points of a pinned library, compiled once per process for batch matching, with what each needs
// to be evaluated for a period: the fact periods it reads and its labelled exceptions.
import { compilePoint, type CompiledPoint } from '../rules/lang/compile.ts';
import { pointInEffect } from '../rules/lang/evaluate.ts';
import type { PointModel } from '../rules/lang/model.ts';
import { parsePeriod, type Period } from '../rules/lang/period.ts';
import { CURRENT_PERIOD } from '../subjects/facts-repository.ts';

export interface RunnablePoint {
  point: PointModel;
  compiled: CompiledPoint;
  /** Fact periods merged for this point, lowest precedence first. */
  factPeriods: string[];
  exceptionIds: ReadonlySet<string>;
}

const compiledCache = new WeakMap<PointModel, CompiledPoint>();

/**
 * The fact periods a point reads when paying for `period`: current state plus its data year or the
 * period itself. A month also reads its year, below the month: facts departments send yearly (劳务派遣 in
 * the 人社 annual file) would otherwise be missing for every monthly point.
 */
export function factPeriodsFor(point: PointModel, period: Period): string[] {
  if (point.paysFor === 'data-year') return [CURRENT_PERIOD, String(period.year + point.dataYearOffset)];
  return period.kind === 'month' ? [CURRENT_PERIOD, String(period.year), period.text] : [CURRENT_PERIOD, period.text];
}

/**
 * The kind of period a point is matched for: monthly points by month, yearly by year; a one-off point
 * as its authors test it (扩岗补助 counts the hires of a month; a listing reward is decided for a year).
 */
export function periodKindOf(point: PointModel): 'year' | 'month' {
  if (point.frequency === 'monthly') return 'month';
  if (point.frequency === 'yearly') return 'year';
  return point.tests.length > 0 && point.tests.every((t) => /^\d{4}-\d{2}$/.test(t.period)) ? 'month' : 'year';
}

/** A scope's points in effect for the period, and matched by periods of its kind. */
export function pointsForScope(points: readonly PointModel[], scope: string, period: Period): PointModel[] {
  if (scope === 'enterprise' || scope === 'person') {
    return points.filter((p) => p.subject === scope && pointInEffect(p, period) && periodKindOf(p) === period.kind);
  }
  return points.filter((p) => p.id === scope);
}

export function runnable(points: readonly PointModel[], periodText: string): RunnablePoint[] {
  const period = parsePeriod(periodText);
  return points.map((point) => {
    let compiled = compiledCache.get(point);
    if (!compiled) {
      compiled = compilePoint(point);
      compiledCache.set(point, compiled);
    }
    return { point, compiled, factPeriods: factPeriodsFor(point, period), exceptionIds: new Set(point.exceptions.map((e) => e.id)) };
  });
}
