// Bundles the portable client (client.ts) for browsers with esbuild: dist/webwire-client.js
// (ESM, minified) and its source map. Fails when the bundle would pull in anything that is not
// client code: the server, the session managers, an adapter, or a Node/Deno/Bun module.
// Usage: node scripts/build_browser.mjs        (npm run build:browser)
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(root, "dist", "webwire-client.js");

// Browsers without a build step load this file as is: no newer syntax than these support.
const target = ["chrome109", "firefox115", "safari16", "edge109"];

// Modules the client must never reach: they would drag server or runtime code into pages.
const forbiddenInputs = [
  /^server[./]/,
  /^session\/(?!session_manager\.ts$)/,
  /^adapters\//,
  /^testing\//,
];
const forbiddenImports = /^(node|deno|bun):|^(fs|path|os|net|http|crypto|ws)$/;

mkdirSync(dirname(outfile), { recursive: true });
let result;
try {
  result = await build({
    absWorkingDir: root,
    entryPoints: ["client.ts"],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    target,
    minify: true,
    sourcemap: true,
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
  });
} catch (error) {
  console.error(`build:browser: esbuild failed: ${error.message}`);
  process.exit(1);
}

const problems = [];
for (const input of Object.keys(result.metafile.inputs)) {
  const path = relative(root, join(root, input)).replaceAll("\\", "/");
  if (forbiddenInputs.some((pattern) => pattern.test(path))) {
    problems.push(`the bundle includes ${path}`);
  }
  for (const imported of result.metafile.inputs[input].imports) {
    if (imported.external || forbiddenImports.test(imported.path)) {
      problems.push(`${path} imports ${imported.path}`);
    }
  }
}
// The session manager interface is imported for its types only, so it must leave no code.
const output = result.metafile.outputs[relative(root, outfile).replaceAll("\\", "/")];
for (const input of Object.keys(output?.inputs ?? {})) {
  if (input.startsWith("session/") && output.inputs[input].bytesInOutput > 0) {
    problems.push(`the bundle contains code of ${input}`);
  }
}
const code = readFileSync(outfile, "utf8");
for (const global of ["Deno.", "Bun.", "require("]) {
  if (code.includes(global)) problems.push(`the bundle refers to ${global}`);
}
if (problems.length > 0) {
  console.error(
    `build:browser: the client bundle is not browser-clean:\n  ${problems.join("\n  ")}`,
  );
  process.exit(1);
}

const inputs = Object.keys(result.metafile.inputs).length;
const kib = (file) => (statSync(file).size / 1024).toFixed(1);
console.log(
  `build:browser: ${relative(root, outfile)} (${kib(outfile)} KiB, source map ${
    kib(`${outfile}.map`)
  } KiB) from ${inputs} modules`,
);
