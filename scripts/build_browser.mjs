// Bundles for browsers with esbuild (ESM, minified, with source maps):
// - dist/webwire-client.js: the portable client (client.ts);
// - dist/webwire-typed.js: the client and the typed layer's client side, TypedClient and its
//   helpers (scripts/webwire_typed.ts), without the typed router and TypedServer;
// - dist/chat.js: the chat example's page (examples/chat/page.ts), with the client and the
//   typed layer in it, as an app's bundler would make it.
// Fails when a bundle would pull in anything that is not client code: the server, the session
// managers, an adapter, or a Node/Deno/Bun module.
// Usage: node scripts/build_browser.mjs        (npm run build:browser)
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundles = [
  { entry: "client.ts", outfile: "dist/webwire-client.js", what: "the client bundle" },
  {
    entry: "scripts/webwire_typed.ts",
    outfile: "dist/webwire-typed.js",
    what: "the typed client bundle",
    // A server's part of the typed layer: it serves requests, a page only makes them.
    forbidden: [/^typed\/(router|typed_server|handler_map|payload_reader)\.ts$/],
  },
  { entry: "examples/chat/page.ts", outfile: "dist/chat.js", what: "the chat page's bundle" },
];

// Browsers without a build step load these files as they are: no newer syntax than these support.
const target = ["chrome109", "firefox115", "safari16", "edge109"];

// Modules a page must never reach: they would drag server or runtime code into it.
const forbiddenInputs = [
  /^server[./]/,
  /^session\/(?!session_manager\.ts$)/,
  /^adapters\//,
  /^testing\//,
];
const forbiddenImports = /^(node|deno|bun):|^(fs|path|os|net|http|crypto|ws)$/;

const posix = (path) => relative(root, join(root, path)).replaceAll("\\", "/");

/** Builds one bundle; returns its problems (empty when browser-clean) and its input count. */
async function bundle({ entry, outfile, forbidden = [] }) {
  const out = join(root, outfile);
  mkdirSync(dirname(out), { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: out,
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
  const problems = [];
  for (const input of Object.keys(result.metafile.inputs)) {
    const path = posix(input);
    if ([...forbiddenInputs, ...forbidden].some((pattern) => pattern.test(path))) {
      problems.push(`the bundle includes ${path}`);
    }
    for (const imported of result.metafile.inputs[input].imports) {
      if (imported.external || forbiddenImports.test(imported.path)) {
        problems.push(`${path} imports ${imported.path}`);
      }
    }
  }
  // The session manager interface is imported for its types only, so it must leave no code.
  const output = result.metafile.outputs[posix(outfile)];
  for (const input of Object.keys(output?.inputs ?? {})) {
    if (input.startsWith("session/") && output.inputs[input].bytesInOutput > 0) {
      problems.push(`the bundle contains code of ${input}`);
    }
  }
  const code = readFileSync(out, "utf8");
  for (const global of ["Deno.", "Bun.", "require("]) {
    if (code.includes(global)) problems.push(`the bundle refers to ${global}`);
  }
  return { problems, inputs: Object.keys(result.metafile.inputs).length };
}

const kib = (file) => (statSync(join(root, file)).size / 1024).toFixed(1);
let failed = false;
for (const spec of bundles) {
  let built;
  try {
    built = await bundle(spec);
  } catch (error) {
    console.error(`build:browser: esbuild failed on ${spec.entry}: ${error.message}`);
    process.exit(1);
  }
  if (built.problems.length > 0) {
    failed = true;
    console.error(
      `build:browser: ${spec.what} is not browser-clean:\n  ${built.problems.join("\n  ")}`,
    );
    continue;
  }
  console.log(
    `build:browser: ${spec.outfile} (${kib(spec.outfile)} KiB, source map ${
      kib(`${spec.outfile}.map`)
    } KiB) from ${built.inputs} modules`,
  );
}
if (failed) process.exit(1);
