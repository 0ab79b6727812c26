// A small SVG chart writer for the benchmark results: panels of horizontal grouped bars, one
// group per server and one bar per series, each panel scaled to its own maximum.

const escape = (text) =>
  String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const palette = ["#2f6db5", "#e08a2c", "#4a9a5b", "#b0413e"];

/**
 * @param {{ title: string, note?: string, panels: { title: string, unit: string,
 *   groups: { label: string, values: (number | null)[] }[] }[], series: string[] }} chart
 * @returns {string} the SVG document
 */
export function groupedBarChart(chart) {
  const width = 860;
  const labelWidth = 230;
  const valueWidth = 70;
  const barHeight = 13;
  const barGap = 2;
  const groupGap = 9;
  const panelGap = 26;
  const plotWidth = width - labelWidth - valueWidth - 20;
  const parts = [];
  let y = 30;
  parts.push(
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">` +
      `${escape(chart.title)}</text>`,
  );
  // Legend.
  let x = labelWidth;
  y += 6;
  for (const [i, name] of chart.series.entries()) {
    parts.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${palette[i]}"/>`);
    parts.push(`<text x="${x + 17}" y="${y}" font-size="12">${escape(name)}</text>`);
    x += 30 + name.length * 7;
  }
  y += 12;
  for (const panel of chart.panels) {
    y += panelGap - 8;
    parts.push(
      `<text x="${labelWidth}" y="${y}" font-size="13" font-weight="bold">` +
        `${escape(panel.title)}</text>`,
    );
    y += 8;
    const max = Math.max(...panel.groups.flatMap((g) => g.values.filter((v) => v !== null)), 0);
    const scale = max > 0 ? plotWidth / max : 0;
    const top = y;
    for (const group of panel.groups) {
      const groupHeight = group.values.length * (barHeight + barGap) - barGap;
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + groupHeight / 2 + 4}" text-anchor="end" ` +
          `font-size="12">${escape(group.label)}</text>`,
      );
      for (const [i, value] of group.values.entries()) {
        const w = value === null ? 0 : Math.max(1, value * scale);
        parts.push(
          `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" ` +
            `fill="${palette[i]}"/>`,
        );
        const text = value === null ? "n/a" : formatValue(value);
        parts.push(
          `<text x="${labelWidth + w + 4}" y="${y + barHeight - 2}" font-size="11">` +
            `${escape(text)} ${escape(panel.unit)}</text>`,
        );
        y += barHeight + barGap;
      }
      y += groupGap;
    }
    parts.push(
      `<line x1="${labelWidth}" y1="${top - 2}" x2="${labelWidth}" y2="${y - groupGap + 2}" ` +
        `stroke="#444"/>`,
    );
  }
  if (chart.note) {
    y += 14;
    parts.push(`<text x="10" y="${y}" font-size="11" fill="#555">${escape(chart.note)}</text>`);
  }
  const height = y + 12;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n` +
    `<rect width="100%" height="100%" fill="#fff"/>\n${parts.join("\n")}\n</svg>\n`;
}

function formatValue(value) {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(0)} k`;
  if (value >= 100) return value.toFixed(0);
  return value.toFixed(1);
}
