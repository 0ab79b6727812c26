// An upgrade refused with a plain HTTP answer (a `beforeUpgrade` refusal, a bad handshake, the
// fallback's answer off the endpoint) reaches a client that sent more than its request head.
// Closing the socket as soon as the answer was handed to the kernel, with the client's bytes
// still unread, resets the connection (RST), and the reset can destroy the answer before the
// client reads it; `serveDenoTcp` shuts its side and lingers instead, as the Node adapter now
// does. Runs under Deno and Bun (their `node:http`), and under Node after
// scripts/extra_suites.mjs has bundled it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { silentLogger } from "../protocol/logger.ts";
import { Server } from "../server/server.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { upgradeHead } from "../testing/raw_exchange.ts";
import { serveNode } from "./node.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends an upgrade head, then 1 KB every millisecond until the server's answer ends (or 200 ms);
 * resolves with what came back, or "reset" when the connection was reset before any of it.
 */
function refusedWhileSending(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    let sending = true;
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => text += chunk);
    socket.on("error", () => {
      sending = false;
      resolve(text === "" ? "reset" : text);
    });
    socket.on("end", () => {
      sending = false;
      socket.destroy();
      resolve(text);
    });
    socket.write(upgradeHead("Sec-WebSocket-Version: 13\r\n"));
    void (async () => {
      for (let i = 0; sending && i < 200; i++) {
        socket.write(new Uint8Array(1000));
        await sleep(1);
      }
    })();
  });
}

test("node: a refused upgrade's answer reaches a client that sent more than its head", async () => {
  const server = new Server({
    sessionManager: new MemorySessionManager(),
    logger: silentLogger,
    beforeUpgrade: async () => {
      await sleep(30); // the client's bytes are in by now, unread
      return new Response("go away\n", { status: 403 });
    },
  });
  const running = await serveNode(server, { port: 0, hostname: "127.0.0.1" });
  try {
    const answers: string[] = [];
    for (let i = 0; i < 20; i++) answers.push(await refusedWhileSending(running.port));
    const refused = answers.filter((answer) =>
      /^HTTP\/1\.1 403 [^]*\r\n\r\ngo away\n$/.test(answer)
    );
    assert.equal(
      refused.length,
      20,
      `answers: ${JSON.stringify(answers.map((a) => a.slice(0, 20)))}`,
    );
  } finally {
    await running.close();
  }
});
