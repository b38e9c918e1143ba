/**
 * A small SVG line chart writer for the results (written here: the chart is two log-log
 * panels of a few points each, which needs no charting library). Pure: data in, SVG text out.
 */

export interface Series {
  label: string;
  color: string;
  /** points with y <= 0 or missing are left out (a log axis has no place for them) */
  points: { x: number; y: number | null }[];
}

export interface Panel {
  title: string;
  yLabel: string;
  series: Series[];
}

const WIDTH = 460;
const HEIGHT = 320;
const MARGIN = { left: 64, right: 16, top: 36, bottom: 44 };

const escapeXml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** Powers of ten covering [min, max], with 2 and 5 between them when the range is short. */
export function logTicks(min: number, max: number): number[] {
  const low = Math.floor(Math.log10(min));
  const high = Math.ceil(Math.log10(max));
  const steps = high - low <= 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = low; e <= high; e++) for (const s of steps) ticks.push(s * 10 ** e);
  return ticks.filter((t) => t >= 10 ** low && t <= 10 ** high);
}

const formatTick = (value: number) =>
  value >= 1000 ? `${value / 1000}k` : value >= 1 ? String(value) : value.toPrecision(1);

function panelSvg(panel: Panel, xs: readonly number[], offsetX: number): string {
  const plotted = panel.series.flatMap((s) =>
    s.points.filter((p) => p.y !== null && p.y > 0).map((p) => p.y as number),
  );
  const yMin = plotted.length ? Math.min(...plotted) : 1;
  const yMax = plotted.length ? Math.max(...plotted) : 10;
  const yTicks = logTicks(yMin, yMax === yMin ? yMin * 10 : yMax);
  const [yLow, yHigh] = [yTicks[0] ?? 1, yTicks[yTicks.length - 1] ?? 10];
  const [xLow, xHigh] = [Math.min(...xs), Math.max(...xs)];
  const innerW = WIDTH - MARGIN.left - MARGIN.right;
  const innerH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) =>
    MARGIN.left +
    (xHigh === xLow
      ? innerW / 2
      : ((Math.log10(x) - Math.log10(xLow)) / (Math.log10(xHigh) - Math.log10(xLow))) * innerW);
  const sy = (y: number) =>
    MARGIN.top +
    innerH -
    ((Math.log10(y) - Math.log10(yLow)) / (Math.log10(yHigh) - Math.log10(yLow))) * innerH;
  const parts: string[] = [`<g transform="translate(${offsetX},0)">`];
  parts.push(
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`,
  );
  for (const t of yTicks) {
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${MARGIN.left - 6}" y="${y}" dy="4" text-anchor="end" font-size="11">${formatTick(t)}</text>`,
    );
  }
  for (const x of xs) {
    const px = sx(x).toFixed(1);
    parts.push(`<line x1="${px}" x2="${px}" y1="${MARGIN.top}" y2="${MARGIN.top + innerH}" stroke="#eee"/>`);
    parts.push(
      `<text x="${px}" y="${MARGIN.top + innerH + 16}" text-anchor="middle" font-size="11">${x}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + innerW / 2}" y="${HEIGHT - 8}" text-anchor="middle" font-size="12">services in the group (N)</text>`,
    `<text transform="translate(16,${MARGIN.top + innerH / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(panel.yLabel)}</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${innerW}" height="${innerH}" fill="none" stroke="#888"/>`,
  );
  for (const s of panel.series) {
    const points = s.points.filter((p): p is { x: number; y: number } => p.y !== null && p.y > 0);
    if (points.length === 0) continue;
    const path = points
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`)
      .join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const p of points) {
      parts.push(
        `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3.5" fill="${s.color}"><title>${escapeXml(`${s.label}, N=${p.x}: ${p.y}`)}</title></circle>`,
      );
    }
  }
  parts.push('</g>');
  return parts.join('\n');
}

/** Panels side by side, one legend for all of them below. */
export function chartSvg(panels: readonly Panel[], xs: readonly number[], caption: string): string {
  const labels = [
    ...new Map(panels.flatMap((p) => p.series.map((s) => [s.label, s.color] as const))).entries(),
  ];
  const legendY = HEIGHT + 8;
  const width = WIDTH * panels.length;
  const height = HEIGHT + 56;
  let legendX = 20;
  const legend = labels
    .map(([label, color]) => {
      const x = legendX;
      legendX += 20 + label.length * 7 + 28; // about 7 px a character at 12 px
      return `<rect x="${x}" y="${legendY}" width="14" height="14" fill="${color}"/><text x="${x + 20}" y="${legendY + 12}" font-size="12">${escapeXml(label)}</text>`;
    })
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...panels.map((panel, i) => panelSvg(panel, xs, i * WIDTH)),
    legend,
    `<text x="${width - 10}" y="${height - 8}" text-anchor="end" font-size="10" fill="#555">${escapeXml(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
