// serveNode's fallback that answers without reading the request body (a 401, 404 or 413 for an
// upload), and the core's answer to a request with a body on the endpoint (426): the next
// request on the same keep-alive connection must still be answered, as on serveBun and
// serveDeno. Run under Node by bundling it as scripts/extra_suites.mjs does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Agent, request as httpRequest } from "node:http";
import { recordingServer } from "../testing/recording_server.ts";
import { RawHttpPeer } from "../testing/raw_http_peer.ts";
import { until } from "../testing/until.ts";
import { serveNode } from "./node.ts";

function send(
  port: number,
  agent: Agent,
  method: string,
  path: string,
  body?: Uint8Array,
): Promise<string> {
  return new Promise((resolve) => {
    const request = httpRequest(
      { host: "127.0.0.1", port, method, path, agent, timeout: 3000 },
      (response) => {
        let text = "";
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve(`${response.statusCode} ${text}`));
      },
    );
    request.on("timeout", () => {
      request.destroy();
      resolve("timeout");
    });
    request.on("error", (error: Error & { code?: string }) => resolve(`error ${error.code}`));
    request.end(body);
  });
}

test("node: a request after an upload the fallback did not read is answered", async () => {
  const { server } = recordingServer({});
  const running = await serveNode(server, {
    path: "/ws",
    fallback: (request) => new Response(`no ${new URL(request.url).pathname}`, { status: 404 }),
  });
  // One keep-alive connection: the GET goes on the socket the POST used.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    assert.equal(
      await send(running.port, agent, "POST", "/upload", new Uint8Array(256 * 1024)),
      "404 no /upload",
    );
    assert.equal(await send(running.port, agent, "GET", "/page"), "404 no /page");
  } finally {
    agent.destroy();
    await running.close();
  }
});

test("node: a fallback still reads a large upload, and the connection goes on", async () => {
  const { server } = recordingServer({});
  const running = await serveNode(server, {
    path: "/ws",
    fallback: async (request) =>
      new Response(`${request.method} ${(await request.arrayBuffer()).byteLength}`),
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    assert.equal(
      await send(running.port, agent, "POST", "/upload", new Uint8Array(1024 * 1024)),
      `200 POST ${1024 * 1024}`,
    );
    assert.equal(await send(running.port, agent, "GET", "/page"), "200 GET 0");
  } finally {
    agent.destroy();
    await running.close();
  }
});

test("node: requests after bodies to the endpoint, or with a bad host, are answered", async () => {
  const { server } = recordingServer({});
  const running = await serveNode(server, { path: "/ws", fallback: () => new Response("page") });
  // Bodies nobody reads: Deno's node:http stalled the connection behind a large one.
  const body = "x".repeat(256 * 1024);
  const chunked = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  const peer = await RawHttpPeer.connect(running.port);
  try {
    peer.write(`POST /ws HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    peer.write(`GET /ws HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`);
    peer.write(`POST /up HTTP/1.1\r\nHost: a b\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    peer.write("GET /page HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => peer.statuses.length === 4, "four answers", 3000).catch(() => {});
    assert.deepEqual(peer.statuses, [426, 426, 400, 200]);
  } finally {
    peer.destroy();
    await running.close();
  }
});
