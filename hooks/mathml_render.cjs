// Renders TeX to MathML with Temml for the MkDocs hook in math.py.
// Protocol: one JSON request per line on stdin, {"tex": "...", "display": true|false};
// one JSON reply per line on stdout, {"html": "<math>...</math>"} or {"error": "..."}.
"use strict";
const temml = require("temml");
const readline = require("readline");

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on("line", (line) => {
  let reply;
  try {
    const { tex, display } = JSON.parse(line);
    reply = {
      html: temml.renderToString(tex, {
        displayMode: display,
        throwOnError: true,
        strict: true,
        // The TeX source is not kept in the page: screen readers read the MathML
        // itself, and the source would only add elements (and search-index noise).
        annotate: false,
      }),
    };
  } catch (err) {
    reply = { error: String(err && err.message ? err.message : err) };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
});
