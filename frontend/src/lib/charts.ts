/**
 * What the coordinator's charts compute, apart from drawing: scales, bar geometry, periods
 * and the way numbers read in French. Pure functions (tested in charts.test.ts); the SVG is
 * drawn by components/charts.tsx. Only the screen "Le réseau" imports this module.
 */

/** The smallest "round" number (1, 2, 2.5 or 5 × 10ⁿ) at or above `value`; 1 for 0 or less. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = step * power;
    if (candidate >= value)
      return Number.isInteger(value) ? Math.max(1, Math.ceil(candidate)) : candidate;
  }
  return 10 * power;
}

/** The gridlines of an axis from 0 to `max` (a niceMax): whole numbers, at most `count` + 1. */
export function ticks(max: number, count = 4): number[] {
  const step = Math.max(1, Math.ceil(max / count));
  const values: number[] = [];
  for (let value = 0; value <= max; value += step) values.push(value);
  return values;
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
}

/** Vertical bars of `values` in a `width` × `height` area, on a scale from 0 to `max`
 * (niceMax of the largest by default), `gap` pixels apart. A value of 0 gets no height. */
export function columns(
  values: number[],
  { width, height, gap = 2, max }: { width: number; height: number; gap?: number; max?: number },
): Bar[] {
  const top = max ?? niceMax(Math.max(0, ...values));
  const slot = values.length ? width / values.length : 0;
  const barWidth = Math.max(1, slot - gap);
  return values.map((value, i) => {
    const barHeight = top > 0 ? (Math.max(0, value) / top) * height : 0;
    return {
      x: i * slot + gap / 2,
      y: height - barHeight,
      width: barWidth,
      height: barHeight,
      value,
    };
  });
}

/** A share of `total` as a width in percent (0 to 100), 0 when there is nothing. */
export function share(part: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.min(100, Math.max(0, (part / total) * 100));
}

const percentFormat = new Intl.NumberFormat('fr-FR', {
  style: 'percent',
  maximumFractionDigits: 0,
});
const numberFormat = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

/** 0.8342 → "83 %"; null (nothing to divide) → "—". */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : percentFormat.format(rate);
}

/** A delay in hours as a person says it: "45 min", "5 h", "1,5 j"; null → "—". */
export function delay(hours: number | null | undefined): string {
  if (hours === null || hours === undefined) return '—';
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${numberFormat.format(Math.round(hours * 10) / 10)} h`;
  return `${numberFormat.format(Math.round((hours / 24) * 10) / 10)} j`;
}

// --- periods ---------------------------------------------------------------------------------

export type PresetName = 'weeks12' | 'month' | 'lastMonth' | 'quarter' | 'year';

export const PRESETS: { name: PresetName; label: string }[] = [
  { name: 'weeks12', label: '12 dernières semaines' },
  { name: 'month', label: 'Ce mois-ci' },
  { name: 'lastMonth', label: 'Le mois dernier' },
  { name: 'quarter', label: 'Ce trimestre' },
  { name: 'year', label: 'Cette année' },
];

export interface Period {
  from: string;
  to: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (date: Date) =>
  `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

/** The days of a preset, as of `today` (both included, YYYY-MM-DD). "12 dernières semaines"
 * is the API's default: the current ISO week and the 11 before it. */
export function presetPeriod(name: PresetName, today: Date): Period {
  const y = today.getFullYear();
  const m = today.getMonth();
  switch (name) {
    case 'weeks12': {
      const monday = new Date(y, m, today.getDate() - ((today.getDay() + 6) % 7) - 7 * 11);
      return { from: iso(monday), to: iso(today) };
    }
    case 'month':
      return { from: iso(new Date(y, m, 1)), to: iso(today) };
    case 'lastMonth':
      return { from: iso(new Date(y, m - 1, 1)), to: iso(new Date(y, m, 0)) };
    case 'quarter':
      return { from: iso(new Date(y, m - (m % 3), 1)), to: iso(today) };
    case 'year':
      return { from: iso(new Date(y, 0, 1)), to: iso(today) };
  }
}

/** The whole months a period touches (YYYY-MM), for the funder exports (monthly). */
export function monthsOf(period: Period): Period {
  return { from: period.from.slice(0, 7), to: period.to.slice(0, 7) };
}

/** A period that reads well: "du 8 sept. au 3 déc. 2026". */
export function periodLabel(period: Period): string {
  const format = new Intl.DateTimeFormat('fr-FR', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
  const asDate = (value: string) => {
    const [y, m, d] = value.split('-').map(Number);
    return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  };
  return `du ${format.format(asDate(period.from))} au ${format.format(asDate(period.to))}`;
}
