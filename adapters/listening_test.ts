// What a Node program imports must type-check without Deno's or Bun's namespace: JSR turns
// each module into a `.d.ts` for npm, and one that names `Deno.ServeHandlerInfo` fails a Node
// project's `tsc` (TS2503, "Cannot find namespace 'Deno'") unless it skips library checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { localModuleGraph, nodeEntryFiles } from "../testing/module_graph.ts";

const root = fileURLToPath(new URL("../", import.meta.url));

test("the modules behind the Node entry points name no Deno or Bun namespace", () => {
  const graph = localModuleGraph(nodeEntryFiles());
  assert.ok(graph.size > 50, `only ${graph.size} modules found: is the import scan broken?`);
  const offenders = [...graph]
    .filter(([, source]) => /\b(?:Deno|Bun)\.[A-Za-z]/.test(source))
    .map(([file]) => relative(root, file));
  assert.deepEqual(offenders, []);
});
