// Type-checks the `ts ignore` code blocks of the user documentation against the current API.
// `deno test --doc` checks and runs the plain `ts` blocks; the `ignore` ones cannot run (they
// listen on port 8080, need Redis, or are fragments of a handler), so they are checked here.
// Each block becomes a module in a temporary directory, checked with the project's deno.json (so
// `@webwire/webwire/...` resolves to this checkout). A fragment may use the names below without
// defining them: each is declared on the module's first line only when the block uses it and
// does not define or import it, so an error's line maps back to the block's own line.
// Usage: node scripts/check_doc_snippets.mjs   (exit 1 and the errors when a block fails)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const deno = join(root, "node_modules", ".bin", "deno");

/** Names a documentation fragment may take as given, and what they stand for. */
const givenNames = {
  server: 'declare const server: import("@webwire/webwire/server").Server;',
  connection: 'declare const connection: import("@webwire/webwire/server").Connection;',
  running: 'declare const running: import("@webwire/webwire/adapters/deno").RunningServer;',
  app: 'declare const app: import("hono").Hono;',
  page: "declare const page: string;",
  url: "declare const url: string;",
  sessionKey: "declare const sessionKey: string;",
  verify: "declare function verify(authorization: string | null): Promise<string | null>;",
  showLogin: "declare function showLogin(): void;",
  getToken: "declare function getToken(): Promise<string>;",
  Server: 'import { Server } from "@webwire/webwire/server";',
  serveDeno: 'import { serveDeno } from "@webwire/webwire/adapters/deno";',
  Bun: "declare const Bun: { serve(options: { port?: number; fetch(request: Request): " +
    "Response | Promise<Response>; websocket?: object }): unknown };",
};

const documents = [
  "README.md",
  ...readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md")).map((name) =>
    `docs/${name}`
  ),
  "examples/chat/README.md",
];

/**
 * The `ts ignore` blocks of one markdown file, with the line each one's code starts on: fenced
 * by backticks or tildes, also indented (in a list item), the indentation taken off.
 */
function ignoredBlocks(document) {
  const lines = readFileSync(join(root, document), "utf8").split("\n");
  const blocks = [];
  let open = null;
  lines.forEach((line, index) => {
    if (open === null) {
      const fence = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\b(.*)$/.exec(line);
      if (fence !== null && /\bignore\b/.test(fence[4])) {
        open = { start: index + 2, indent: fence[1].length, fence: fence[2], code: [] };
      }
    } else if (closes(line, open.fence)) {
      blocks.push(open);
      open = null;
    } else {
      open.code.push(line.slice(Math.min(open.indent, line.length - line.trimStart().length)));
    }
  });
  if (open !== null) throw new Error(`${document}:${open.start - 1}: a code block is never closed`);
  return blocks;
}

/** Whether `line` closes a block opened by `fence`: at least as many of the same character. */
function closes(line, fence) {
  return new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`).test(line);
}

/** The code without its comments, so that a name in a comment does not count as used. */
function withoutComments(code) {
  return code.replace(/\/\*[^]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1");
}

function defines(code, name) {
  const declared = new RegExp(`\\b(?:const|let|var|function|class)\\s+${name}\\b`);
  const destructured = new RegExp(`\\b(?:const|let|var)\\s*\\{[^}]*\\b${name}\\b[^}]*\\}\\s*=`);
  const imported = new RegExp(`^import[^;]*\\b${name}\\b[^;]*from`, "ms");
  return declared.test(code) || destructured.test(code) || imported.test(code);
}

function moduleText(code) {
  const used = withoutComments(code);
  const given = Object.entries(givenNames)
    .filter(([name]) => new RegExp(`\\b${name}\\b`).test(used) && !defines(code, name))
    .map(([, declaration]) => declaration);
  return [`export {}; ${given.join(" ")}`, code].join("\n");
}

// Inside the checkout: npm packages resolve from its node_modules as they do for its own files.
const directory = mkdtempSync(join(root, ".doc-snippets-"));
const origins = new Map();
try {
  for (const document of documents) {
    for (const block of ignoredBlocks(document)) {
      const file = join(directory, `${document.replaceAll("/", "_")}_${block.start}.ts`);
      writeFileSync(file, moduleText(block.code.join("\n")));
      origins.set(file, { document, start: block.start });
    }
  }
  const result = spawnSync(
    deno,
    ["check", "--config", join(root, "deno.json"), ...origins.keys()],
    {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    },
  );
  // Point each error at the markdown line: the module's line n is the block's line n - 1.
  let output = `${result.stdout}${result.stderr}`;
  for (const [file, { document, start }] of origins) {
    const at = new RegExp(`(?:file://)?${file.replaceAll(".", "\\.")}:(\\d+):(\\d+)`, "g");
    output = output.replace(
      at,
      (_, line, column) => `${document}:${start + Number(line) - 2}:${column}`,
    );
  }
  if (result.status !== 0) {
    process.stdout.write(output.replace(/^Check .*\n/gm, ""));
    console.log(`documentation blocks: ${origins.size} checked, some failed (see above)`);
    process.exitCode = 1;
  } else {
    console.log(`documentation blocks: ${origins.size} checked, all type-check`);
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}
