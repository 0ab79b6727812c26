// The CLI's client (call, signal, listen) on every runtime it may be imported in, Node 20
// included, which has no global WebSocket: it then takes the `ws` package's. Run under Node by
// scripts/extra_suites.mjs, and under Deno and Bun like every test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serveNode } from "../adapters/node.ts";
import { conformanceService } from "../conformance/service.ts";
import { silentLogger } from "../protocol/logger.ts";
import { Server } from "../server/server.ts";
import { connectClient } from "./connect.ts";

test("the CLI's client connects and asks, whatever WebSocket the runtime has", async () => {
  const server = new Server({ ...conformanceService(), logger: silentLogger });
  const running = await serveNode(server, { port: 0 });
  try {
    const client = await connectClient(running.url, { timeout: 5000 });
    assert.equal((await client.request("echo", "hi")).text(), "hi");
    await client.close();
  } finally {
    await running.close();
  }
});
