// Working days on the official calendar, with 调休: the 2025 国庆 and 中秋 holiday ran 10-01 to 10-08,
// with Sunday 09-28 and Saturday 10-11 made working days (国务院办公厅关于2025年部分节假日安排的通知,
// 国办发明电〔2024〕12号, 六: https://m.gmw.cn/2024-11/12/content_1303894933.htm).
import { describe, expect, it } from 'vitest';
import { isWorkingDay, workingDayPeriod, workingDaysBetween } from '../src/calendar/working-days.ts';
import { objectContaining } from './support/expect.ts';

describe('working days', () => {
  it('counts the 调休 Sunday and Saturday around 国庆 2025 as working days and the holiday week as not', () => {
    expect(isWorkingDay('2025-09-28')).toBe(true);
    expect(isWorkingDay('2025-10-11')).toBe(true);
    for (const day of ['2025-10-01', '2025-10-03', '2025-10-06', '2025-10-08']) expect(isWorkingDay(day), day).toBe(false);
    expect(isWorkingDay('2025-10-12')).toBe(false);
    expect(isWorkingDay('2025-10-09')).toBe(true);
  });

  it('ends a 公示 of 5 working days published on Friday 2025-09-26 on 2025-10-10, not counting the day it starts', () => {
    expect(workingDayPeriod('2025-09-26', 5)).toEqual({ endsOn: '2025-10-10', counted: ['2025-09-28', '2025-09-29', '2025-09-30', '2025-10-09', '2025-10-10'] });
    // Counted as Monday to Friday it would end on 2025-10-03, in the middle of the holiday.
    expect(workingDayPeriod('2025-09-26', 7).endsOn).toBe('2025-10-13');
    expect(workingDaysBetween('2025-09-26', '2025-10-13')).toBe(7);
    expect(workingDaysBetween('2025-10-13', '2025-09-26')).toBe(0);
  });

  it('refuses a year whose holiday notice it does not hold, instead of counting weekends only', () => {
    expect(() => workingDayPeriod('2026-12-28', 5)).toThrow(objectContaining({ code: 'CALENDAR_YEAR_UNKNOWN', details: { year: 2027 } }));
    expect(() => isWorkingDay('2027-03-01')).toThrow(objectContaining({ code: 'CALENDAR_YEAR_UNKNOWN' }));
  });

  it('refuses dates that are not calendar dates and periods that are not whole numbers', () => {
    for (const bad of ['2025-02-29', '2025-9-1', '2025-13-01', ' 2025-01-02', '20250102']) expect(() => isWorkingDay(bad), bad).toThrow(objectContaining({ code: 'ARGUMENT_INVALID' }));
    for (const n of [0, -1, 2.5, 1000]) expect(() => workingDayPeriod('2025-01-02', n), String(n)).toThrow(objectContaining({ code: 'ARGUMENT_INVALID' }));
  });
});
