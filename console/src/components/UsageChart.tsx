// The month's usage as stacked bars, one per day, one colour per category: plain SVG, bundled with
// the app (no chart library, no CDN; colours as SVG attributes, which the console's CSP allows). A table under it carries the same numbers for screen readers.

export const CHART_METERS = ["inbound", "service", "marketing", "utility", "authentication", "other_category"] as const;
const COLOURS: Record<string, string> = {
  inbound: "#5b6573",
  service: "#0b6e4f",
  marketing: "#d9822b",
  utility: "#1769d1",
  authentication: "#8e44ad",
  other_category: "#b3261e",
};

export interface DayCounts {
  day: string;
  counts: Record<string, number>;
}

/** Every day of the month (`YYYY-MM`), with its counts where the report has some. */
export function daysOfMonth(month: string, days: DayCounts[]): DayCounts[] {
  const [year, number] = month.split("-").map(Number);
  const length = new Date(Date.UTC(year, number, 0)).getUTCDate();
  const byDay = new Map(days.map((day) => [day.day, day.counts]));
  return Array.from({ length }, (_, i) => {
    const day = `${month}-${String(i + 1).padStart(2, "0")}`;
    return { day, counts: byDay.get(day) ?? {} };
  });
}

/** A bar height's top: the largest day, rounded up to a readable step. */
export function scaleTop(days: DayCounts[]): number {
  const largest = Math.max(0, ...days.map((d) => CHART_METERS.reduce((sum, m) => sum + (d.counts[m] ?? 0), 0)));
  if (largest <= 5) return 5;
  const step = 10 ** Math.floor(Math.log10(largest));
  return Math.ceil(largest / step) * step;
}

export function UsageChart({ month, days, label, names }: { month: string; days: DayCounts[]; label: string; names: Record<string, string> }) {
  const all = daysOfMonth(month, days);
  const top = scaleTop(all);
  const width = 620;
  const height = 220;
  const left = 32;
  const bottom = 20;
  const headroom = 10; // the top tick's label stays inside the drawing
  const slot = (width - left) / all.length;
  // Gridlines at whole messages: the middle one rounded, drawn where its number is.
  const y = (n: number) => ((height - bottom - headroom) * n) / top;
  return (
    <figure class="usage-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} preserveAspectRatio="none">
        {[0, Math.round(top / 2), top].map((tick) => (
          <g key={tick}>
            <line x1={left} x2={width} y1={height - bottom - y(tick)} y2={height - bottom - y(tick)} stroke="#dde1e6" />
            <text x={left - 4} y={height - bottom - y(tick) + 4} text-anchor="end" font-size="10" fill="#5b6573">
              {tick}
            </text>
          </g>
        ))}
        {all.map((day, i) => {
          let stacked = 0;
          return (
            <g key={day.day} data-day={day.day}>
              {CHART_METERS.filter((meter) => day.counts[meter]).map((meter) => {
                const n = day.counts[meter];
                stacked += n;
                return (
                  <rect
                    key={meter}
                    class="bar"
                    data-meter={meter}
                    data-count={n}
                    x={left + i * slot + slot * 0.15}
                    width={slot * 0.7}
                    y={height - bottom - y(stacked)}
                    height={y(n)}
                    fill={COLOURS[meter]}
                  >
                    <title>{`${day.day} · ${names[meter] ?? meter}: ${n}`}</title>
                  </rect>
                );
              })}
              {(i === 0 || (i + 1) % 5 === 0) && (
                <text x={left + i * slot + slot / 2} y={height - 5} text-anchor="middle" font-size="10" fill="#5b6573">
                  {i + 1}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        {CHART_METERS.map((meter) => (
          <span key={meter}>
            <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true">
              <rect width="10" height="10" rx="2" fill={COLOURS[meter]} />
            </svg>{" "}
            {names[meter] ?? meter}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
