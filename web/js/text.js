// Display text helpers: pure functions over strings, shared by the panels and the model's
// messages.

/** `text` cut to at most `n` characters, ending with "…" when it was cut. */
export const shorten = (text, n = 60) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

const OPENERS = new Set(["\u2066", "\u2067", "\u2068"]); // LRI, RLI, FSI
const PDI = "\u2069";

/**
 * User text made safe to show next to other text: wrapped in a first-strong isolate
 * (U+2068 … U+2069), as <bdi> would, so that its direction, and any right-to-left
 * override it leaves open, ends with it. Closers without an opener in the text are
 * dropped and openers it leaves open are closed, so the text cannot end the isolate early.
 */
export function isolate(text) {
  let open = 0;
  let out = "";
  for (const ch of String(text ?? "")) {
    if (OPENERS.has(ch)) open += 1;
    else if (ch === PDI) {
      if (!open) continue;
      open -= 1;
    }
    out += ch;
  }
  return `\u2068${out}${PDI.repeat(open)}${PDI}`;
}

/** User text as shown among other text: shortened to `n` characters and isolated. */
export const shown = (text, n = 60) => isolate(shorten(text, n));
