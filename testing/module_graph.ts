/**
 * The static module graph of this package's own files: what `import` and `export ... from` of
 * relative specifiers reach from some entry modules. Type-only imports count, since their
 * declarations end up in what a type checker reads (JSR's generated `.d.ts` for npm users).
 *
 * @example
 * ```ts
 * import { fileURLToPath } from "node:url";
 * import { localModuleGraph } from "./module_graph.ts";
 * const graph = localModuleGraph([fileURLToPath(new URL("../protocol/mod.ts", import.meta.url))]);
 * console.assert([...graph.keys()].some((file) => file.endsWith("protocol/mod.ts")));
 * ```
 * @module
 */

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The entry points (`deno.json` exports) a Node program uses: not the Deno, Bun or CLI ones. */
const nodeEntries = [
  ".",
  "./client",
  "./server",
  "./session",
  "./protocol",
  "./typed",
  "./redis",
  "./adapters/node",
];

/**
 * The files (absolute paths) of the entry points a Node program imports.
 *
 * @example
 * ```ts
 * import { nodeEntryFiles } from "./module_graph.ts";
 * console.assert(nodeEntryFiles().some((file) => file.endsWith("adapters/node.ts")));
 * ```
 */
export function nodeEntryFiles(): string[] {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const exportsMap: Record<string, string> =
    JSON.parse(readFileSync(`${root}deno.json`, "utf8")).exports;
  return nodeEntries.map((name) => resolve(root, exportsMap[name]));
}

/**
 * The source of `file` without its comments (doc comments name other runtimes freely).
 *
 * @example
 * ```ts
 * import { withoutComments } from "./module_graph.ts";
 * console.assert(withoutComments("/** Deno.serve *\/ const a = 1; // Bun.serve") === " const a = 1; ");
 * ```
 */
export function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

/**
 * Every local module reachable from `entries` (absolute paths), with its source without
 * comments.
 *
 * @example
 * ```ts
 * import { fileURLToPath } from "node:url";
 * import { localModuleGraph } from "./module_graph.ts";
 * const entry = fileURLToPath(new URL("../client.ts", import.meta.url));
 * console.assert(localModuleGraph([entry]).has(entry));
 * ```
 */
export function localModuleGraph(entries: readonly string[]): Map<string, string> {
  const graph = new Map<string, string>();
  const pending = [...entries];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (graph.has(file)) continue;
    const source = withoutComments(readFileSync(file, "utf8"));
    graph.set(file, source);
    for (const match of source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/gm)) {
      pending.push(resolve(dirname(file), match[1]));
    }
  }
  return graph;
}
