/** Small SVG charts for "Le réseau" (no chart library: a few bars are a few <rect>s). Colours
 * come from classes in screens/reseau.css (the CSP allows no inline style); every chart also
 * says its numbers in text, for screen readers and for reading exact values. */
import { columns, niceMax, share, ticks } from '../lib/charts';

const W = 640;
const H = 180;
const LEFT = 32;
const BOTTOM = 22;

/** Referrals per week: one bar per ISO week, the partial weeks paler. */
export function WeekBars({
  weeks,
}: {
  weeks: { week: string; start: string; referrals: number; partial: boolean }[];
}) {
  const max = niceMax(Math.max(0, ...weeks.map((w) => w.referrals)));
  const bars = columns(
    weeks.map((w) => w.referrals),
    { width: W - LEFT, height: H - BOTTOM, gap: 4, max },
  );
  const total = weeks.reduce((sum, w) => sum + w.referrals, 0);
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Orientations par semaine : ${total} en tout`}
      >
        {ticks(max).map((tick) => {
          const y = H - BOTTOM - (tick / max) * (H - BOTTOM);
          return (
            <g key={tick} class="chart-grid">
              <line x1={LEFT} x2={W} y1={y} y2={y} />
              <text x={LEFT - 6} y={y + 4} text-anchor="end">
                {tick}
              </text>
            </g>
          );
        })}
        {bars.map((bar, i) => {
          const week = weeks[i];
          if (!week) return null;
          return (
            <g key={week.week}>
              <rect
                class={week.partial ? 'bar bar-partial' : 'bar'}
                x={LEFT + bar.x}
                y={bar.y}
                width={bar.width}
                height={bar.height}
              >
                <title>
                  {week.week} : {week.referrals}
                </title>
              </rect>
              {(i % 2 === 0 || weeks.length <= 8) && (
                <text
                  class="chart-axis"
                  x={LEFT + bar.x + bar.width / 2}
                  y={H - 6}
                  text-anchor="middle"
                >
                  {week.week.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="muted">
        Semaines ISO ; en clair, les semaines que la période ne couvre qu’en partie.
      </figcaption>
    </figure>
  );
}

/** Horizontal bars, each a share of `total` (the funnel, the kinds of capteurs). */
export function ShareBars({
  rows,
  total,
  label,
}: {
  rows: { key: string; label: string; value: number; tone?: string; note?: string }[];
  total: number;
  label: string;
}) {
  return (
    <ul class="share-bars" aria-label={label}>
      {rows.map((row) => (
        <li key={row.key}>
          <span class="share-label">{row.label}</span>
          <svg
            class="share-track"
            viewBox="0 0 100 10"
            preserveAspectRatio="none"
            aria-hidden="true"
          >
            <rect
              class={`share-fill tone-${row.tone ?? 'teal'}`}
              x="0"
              y="0"
              height="10"
              width={share(row.value, total)}
            />
          </svg>
          <span class="share-value">
            {row.value}
            {row.note ? <span class="muted"> {row.note}</span> : null}
          </span>
        </li>
      ))}
    </ul>
  );
}
