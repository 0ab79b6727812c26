// What a Node program imports must type-check with Node's types alone: a project with
// `"lib": ["ES2022"]`, `"types": ["node"]` and `skipLibCheck` off reads these modules (or the
// `.d.ts` JSR makes of them), and a DOM-only name such as `AddEventListenerOptions`,
// `EventListenerOrEventListenerObject` or `ReadableStreamReadResult` fails its `tsc` (TS2304,
// "Cannot find name"), though `deno check` (with the DOM library) passes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { undeclaredCapitalNames } from "../testing/global_names.ts";
import { localModuleGraph, nodeEntryFiles } from "../testing/module_graph.ts";

const root = fileURLToPath(new URL("../", import.meta.url));

/**
 * Global names that ES2022 and `@types/node` 20 both give a Node project (each was checked
 * with `tsc` 5.9 and 7.0 under those settings). Add one only after checking it the same way;
 * a DOM-only type wants a structural type of our own instead (see client/listener_types.ts).
 */
const nodeGlobals = new Set([
  "AbortController",
  "AbortSignal",
  "Array",
  "ArrayBuffer",
  "ArrayBufferLike",
  "ArrayBufferView",
  "Awaited",
  "BigInt",
  "Blob",
  "DataView",
  "Date",
  "Error",
  "ErrorOptions",
  "Event",
  "EventTarget",
  "Float64Array",
  "Function",
  "Headers",
  "Infinity",
  "Int16Array",
  "Int32Array",
  "JSON",
  "Map",
  "Math",
  "NonNullable",
  "Number",
  "Object",
  "Omit",
  "Partial",
  "Pick",
  "Promise",
  "PromiseLike",
  "PropertyKey",
  "RangeError",
  "ReadableStream",
  "ReadableStreamDefaultReader",
  "Readonly",
  "ReadonlyArray",
  "ReadonlyMap",
  "ReadonlySet",
  "Record",
  "RegExp",
  "Request",
  "RequestInit",
  "Required",
  "Response",
  "ReturnType",
  "Set",
  "SharedArrayBuffer",
  "String",
  "Symbol",
  "SyntaxError",
  "TextDecoder",
  "TextEncoder",
  "TypeError",
  "URL",
  "Uint16Array",
  "Uint32Array",
  "Uint8Array",
  "WeakMap",
  "WeakSet",
]);

test("the modules behind the Node entry points use no global name Node's types lack", () => {
  const graph = [...localModuleGraph(nodeEntryFiles())];
  assert.ok(graph.length > 50, `only ${graph.length} modules found: is the import scan broken?`);
  const names = undeclaredCapitalNames(graph.map(([, source]) => source));
  assert.ok(names.has("Uint8Array") && names.has("Promise"), "is the name scan broken?");
  const unknown = [...names]
    .filter(([name]) => !nodeGlobals.has(name))
    .map(([name, users]) => `${name} (${users.map((index) => relative(root, graph[index][0]))})`);
  assert.deepEqual(unknown, []);
});
