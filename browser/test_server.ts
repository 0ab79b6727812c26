/**
 * The WebWire server of the browser test: the conformance service on the Deno adapter, on
 * 127.0.0.1 and a free port. Prints its URL as the first line of stdout, and as the second
 * `closing <url>`, the URL of a peer that leaves a client's socket closing on request
 * (`testing/closing_peer.ts`); then runs until stdin closes (its parent is gone) or it gets
 * SIGTERM/SIGINT, and shuts down gracefully.
 *
 * Usage: deno run -A browser/test_server.ts
 *
 * @module
 */

import { serveDeno } from "../adapters/deno.ts";
import { conformanceService } from "../conformance/service.ts";
import { Server } from "../server/server.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { startClosingPeer } from "../testing/closing_peer.ts";

const server = new Server({
  ...conformanceService(),
  sessionManager: new MemorySessionManager(),
});
const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
console.log(running.url);
const closing = await startClosingPeer();
console.log(`closing ${closing.url}`);

async function closeBoth(): Promise<void> {
  await Promise.all([running.close(), closing.close()]);
}

let stopping: Promise<void> | null = null;
function stop(): Promise<void> {
  stopping ??= closeBoth().finally(() => Deno.exit(0));
  return stopping;
}
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
// When the parent dies without a signal, its end of stdin closes: do not outlive it.
for await (const _ of Deno.stdin.readable) {
  // The parent sends nothing; reading only notices the end.
}
await stop();
