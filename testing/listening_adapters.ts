/**
 * The `serve…` functions that take `path` and `fallback` and run on this runtime, by name: the
 * Node adapter everywhere, with Bun's under Bun, Deno's and Deno's own TCP under Deno. For
 * tests of routing and fallbacks across adapters.
 *
 * @example
 * ```ts
 * import { listeningAdapters } from "./listening_adapters.ts";
 * console.assert(listeningAdapters[0].name === "node");
 * ```
 * @module
 */

import { serveBun } from "../adapters/bun.ts";
import { type ListenOptions, type RunningServer, serveDeno } from "../adapters/deno.ts";
import { serveDenoTcp } from "../adapters/deno_tcp.ts";
import { serveNode } from "../adapters/node.ts";
import type { Server } from "../server/server.ts";

/** Serves a server with listen options, resolving once it listens. */
export type Serve = (server: Server, options: ListenOptions) => Promise<RunningServer>;

/** The adapters of this runtime that take `path` and `fallback`. */
export const listeningAdapters: readonly { name: string; serve: Serve }[] = [
  { name: "node", serve: serveNode },
  ...("Bun" in globalThis
    ? [{ name: "bun", serve: (s: Server, o: ListenOptions) => Promise.resolve(serveBun(s, o)) }]
    : "Deno" in globalThis
    ? [
      { name: "deno", serve: (s: Server, o: ListenOptions) => Promise.resolve(serveDeno(s, o)) },
      { name: "deno-tcp", serve: serveDenoTcp },
    ]
    : []),
];
