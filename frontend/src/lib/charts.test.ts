import { describe, expect, it } from 'vitest';

import { columns, delay, monthsOf, niceMax, percent, presetPeriod, share, ticks } from './charts';

describe('niceMax', () => {
  it('rounds up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 12, 23, 180, 2600].map(niceMax)).toEqual([1, 1, 5, 10, 20, 25, 200, 5000]);
  });

  it('keeps an exact round value', () => {
    expect(niceMax(50)).toBe(50);
  });
});

describe('ticks', () => {
  it('are whole numbers from 0 to the max', () => {
    expect(ticks(20)).toEqual([0, 5, 10, 15, 20]);
    expect(ticks(2)).toEqual([0, 1, 2]);
  });
});

describe('columns', () => {
  it('scales each value to the height, from the bottom', () => {
    const bars = columns([0, 5, 10], { width: 300, height: 100, gap: 0 });

    expect(bars.map((bar) => [bar.x, bar.y, bar.height])).toEqual([
      [0, 100, 0],
      [100, 50, 50],
      [200, 0, 100],
    ]);
    expect(bars[0]?.width).toBe(100);
  });

  it('draws nothing tall when every value is 0', () => {
    expect(columns([0, 0], { width: 10, height: 10 }).every((bar) => bar.height === 0)).toBe(true);
  });
});

describe('share', () => {
  it('is a percentage, 0 without a total, never past 100', () => {
    expect([share(1, 4), share(3, 0), share(5, 4)]).toEqual([25, 0, 100]);
  });
});

describe('numbers in French', () => {
  it('reads rates and delays', () => {
    expect(percent(0.834).replace(/\s/g, ' ')).toBe('83 %');
    expect(percent(null)).toBe('—');
    expect([delay(0.5), delay(5), delay(30.25), delay(60), delay(null)]).toEqual([
      '30 min',
      '5 h',
      '30,3 h',
      '2,5 j',
      '—',
    ]);
  });
});

describe('periods', () => {
  const today = new Date(2026, 11, 3); // Thursday 3 December 2026

  it('default to the current ISO week and the 11 before it', () => {
    expect(presetPeriod('weeks12', today)).toEqual({ from: '2026-09-14', to: '2026-12-03' });
  });

  it('know months, quarters and years', () => {
    expect(presetPeriod('month', today)).toEqual({ from: '2026-12-01', to: '2026-12-03' });
    expect(presetPeriod('lastMonth', today)).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(presetPeriod('quarter', today)).toEqual({ from: '2026-10-01', to: '2026-12-03' });
    expect(presetPeriod('year', today)).toEqual({ from: '2026-01-01', to: '2026-12-03' });
  });

  it('export whole months', () => {
    expect(monthsOf({ from: '2026-09-14', to: '2026-12-03' })).toEqual({
      from: '2026-09',
      to: '2026-12',
    });
  });
});
