/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */

/**
 * Charts drawn on the server as inline SVG: no chart library, no script, no request; a
 * few hundred bytes per chart. Each has a text title and its numbers in a table beside
 * it (collapsed), so a screen reader gets the same data.
 */

export interface SeriesBar {
  label: string;
  values: readonly number[];
}

const W = 640;
const H = 180;
const PAD_LEFT = 34;
const PAD_BOTTOM = 20;

/** Grouped bars over time (alerts and decisions per step). */
export function TimeBars(props: {
  id: string;
  title: string;
  series: readonly string[];
  bars: readonly SeriesBar[];
}) {
  const { bars, series } = props;
  const max = Math.max(1, ...bars.flatMap((b) => b.values));
  const slot = (W - PAD_LEFT) / Math.max(1, bars.length);
  const bw = Math.max(1, (slot * 0.8) / series.length);
  const y = (v: number) => ((H - PAD_BOTTOM - 6) * v) / max;
  const labelEvery = Math.ceil(bars.length / 8);
  const totals = series.map((_, s) => bars.reduce((n, b) => n + (b.values[s] ?? 0), 0));
  return (
    <figure class="chart" data-chart={props.id} data-total={totals.join(",")}>
      <figcaption>
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        <p class="legend">
          {series.map((name, s) => (
            <span>
              <i class={`s${s}`} aria-hidden="true" />
              {`${name}: ${totals[s]}`}
            </span>
          ))}
        </p>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-labelledby={`${props.id}-title`}>
        <title>{props.title}</title>
        <line class="axis" x1={PAD_LEFT} x2={W} y1={H - PAD_BOTTOM} y2={H - PAD_BOTTOM} />
        <text x="0" y="12">
          {String(max)}
        </text>
        <text x="0" y={H - PAD_BOTTOM}>
          0
        </text>
        {bars.map((b, i) =>
          b.values.map((v, s) =>
            v > 0 ? (
              <rect
                class={`s${s}`}
                x={(PAD_LEFT + i * slot + slot * 0.1 + s * bw).toFixed(1)}
                y={(H - PAD_BOTTOM - y(v)).toFixed(1)}
                width={bw.toFixed(1)}
                height={Math.max(1, y(v)).toFixed(1)}
              >
                <title>{`${b.label}: ${v} ${series[s]}`}</title>
              </rect>
            ) : null,
          ),
        )}
        {bars.map((b, i) =>
          i % labelEvery === 0 ? (
            <text x={(PAD_LEFT + i * slot).toFixed(1)} y={H - 5}>
              {b.label}
            </text>
          ) : null,
        )}
      </svg>
      <details>
        <summary>Numbers</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Time (UTC)</th>
              {series.map((s) => (
                <th scope="col" class="num">
                  {s}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {bars.map((b) => (
              <tr>
                <td>{b.label}</td>
                {b.values.map((v) => (
                  <td class="num">{v}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

export interface Ranked {
  label: string;
  count: number;
  href?: string | undefined;
}

/** A ranked list with a bar per row (top scenarios, countries, ASNs, outcomes). */
export function RankBars(props: { title: string; rows: readonly Ranked[]; empty: string }) {
  const max = Math.max(1, ...props.rows.map((r) => r.count));
  return (
    <section class="card" aria-label={props.title}>
      <h2>{props.title}</h2>
      {props.rows.length === 0 ? (
        <p class="muted">{props.empty}</p>
      ) : (
        <table>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <th scope="row">{r.href ? <a href={r.href}>{r.label}</a> : r.label}</th>
                <td>
                  <svg viewBox="0 0 100 8" width="100%" height="10" aria-hidden="true">
                    <rect
                      class="s1"
                      x="0"
                      y="0"
                      height="8"
                      width={((100 * r.count) / max).toFixed(1)}
                    />
                  </svg>
                </td>
                <td class="num">{r.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
