// A server whose process stalls (busy, paused, not scheduled) for longer than its read timeout
// while a client's heartbeat arrives must not close that client for silence: the heartbeat
// waits unread in the socket until the stall ends, and a read-timeout check that ran before
// the runtime read it closed the connection (4000) on Bun and Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { MessageType } from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { maskedFrame } from "../testing/ws_frame.ts";

const client = fileURLToPath(new URL("../testing/delayed_frames_client.mjs", import.meta.url));
const readTimeout = 1_000;

for (const adapter of adaptersOfThisRuntime.filter((a) => a !== "hono")) {
  test(`a heartbeat that came during a stall keeps its connection (${adapter} adapter)`, async () => {
    const running = await startServer({ adapter, logger: silentLogger, readTimeout });
    const heartbeat = maskedFrame(new Uint8Array([MessageType.Heartbeat]));
    const hex = Array.from(heartbeat, (b) => b.toString(16).padStart(2, "0")).join("");
    // The machine's Node: a client this process's stall does not stall. Its heartbeat goes
    // 200 ms after the accept-conf, while this process is stalled.
    const child = spawn("node", [client, String(running.port), "200", hex], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout!.setEncoding("utf8");
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      let stalledAt = 0;
      await new Promise<void>((resolve) => {
        child.stdout!.on("data", (chunk: string) => {
          output += chunk;
          if (stalledAt !== 0 || !output.includes("CONNECTED")) return;
          stalledAt = Date.now();
          // Longer than the read timeout, measured from the last frame before the heartbeat.
          while (Date.now() < stalledAt + readTimeout * 1.3) { /* busy */ }
          resolve();
        });
      });
      // The heartbeat was read after the stall: its read timeout runs from then on.
      await new Promise((resolve) => setTimeout(resolve, readTimeout * 0.5));
      assert.doesNotMatch(output, /CLOSE/, "closed for silence after the stall");
      // Silent since: closed for it, as without a stall.
      await until(() => output.includes("CLOSE"), "closed for silence", 5_000);
      assert.match(output, /CLOSE 4000/);
      await exited;
    } finally {
      child.kill();
      await running.close();
    }
  });
}
