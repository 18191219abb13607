// Export: pictures and text rendered by the server from the document on screen (SVG,
// PNG, the Markdown section, Mermaid), the YAML file of the saved incident, and an image
// URL anyone can embed (the incident deflated and base64url-encoded into the address,
// as Kroki does). The SVG preview is shown as an <img>, so nothing in it can run.
// While saving is paused with unsaved changes (deleted elsewhere, or a conflict), the
// server's YAML file would not have them: the incident on screen is downloaded as JSON.
// A Mermaid text past what GitHub and GitLab draw is copied with a warning saying why
// (the server's Causemap-Warning, which `causemap render -f mermaid` prints too).

import { BASE, api } from "./api.js";
import { copyText, download, h, modal, toast } from "./dom.js";

/** base64url(zlib deflate(text)), the encoding of GET /render/{format}/{encoded}. */
export async function encode(text) {
  const stream = new Blob([new TextEncoder().encode(text)]).stream().pipeThrough(new CompressionStream("deflate"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export async function embedUrl(doc, format = "svg", options = {}) {
  const query = new URLSearchParams(options).toString();
  return `${location.origin}${BASE}/render/${format}/${await encode(JSON.stringify(doc))}${query ? `?${query}` : ""}`;
}

/** Download the incident as it is in this browser as `<id>-unsaved.json` (causemap
 * reads JSON incident files, so `causemap import` takes it back), and say so in a toast
 * (not heard when `say` is false: the caller announces it). The way out for unsaved
 * changes no save will take: a deleted incident's, or ones in conflict. Returns what was
 * said. */
export function downloadUnsaved(editor, { say = true } = {}) {
  const name = `${editor.id}-unsaved.json`;
  const text = `${JSON.stringify(editor.store.doc, null, 2)}\n`;
  download(new Blob([text], { type: "application/json" }), name);
  const why = editor.saver.pausedBecause;
  const message = `Downloaded ${name}: the incident with your unsaved changes, as JSON that causemap import reads. ` +
    `It is not the server's YAML file, which does not have your changes.${why ? ` ${why}` : ""}`;
  toast(message, "ok", 9000, { key: "unsaved", say });
  return message;
}

async function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

export function openExport(editor) {
  const doc = editor.store.doc;
  const name = editor.id;
  return modal("Export", (body) => {
    const opts = { actions: false, highlight: true, lanes: false };
    const option = (key, text) => {
      const box = h("input", { type: "checkbox", id: `export-${key}`, checked: opts[key] });
      box.addEventListener("change", () => {
        opts[key] = box.checked;
        preview();
      });
      return h("span", { class: "check" }, box, h("label", { for: `export-${key}` }, text));
    };
    const query = () => {
      const q = {};
      if (opts.actions) q.actions = "true";
      if (opts.highlight) q.highlight = "uncovered";
      if (opts.lanes) q.lanes = "level";
      return q;
    };
    const status = h("p", { class: "muted", role: "status" });
    const image = h("img", { class: "export-preview", alt: "Preview of the exported diagram" });
    const run = (label, fn) => async () => {
      status.textContent = `${label}…`;
      try {
        const said = await fn(); // what was done, when it needs saying
        status.textContent = typeof said === "string" ? said : "";
      } catch (exc) {
        status.textContent = `${label} failed: ${exc.message}`;
        toast(`${label} failed: ${exc.message}`, "error");
      }
    };
    const file = (format, suffix, what) =>
      run(`Exporting ${what}`, async () => download(await api.render(doc, format, query()), `${name}.${suffix}`));
    let seq = 0;
    async function preview() {
      const mine = ++seq;
      try {
        const blob = await api.render(doc, "svg", query());
        if (mine === seq) image.src = await dataUrl(new Blob([blob], { type: "image/svg+xml" }));
      } catch (exc) {
        if (mine === seq) status.textContent = `No preview: ${exc.message}`;
      }
    }
    body.append(
      h("fieldset", { class: "options" }, h("legend", {}, "Picture options"),
        option("highlight", "Highlight uncovered paths"), option("actions", "Show action items"), option("lanes", "AcciMap lanes by level")),
      h("div", { class: "export-grid" },
        h("div", { class: "buttons column" },
          h("button", { type: "button", "data-export": "svg", onclick: file("svg", "svg", "the SVG picture") }, "Download SVG"),
          h("button", { type: "button", "data-export": "png", onclick: file("png", "png", "the PNG picture") }, "Download PNG"),
          h("button", { type: "button", "data-export": "markdown", onclick: file("markdown", "md", "the Markdown section") }, "Download the Markdown section"),
          h("button", {
            type: "button", "data-export": "yaml",
            onclick: run("Exporting the YAML file", async () => {
              await editor.saver.save();
              if (editor.saver.stranded()) return downloadUnsaved(editor, { say: false }); // said in `status`
              if (editor.saver.dirty()) throw new Error("save the incident first (it has unsaved changes the server refused)");
              download(new Blob([await api.yaml(name)], { type: "application/yaml" }), `${name}.yaml`);
            }),
          }, "Download the YAML file"),
          h("button", {
            type: "button", "data-export": "mermaid",
            onclick: run("Copying the Mermaid text", async () => {
              const response = await api.rendered(doc, "mermaid", query());
              await copyText(await response.text(), "Mermaid text");
              // Copied whole all the same, as the CLI writes it: other viewers may draw it.
              const problem = response.headers.get("Causemap-Warning");
              if (!problem) return;
              const said = `The copied diagram will not show on GitHub or GitLab: ${problem}; Download SVG draws it.`;
              toast(said, "warn", 12000, { key: "mermaid", say: false }); // said in `status`
              return said;
            }),
          }, "Copy the Mermaid text"),
          h("button", {
            type: "button", "data-export": "url",
            onclick: run("Making the image URL", async () => {
              const url = await embedUrl(doc, "svg", query());
              await copyText(url, "image URL");
              // An <img> sends no token: say so if this server wants one for renders.
              const probe = await fetch(url, { cache: "no-store" });
              if (probe.status === 401 || probe.status === 403) {
                toast("This server needs a token for image URLs, so the image will not show in other pages " +
                  "until its operator sets CAUSEMAP_PUBLIC_RENDER=1.", "warn", 9000);
              } else if (probe.status === 414 || probe.status === 413) {
                toast("The incident is too large for an image URL; download the SVG instead.", "warn", 9000);
              }
            }),
          }, "Copy an embeddable image URL")),
        h("figure", {}, image, h("figcaption", { class: "muted" }, "Rendered by the server with Graphviz, from what is on screen now."))),
      status,
    );
    preview();
  }, { wide: true });
}
