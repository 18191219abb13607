// The cross-incident page: the pattern report over every incident in the store
// (GET /patterns): contributing factors shared across incidents, however each team
// worded them, with their charts. Charts are SVG built element by element, text set with
// textContent, so no incident text is ever parsed as markup.

import { api, request } from "./api.js";
import { download, fill, h, svg } from "./dom.js";
import { href } from "./route.js";
import { isolate, shown } from "./text.js";

const LEVEL_COLOURS = {
  technical: "#4e79a7", operator: "#3d8a84", process: "#c8620a", organization: "#e15759", external: "#9c755f", unset: "#8a817c",
};

function barChart({ title, rows, width = 640, labelWidth = 260, colour = () => "#0072B2", unit = "" }) {
  const rowHeight = 24;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const height = rows.length * rowHeight + 10;
  // Labels end 8 px left of the bars; at 12 px a character is under 7.2 px wide on
  // average, so this many fit without running off the chart's left edge.
  const chars = Math.floor((labelWidth - 12) / 7.2);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": title, class: "chart" },
    svg("title", { text: title }));
  rows.forEach((r, i) => {
    const y = i * rowHeight + 5;
    const w = Math.max(2, ((width - labelWidth - 60) * r.value) / max);
    chart.append(
      svg("text", { x: labelWidth - 8, y: y + 15, "text-anchor": "end", class: "chart-label", text: shown(r.label, chars) }),
      svg("rect", { x: labelWidth, y: y + 3, width: w, height: rowHeight - 8, fill: colour(r), rx: 2 }, svg("title", { text: `${isolate(r.label)}: ${r.value}${unit}` })),
      svg("text", { x: labelWidth + w + 6, y: y + 15, class: "chart-value", text: `${r.value}${unit}` }));
  });
  return chart;
}

function columnChart({ title, rows, width = 640, height = 180 }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height + 40}`, width, height: height + 40, role: "img", "aria-label": title, class: "chart" },
    svg("title", { text: title }));
  const step = (width - 40) / Math.max(1, rows.length);
  const every = Math.ceil(rows.length / 12);
  rows.forEach((r, i) => {
    const bh = (height * r.value) / max;
    const x = 30 + i * step;
    chart.append(svg("rect", { x, y: height - bh + 10, width: Math.max(2, step - 4), height: bh, fill: "#0072B2", rx: 1 },
      svg("title", { text: `${isolate(r.label)}: ${r.value}` })));
    if (i % every === 0) chart.append(svg("text", { x: x + step / 2, y: height + 28, "text-anchor": "middle", class: "chart-label", text: isolate(r.label) }));
  });
  chart.append(svg("text", { x: 4, y: 20, class: "chart-value", text: String(max) }));
  return chart;
}

/** The finest buckets of which there are at most `most`: months, quarters, else the latest
 * `most` years (as the HTML report chooses), and how many earlier years are left out. */
export function trendPeriods(trends, most = 40) {
  const whole = !trends.earlier_years; // else only years can say what is left out
  if (whole && trends.monthly.length <= most) return { unit: "month", rows: trends.monthly, earlier: 0 };
  if (whole && trends.quarterly.length <= most) return { unit: "quarter", rows: trends.quarterly, earlier: 0 };
  const years = new Map();
  for (const b of trends.quarterly) {
    const year = b.period.slice(0, 4);
    years.set(year, (years.get(year) || 0) + b.incidents);
  }
  const every = [...years].map(([period, incidents]) => ({ period, incidents }));
  const rows = every.slice(-most);
  return { unit: "year", rows, earlier: every.length - rows.length + (trends.earlier_years || 0) };
}

export async function showPatterns(root) {
  document.title = "Patterns · causemap";
  document.getElementById("context").replaceChildren();
  const page = h("div", { class: "patterns-page" }, h("p", { class: "muted" }, "Building the report over every incident…"));
  root.append(page);
  let report;
  try {
    report = await api.patterns();
  } catch (exc) {
    fill(page, h("p", { class: "error" }, `Could not build the report: ${exc.message}`));
    return;
  }
  const byId = new Map(report.incident_list.map((i) => [i.id, i]));
  const incidentLink = (id, node) => h("a", { href: href("incident", id, { node }) }, byId.has(id) ? shown(byId.get(id).title, 70) : id);
  const card = (value, text) => h("div", { class: "card" }, h("b", {}, String(value)), h("span", {}, text));
  const saveAs = (format, suffix) => async () => {
    const response = await request("GET", `/patterns?format=${format}`);
    download(await response.blob(), `patterns.${suffix}`);
  };
  const factors = report.factors;
  const periods = trendPeriods(report.trends);

  fill(page,
    h("div", { class: "list-head" }, h("h1", {}, "Patterns across incidents"),
      h("button", { type: "button", onclick: saveAs("markdown", "md") }, "Download Markdown"),
      h("button", { type: "button", onclick: saveAs("html", "html") }, "Download HTML")),
    h("div", { class: "cards" },
      card(report.incidents, "incidents analysed"), card(report.nodes, "contributing nodes"),
      card(factors.length, "factors in two or more incidents"), card(report.recurring_after_fix.length, "came back after a fix"),
      card(report.matched.key || 0, "matched by factor key"), card(report.matched.catalog || 0, "matched by the catalog"), card(report.matched.cluster || 0, "matched by similar wording")),
    factors.length ? h("section", {}, h("h3", {}, "Leaderboard: in how many incidents each factor appears"),
      barChart({ title: "Factors by number of incidents", rows: factors.slice(0, 15).map((f) => ({ label: f.label, value: f.incidents.length, level: f.level || "unset" })), colour: (r) => LEVEL_COLOURS[r.level] || LEVEL_COLOURS.unset }),
      h("ul", { class: "legend" }, Object.entries(LEVEL_COLOURS).map(([level, colour]) => h("li", {}, h("span", { class: `swatch level-${level}`, title: colour, "aria-hidden": "true" }), level))))
      : h("p", {}, "No factor appears in two incidents yet."),
    factors.length ? h("table", { class: "factor-table" },
      h("thead", {}, h("tr", {}, ["Factor", "Incidents", "Score", "Seen", "Level", "Class", "Actions open / done / won't fix", "Where"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, factors.map((f) => h("tr", {},
        h("td", {}, h("b", {}, isolate(f.label)), h("br"), h("code", {}, f.key), h("span", { class: "muted small" }, ` · ${f.source}, ${Math.round(f.confidence * 100)}% confident`)),
        h("td", { class: "num" }, String(f.incidents.length)),
        h("td", { class: "num" }, f.score.toFixed(1)),
        h("td", { class: "nowrap" }, f.first_seen === f.last_seen ? f.first_seen : `${f.first_seen} – ${f.last_seen}`),
        h("td", {}, f.level || ""),
        h("td", {}, f.typical_class || ""),
        h("td", { class: "num" }, `${f.actions.open} / ${f.actions.done} / ${f.actions.wontfix}`),
        // The report lists the members of a factor's most recent incidents only: the
        // count is all of them, and the list says how many it leaves out.
        h("td", {}, h("details", {}, h("summary", {}, `${f.member_count} nodes`),
          h("ul", { class: "members" }, f.members.map((m) => h("li", {},
            h("a", { href: href("incident", m.incident, { node: m.node }) }, shown(m.label, 90)),
            h("span", { class: "muted small" }, ` (${m.incident}; ${m.reason})`))),
            f.member_count > f.members.length
              ? h("li", { class: "muted" }, `… and ${f.member_count - f.members.length} in older incidents`)
              : null))))))) : null,
    report.recurring_after_fix.length ? h("section", { class: "alert" }, h("h3", {}, "Came back after the action was done"),
      h("ul", {}, report.recurring_after_fix.map((r) => h("li", {},
        h("b", {}, r.factor), `: action “${isolate(r.title)}” (${r.action}) in `, incidentLink(r.fixed_in), ` was done on ${r.closed}, and the factor came back in `,
        r.recurred_in.map((id, i) => [i ? ", " : "", incidentLink(id)]))))) : null,
    periods.rows.length ? h("section", {}, h("h3", {}, "Incidents over time"),
      periods.earlier ? h("p", { class: "muted" }, `Per year, the last ${periods.rows.length} of ${periods.rows.length + periods.earlier} years: an incident dated decades earlier is usually a typo.`) : null,
      columnChart({ title: `Incidents per ${periods.unit}`, rows: periods.rows.map((b) => ({ label: b.period, value: b.incidents })) })) : null,
    Object.keys(report.trends.levels).length ? h("section", {}, h("h3", {}, "Shared factors by level"),
      barChart({ title: "Shared-factor occurrences by AcciMap level", labelWidth: 140, rows: Object.entries(report.trends.levels).map(([level, value]) => ({ label: level, value, level })), colour: (r) => LEVEL_COLOURS[r.level] || LEVEL_COLOURS.unset })) : null,
    report.links.length ? h("section", {}, h("h3", {}, "Upstream of each other in several incidents"),
      h("ul", {}, report.links.map((l) => h("li", {}, h("code", {}, l.source), " → ", h("code", {}, l.target), h("span", { class: "muted" }, ` in ${l.incidents.length} incidents`))))) : null,
    report.cooccurrence.length ? h("section", {}, h("h3", {}, "Often together"),
      h("ul", {}, report.cooccurrence.map((c) => h("li", {}, h("code", {}, c.a), " with ", h("code", {}, c.b), h("span", { class: "muted" }, ` in ${c.incidents.length} incidents (lift ${c.lift.toFixed(1)})`))))) : null,
    h("p", { class: "muted small" }, `Catalog: ${report.catalog}.`));
}
