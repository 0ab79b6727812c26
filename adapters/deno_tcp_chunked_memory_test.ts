// serveDenoTcp reads a fallback's chunked request body into one buffer: a body sent as many
// one-byte chunks costs about its own size in memory while it comes in, not an object per
// chunk (which came to over a hundred megabytes for a 1 MiB body). Deno only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { connect } from "node:net";
import { withDenoTcpServer } from "../testing/deno_tcp_server.ts";
import { heapAfterGc } from "../testing/heap_after_gc.ts";

const isDeno = "Deno" in globalThis && !("Bun" in globalThis);

/** Bytes of one-byte chunks sent: each arrives as `1\r\n<byte>\r\n`. */
const chunks = 600_000;

test("a body of one-byte chunks is read whole without an object per chunk", {
  skip: !isDeno && "Deno only",
}, async () => {
  // The fallback answers with the body's length and the sum of its bytes.
  const fallback = async (request: Request) => {
    const body = new Uint8Array(await request.arrayBuffer());
    return new Response(`${body.length} ${body.reduce((sum, byte) => sum + byte, 0)}`);
  };
  // The upload takes 8 s on a loaded machine: past the default requestTimeout of 10 s it
  // would be cut (EPIPE), which this test is not about.
  await withDenoTcpServer({ path: "/ws", fallback, requestTimeout: 120_000 }, async ({ port }) => {
    const body = Array.from({ length: chunks / batch }, (_, i) => oneByteChunks(i * batch));
    const before = heapAfterGc();
    let peak = before;
    // What the heap keeps (garbage collected first) while the body comes in.
    const sampling = setInterval(() => peak = Math.max(peak, heapAfterGc()), 20);
    try {
      const answer = await post(port, body);
      assert.match(answer, new RegExp(`^HTTP/1\\.1 200 [^]*\\r\\n\\r\\n${chunks} ${sum()}$`));
    } finally {
      clearInterval(sampling);
    }
    const grown = peak - before;
    assert.ok(grown < 24_000_000, `the heap grew by ${(grown / 1e6).toFixed(1)} MB`);
  });
});

/** Chunks sent in one write, a few milliseconds apart. */
const batch = 10_000;

/** `batch` one-byte chunks from the `from`th byte on: letters a to z in turn. */
function oneByteChunks(from: number): Buffer {
  let text = "";
  for (let i = from; i < from + batch; i++) text += `1\r\n${String.fromCharCode(97 + i % 26)}\r\n`;
  return Buffer.from(text, "latin1");
}

/** The sum of the body's bytes. */
function sum(): number {
  let total = 0;
  for (let i = 0; i < chunks; i++) total += 97 + i % 26;
  return total;
}

/** Posts a chunked body made of `parts` and returns the whole answer. */
function post(port: number, parts: Buffer[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.setEncoding("latin1");
    socket.on("data", (text: string) => answer += text);
    socket.on("error", reject);
    socket.on("close", () => resolve(answer));
    socket.write("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    void (async () => {
      for (const part of parts) {
        await new Promise((written) => socket.write(part, written));
        await new Promise((later) => setTimeout(later, 5));
      }
      socket.write("0\r\n\r\n");
    })();
  });
}
