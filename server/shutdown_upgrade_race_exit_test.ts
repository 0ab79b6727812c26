// A socket that opens after the shutdown began (its upgrade accepted just before) must not keep
// the process alive once `running.close()` resolved: a script whose client never answers the
// close frame (and lets its own socket go, `unref`) ends by itself. Real processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

const closeTimeout = 500;
const isBun = "Bun" in globalThis;
const adapters = ["runtime", "node", ...(isBun ? [] : ["deno-tcp"])];
const serve = fileURLToPath(new URL("../testing/serve.ts", import.meta.url));
const logger = fileURLToPath(new URL("../protocol/logger.ts", import.meta.url));

/**
 * Shuts the server down 0, 1, 2, ... microtask turns after `beforeUpgrade` said yes, until the
 * socket opens after the shutdown began (its first frame is the close); prints "closed" once
 * `running.close()` resolved, and leaves the socket to the server.
 */
const script = (adapter: string) => `
import { connect } from "node:net";
import { startServer } from ${JSON.stringify(serve)};
import { silentLogger } from ${JSON.stringify(logger)};
const afterTicks = (ticks, then) =>
  ticks === 0 ? then() : queueMicrotask(() => afterTicks(ticks - 1, then));
for (let ticks = 0; ticks <= 20; ticks++) {
  let closing;
  const running = await startServer({
    adapter: ${JSON.stringify(adapter)},
    logger: silentLogger,
    closeTimeout: ${closeTimeout},
    beforeUpgrade: () => (afterTicks(ticks, () => closing = running.close()), {}),
  });
  const socket = connect({ port: running.port, host: "127.0.0.1", allowHalfOpen: true });
  socket.on("error", () => {});
  socket.write("GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nUpgrade: websocket\\r\\n" +
    "Connection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\n" +
    "Sec-WebSocket-Version: 13\\r\\n\\r\\n");
  let bytes = "";
  const late = await new Promise((resolve) => {
    const done = (value) => {
      socket.removeAllListeners("data");
      resolve(value);
    };
    socket.on("data", (chunk) => {
      bytes += chunk.toString("latin1");
      const end = bytes.indexOf("\\r\\n\\r\\n");
      if (end === -1) return;
      if (!bytes.startsWith("HTTP/1.1 101")) return done(false);
      if (bytes.length > end + 4) done(bytes.charCodeAt(end + 4) === 0x88);
    });
    socket.once("end", () => done(false));
  });
  if (!late) {
    socket.destroy();
    await closing;
    continue;
  }
  socket.unref(); // it never answers: only the server may keep the process alive now
  await closing;
  console.log("closed");
  break;
}
`;

for (const adapter of adapters) {
  test(`a socket upgraded as the shutdown begins does not keep the process alive (${adapter})`, {
    timeout: 60_000,
  }, async () => {
    const runtime = isBun
      ? [process.execPath, "-e", script(adapter)]
      : [process.execPath, "eval", "--ext=ts", script(adapter)];
    const child = spawn(runtime[0], runtime.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let closedAt = 0;
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      output += chunk;
      if (closedAt === 0 && output.includes("closed")) closedAt = performance.now();
    });
    child.stderr!.on("data", (chunk: string) => output += chunk);
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.once("exit", (exitCode, exitSignal) => resolve([exitCode, exitSignal]))
    );
    clearTimeout(timer);
    const exitedAfter = closedAt === 0 ? -1 : performance.now() - closedAt;
    assert.equal(signal, null, `still running after 20 s: ${output}`);
    assert.equal(code, 0, output);
    assert.equal(output, "closed\n", "the shutdown began after an upgrade was accepted");
    // A close deadline left running would hold it at most closeTimeout; a socket, for good.
    assert.ok(exitedAfter <= closeTimeout + 2000, `exited ${Math.round(exitedAfter)} ms later`);
  });
}
