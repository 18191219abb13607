// Where the page is: everything lives in the URL fragment, which browsers never send to
// the server. "#/incidents/db-failover&token=…" opens an incident; "#/patterns" the
// cross-incident report; "#/" (or "#token=…") the list. Options follow the path after
// "&" or "?": token, node (select a node on open).

/** Parse a fragment into {view, id, params}. */
export function parse(hash = location.hash) {
  const text = hash.replace(/^#/, "");
  const cut = text.search(/[?&]/);
  const path = cut < 0 ? text : text.slice(0, cut);
  const params = new URLSearchParams(cut < 0 ? "" : text.slice(cut + 1));
  if (!path.startsWith("/") && path.includes("=")) {
    // "#token=…": parameters only.
    for (const [k, v] of new URLSearchParams(path)) params.set(k, v);
    return { view: "list", id: null, params };
  }
  const parts = path.split("/").filter(Boolean).map(decoded);
  if (parts[0] === "incidents" && parts[1]) return { view: "incident", id: parts[1], params };
  if (parts[0] === "patterns") return { view: "patterns", id: null, params };
  return { view: "list", id: null, params };
}

/** A path part as it was before encoding; one that is no valid encoding (a link cut
 * short after a "%") is taken as it is, so that the page says what it cannot find. */
function decoded(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The token the page was opened with (kept for the session, never sent but as a header). */
export function token() {
  const fromUrl = parse().params.get("token");
  if (fromUrl) {
    sessionStorage.setItem("causemap:token", fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem("causemap:token") || "";
}

/** The fragment for a view, carrying the current token along. */
export function href(view, id = null, extra = {}) {
  const path = view === "incident" ? `/incidents/${encodeURIComponent(id)}` : view === "patterns" ? "/patterns" : "/";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(extra)) if (v) params.set(k, v);
  const t = token();
  if (t) params.set("token", t);
  const query = params.toString();
  return `#${path}${query ? `&${query}` : ""}`;
}

/** A full link to an incident for someone else: with their token, or none. */
export function shareLink(id, withToken = "") {
  const base = `${location.origin}${location.pathname}#/incidents/${encodeURIComponent(id)}`;
  return withToken ? `${base}&token=${encodeURIComponent(withToken)}` : base;
}

export function go(view, id = null, extra = {}) {
  location.hash = href(view, id, extra);
}
