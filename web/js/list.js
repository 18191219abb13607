// The incident list: search by words, filter by tag, service and date, open one, or
// create one. A new incident asks for its title, date and impact, so that it is valid
// (it has an impact) from its first save. "#/&deleted=1" lists the deleted incidents
// instead (any reader may list them), each opening the page where a writer restores it.

import { api } from "./api.js";
import { ago, announce, fill, h, modal, sayWhenCut, toast, when } from "./dom.js";
import { LIMITS, SLUG, newIncident, slugify, validDate } from "./doc.js";
import { go, href } from "./route.js";
import { isolate } from "./text.js";

/** True when the address asks for the deleted incidents ("&deleted=1"). */
const deletedView = (params) => params.has("deleted") && !["0", "false", ""].includes(params.get("deleted"));

export async function showList(root, { role, params = new URLSearchParams() }) {
  const deleted = deletedView(params);
  const heading = deleted ? "Deleted incidents" : "Incidents";
  document.title = `${heading} · causemap`;
  document.getElementById("context").replaceChildren();
  const canWrite = role !== "read";
  // Not a live region: it would read the whole table again at each key typed into
  // Search. A filter is heard as its count instead.
  const results = h("div", { class: "results" }, h("p", { class: "muted" }, "Loading…"));
  // Described by the count, so that focus on Search (where the page puts it) says how
  // many incidents this view holds.
  const search = h("input", { type: "search", id: "list-search", placeholder: "Words in the title, id, tags or services", autocomplete: "off", "aria-describedby": "list-count" });
  const tag = h("select", { id: "list-tag" });
  const service = h("select", { id: "list-service" });
  const from = h("input", { type: "date", id: "list-from" });
  const to = h("input", { type: "date", id: "list-to" });
  const field = (id, text, control) => h("div", { class: "field" }, h("label", { for: id }, text), control);
  const view = (text, on, extra) => h("a", { href: href("list", null, extra), class: "button", "aria-current": on ? "page" : null }, text);
  root.append(h("div", { class: "list-page" },
    h("div", { class: "list-head" },
      h("h1", {}, heading),
      canWrite && !deleted ? h("button", { type: "button", class: "primary", id: "new-incident", onclick: () => create() }, "New incident") : null,
      h("nav", { class: "list-views", "aria-label": "Which incidents" },
        view("Live incidents", !deleted, {}), view("Deleted incidents", deleted, { deleted: "1" })),
      h("a", { href: href("patterns"), class: "button" }, "Patterns across incidents")),
    deleted ? h("p", { class: "hint" }, canWrite
      ? "Open a deleted incident to restore it."
      : "Only a writer can restore them.") : null,
    h("form", { class: "filters", role: "search", "aria-label": "Filter incidents", onsubmit: (e) => e.preventDefault() },
      field("list-search", "Search", search), field("list-tag", "Tag", tag), field("list-service", "Service", service),
      field("list-from", "From", from), field("list-to", "To", to)),
    results));

  let items = [];
  try {
    items = await api.listIncidents({ deleted });
  } catch (exc) {
    fill(results, h("p", { class: "error", role: "alert" }, `Could not load the incidents: ${exc.message}`));
    return;
  }
  const options = (select, values, all) => fill(select, h("option", { value: "" }, all), [...values].sort().map((v) => h("option", { value: v }, v)));
  options(tag, new Set(items.flatMap((i) => i.tags)), "any tag");
  options(service, new Set(items.flatMap((i) => i.services)), "any service");

  function draw() {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const shown = items.filter((i) => {
      const text = [i.title, i.id, ...i.tags, ...i.services, i.severity || ""].join(" ").toLowerCase();
      return words.every((w) => text.includes(w)) &&
        (!tag.value || i.tags.includes(tag.value)) &&
        (!service.value || i.services.includes(service.value)) &&
        (!from.value || i.date >= from.value) && (!to.value || i.date <= to.value);
    });
    if (!items.length) {
      const none = deleted ? "No deleted incidents." : canWrite ? "No incidents yet. Create the first one." : "No incidents yet.";
      fill(results, h("p", { id: "list-count" }, none));
      return;
    }
    fill(results,
      h("p", { class: "muted", id: "list-count" }, `${shown.length} of ${items.length} ${deleted ? "deleted incidents" : "incidents"}`),
      h("table", { class: "incident-table" },
        h("thead", {}, h("tr", {}, ["Title", "Date", "Severity", "Services", "Tags", "Revision", deleted ? "Deleted" : "Updated"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, shown.map((i) => h("tr", {},
          h("td", {}, h("a", { href: href("incident", i.id), class: "incident-link", dataset: { id: i.id } }, isolate(i.title))),
          h("td", { class: "nowrap" }, i.date),
          h("td", {}, isolate(i.severity || "")),
          h("td", {}, i.services.map(isolate).join(", ")),
          h("td", {}, i.tags.map((t) => h("span", { class: "tag", dir: "auto" }, t))),
          h("td", { class: "num" }, String(i.revision)),
          h("td", { class: "nowrap", title: when(deleted ? i.deleted_at : i.updated_at) }, ago(deleted ? i.deleted_at : i.updated_at)))))));
  }
  for (const control of [search, tag, service, from, to]) {
    control.addEventListener("input", () => {
      draw();
      if (items.length) announce(results.querySelector("p").textContent);
    });
  }
  draw();
  search.focus();
}

async function create() {
  await modal("New incident", (body, close) => {
    const now = new Date();
    const today = new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10); // local date
    const title = h("input", { id: "new-title", required: true, maxlength: LIMITS.title, autocomplete: "off", dir: "auto" });
    const date = h("input", { id: "new-date", type: "date", required: true, value: today });
    const impact = h("textarea", { id: "new-impact", required: true, rows: 3, maxlength: LIMITS.label, dir: "auto" });
    const slug = h("input", { id: "new-id", required: true, maxlength: 80, autocomplete: "off", pattern: "[a-z0-9][a-z0-9._\\-]{0,79}" });
    const severity = h("input", { id: "new-severity", placeholder: "e.g. sev2", maxlength: LIMITS.short, autocomplete: "off" });
    const error = h("p", { class: "field-error", role: "alert", hidden: true });
    sayWhenCut(title, "the title");
    sayWhenCut(impact, "the impact");
    let touched = false;
    title.addEventListener("input", () => {
      if (!touched) slug.value = slugify(`${title.value}`, 60) || "";
    });
    slug.addEventListener("input", () => (touched = true));
    const field = (control, text, hint) => h("div", { class: "field" }, h("label", { for: control.id }, text), control, hint ? h("p", { class: "hint" }, hint) : null);
    // novalidate: the checks below say what is wrong in words; the browser's own bubble
    // for the id was only "Please match the requested format".
    const form = h("form", { class: "create-form", novalidate: true },
      field(title, "Title", "A short title, e.g. “Checkout errors after a config push”."),
      field(date, "Date it started"),
      field(impact, "Impact", "The harm, in one sentence: who or what was hurt, how much, for how long."),
      h("div", { class: "row" }, field(slug, "Id", "Lower-case letters, digits and dashes; it is part of the link."), field(severity, "Severity (optional)")),
      error,
      h("div", { class: "buttons" }, h("button", { type: "submit", class: "primary" }, "Create and open"), h("button", { type: "button", onclick: () => close() }, "Cancel")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const show = (message) => {
        error.textContent = message;
        error.hidden = !message;
      };
      const id = slug.value.trim();
      if (!title.value.trim()) return show("Give the incident a title.");
      if (!validDate(date.value)) return show("Give the date it started.");
      if (!impact.value.trim()) return show("Say what the impact was: every incident starts from its impact.");
      if (!SLUG.test(id)) return show("The id needs lower-case letters, digits and dashes, starting with a letter or digit.");
      show("");
      try {
        await api.createIncident(newIncident({ id, title: title.value, date: date.value, impact: impact.value, severity: severity.value }));
        close(id);
        toast("Incident created.", "ok");
        go("incident", id);
      } catch (exc) {
        show(exc.status === 409 ? `The id “${id}” is taken; choose another.` : exc.message);
      }
    });
    body.append(form);
    setTimeout(() => title.focus(), 0);
  });
}
