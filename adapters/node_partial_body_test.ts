// serveNode's fallback that reads part of an upload, or cancels its body, then answers: the next
// request pipelined on that keep-alive connection must still be answered (the rest discarded).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { connect } from "node:net";
import { recordingServer } from "../testing/recording_server.ts";
import { serveNode } from "./node.ts";

/** The status lines of a 4 MiB upload and a GET sent after it on one connection, in order. */
async function statusesAfterUpload(mode: "partial" | "cancel"): Promise<string[]> {
  const { server } = recordingServer({});
  const running = await serveNode(server, {
    path: "/ws",
    fallback: async (request) => {
      if (request.method !== "POST") return new Response("page");
      if (mode === "partial") {
        const reader = request.body!.getReader();
        await reader.read(); // looks at the first chunk only (a magic number, say)
        reader.releaseLock();
      } else await request.body?.cancel(); // the standard "I do not want it"
      return new Response("no", { status: 413 });
    },
  });
  const size = 4 * 1024 * 1024;
  const socket = connect(running.port, "127.0.0.1");
  let got = "";
  socket.on("data", (chunk) => (got += chunk.toString("latin1")));
  socket.on("error", () => {});
  socket.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`);
  socket.write(Buffer.alloc(size));
  socket.write(`GET /page HTTP/1.1\r\nHost: x\r\n\r\n`);
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && (got.match(/HTTP\/1\.1 \d+/g) ?? []).length < 2) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  socket.destroy();
  await running.close();
  return got.match(/HTTP\/1\.1 \d+/g) ?? [];
}

test("node: a request after an upload the fallback read in part is answered", async () => {
  assert.deepEqual(await statusesAfterUpload("partial"), ["HTTP/1.1 413", "HTTP/1.1 200"]);
});

test("node: a request after an upload whose body the fallback cancelled is answered", async () => {
  assert.deepEqual(await statusesAfterUpload("cancel"), ["HTTP/1.1 413", "HTTP/1.1 200"]);
});
