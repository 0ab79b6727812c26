/**
 * Our server for the fault benchmarks (fuzzing, slow reader): the end-to-end benchmark's server
 * (`bench/e2e/webwire_server.ts`: the conformance service on the runtime's adapter, sessions in
 * memory) with two more things a fault run needs. It prints `SLOW-READER <ms>` (the wall clock,
 * `performance.timeOrigin + performance.now()`) when it closes a connection for not reading, and
 * `LOGGED <message>` on stderr for every error its logger gets, except the failures the service
 * is asked for (the `internal` request). `--max-send-buffer <bytes>` and `--close-timeout <ms>`
 * set those options; `--lifetime` as for every benchmark server.
 *
 * Usage: bun bench/reliability/faults_server.ts [--max-send-buffer B] [--close-timeout MS]
 *        deno run -A bench/reliability/faults_server.ts ...
 *        node dist/bench/faults_server.mjs ... (bundled by bench/reliability/faults.mjs)
 *
 * @module
 */

import process from "node:process";
import { conformanceService } from "../../conformance/service.ts";
import type { Logger } from "../../protocol/logger.ts";
import { Server } from "../../server.ts";
import { MemorySessionManager } from "../../session/mod.ts";
import { announce } from "../e2e/serve_args.ts";
import { serveOnRuntime } from "../e2e/serve_on_runtime.ts";

function option(name: string): number | undefined {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : Number(process.argv[index + 1]);
}

const expected = "internal failure requested by the client";
const logger: Logger = {
  warn: () => {},
  error: (message, ...details) => {
    const text = [message, ...details.map((d) => d instanceof Error ? d.message : String(d))]
      .join(" ");
    if (!text.includes(expected)) console.error(`LOGGED ${text.replaceAll("\n", " ")}`);
  },
};

const server = new Server({
  ...conformanceService(),
  sessionManager: new MemorySessionManager(),
  logger,
  maxSendBuffer: option("--max-send-buffer"),
  closeTimeout: option("--close-timeout"),
  onClientDisconnected: (_connection, reason) => {
    if (reason.kind === "slow-reader") {
      console.log(`SLOW-READER ${performance.timeOrigin + performance.now()}`);
    }
  },
});

announce((await serveOnRuntime(server)).port);
