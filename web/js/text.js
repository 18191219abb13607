// Display text helpers: pure functions over strings, shared by the panels and the model's
// messages.

/** `text` cut to at most `n` characters, ending with "…" when it was cut. */
export const shorten = (text, n = 60) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
