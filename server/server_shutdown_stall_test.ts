// A graceful shutdown that begins right after the server's process was stalled (busy, or not
// scheduled): requests the client sent before the shutdown began, still unread by the server,
// get the shutdown reply instead of being cut off by the close frame. The quiet pause the
// server waits for before its close frame was measured from the last frame it had read, so a
// stall looked like a quiet client (found by bench/reliability's shutdown under load).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { maskedFrame } from "../testing/ws_frame.ts";

const client = fileURLToPath(new URL("../testing/delayed_frames_client.mjs", import.meta.url));
const requests = 8;

function hexOfRequests(): string {
  const frames = Array.from(
    { length: requests },
    (_, i) =>
      maskedFrame(encodeRequest({ id: requestIdFromNumber(i + 1), name: "echo", payload: "x" })),
  );
  return frames.map((f) => Array.from(f, (b) => b.toString(16).padStart(2, "0")).join("")).join("");
}

for (const adapter of adaptersOfThisRuntime.filter((a) => a !== "hono")) {
  test(`requests unread when a shutdown begins after a stall get the shutdown reply (${adapter} adapter)`, async () => {
    const running = await startServer({
      adapter,
      logger: silentLogger,
      onRequest: (request) => request.payload,
    });
    // The machine's Node: a client this process's stall does not stall.
    const child = spawn("node", [client, String(running.port), "100", hexOfRequests()], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout!.setEncoding("utf8");
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let closing: Promise<void> | undefined;
    await new Promise<void>((resolve) => {
      child.stdout!.on("data", (chunk: string) => {
        output += chunk;
        if (closing !== undefined || !output.includes("CONNECTED")) return;
        // Stalled while the client's requests arrive, then the shutdown begins at once.
        const until = Date.now() + 400;
        while (Date.now() < until) { /* busy */ }
        closing = running.close();
        resolve();
      });
    });
    await closing;
    await exited;
    const lines = output.trim().split("\n");
    const replies = lines.filter((line) => line === "MESSAGE 1").length;
    assert.equal(replies, requests, `shutdown replies to the ${requests} requests:\n${output}`);
    assert.equal(lines.at(-1), "CLOSE 1001");
  });
}
