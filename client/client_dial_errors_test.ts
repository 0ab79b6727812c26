// Connection errors say why, for the failures that can be produced for real on 127.0.0.1: a
// closed port, an HTTP server that answers the upgrade with 404, a server that refuses the
// client with 401, a TLS server with a certificate the client does not trust, and a WebSocket
// server that is not WebWire (it never sends an accept-conf).
import { LoopLateness } from "../conformance/loop_lateness.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { silentLogger } from "../protocol/logger.ts";
import { startScriptedPeer } from "../testing/scripted_peer.ts";
import { startServer } from "../testing/serve.ts";
import { DenoWebSocket } from "../adapters/deno_websocket.ts";
import { Client } from "./client.ts";
import { ConnectionFailedError, DialTimeoutError, DisconnectedError } from "./errors.ts";

const onDeno = "Deno" in globalThis && !("Bun" in globalThis);

/** A TLS server on 127.0.0.1 (the test CA's certificate for localhost) that ends every socket. */
async function tlsServerThatHangsUp(): Promise<{ server: TlsServer; port: number }> {
  const server = createTlsServer({
    cert: readFileSync(new URL("../testing/tls/localhost_cert.pem", import.meta.url)),
    key: readFileSync(new URL("../testing/tls/localhost_key.pem", import.meta.url)),
  }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return { server, port: (server.address() as AddressInfo).port };
}

/** What `connect()` to `url` rejects with: with the runtime's socket, and DenoWebSocket on Deno. */
async function dialErrors(url: string): Promise<[string, ConnectionFailedError][]> {
  const sockets: [string, typeof WebSocket | undefined][] = [["the runtime's", undefined]];
  if (onDeno) sockets.push(["DenoWebSocket", DenoWebSocket as unknown as typeof WebSocket]);
  const errors: [string, ConnectionFailedError][] = [];
  for (const [name, WebSocket] of sockets) {
    const client = new Client(url, {
      logger: silentLogger,
      autoconnect: false,
      ...(WebSocket === undefined ? {} : { WebSocket }),
    });
    errors.push([name, await client.connect().catch((e) => e)]);
    await client.close();
  }
  return errors;
}

function newClient(url: string, dialTimeout = 3000): Client {
  return new Client(url, { logger: silentLogger, autoconnect: false, dialTimeout });
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const probe = await startServer({ logger: silentLogger });
  const port = probe.port;
  await probe.close();
  return port;
}

/** An HTTP server that answers everything, the WebSocket upgrade included, with 404. */
async function notFoundServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: HttpServer = createServer((_request, response) => response.writeHead(404).end());
  server.on("upgrade", (_request, socket) => {
    socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/nowhere`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("Client connection errors", () => {
  it("a closed port: ConnectionFailedError saying the connection was refused", async () => {
    const url = `ws://127.0.0.1:${await closedPort()}/`;
    const client = newClient(url);
    const error = await client.connect().catch((e) => e);
    assert.ok(error instanceof ConnectionFailedError, String(error));
    assert.ok(error instanceof DisconnectedError);
    // Node's ws says ECONNREFUSED; Deno "tcp connect error" and Bun "Failed to connect" do not
    // tell a refusal from an unreachable host.
    assert.ok(["refused", "network"].includes(error.kind), error.kind);
    assert.match(
      error.message,
      new RegExp(`^could not connect to ${url}: (connection refused|no TCP connection)`),
    );
    assert.notEqual(error.detail, "");
    await client.close();
  });

  it("an HTTP 404 to the upgrade: ConnectionFailedError with the status", async () => {
    const server = await notFoundServer();
    const client = newClient(server.url);
    const error = await client.connect().catch((e) => e);
    assert.ok(error instanceof ConnectionFailedError, String(error));
    assert.equal(error.kind, "http-status");
    assert.equal(error.status, 404);
    assert.match(error.message, /answered the WebSocket upgrade with HTTP 404/);
    await client.close();
    await server.close();
  });

  it("an upgrade the server's beforeUpgrade refused with 401: says the client was refused", async () => {
    const running = await startServer({
      logger: silentLogger,
      beforeUpgrade: () => new Response("who are you?", { status: 401 }),
    });
    const client = newClient(running.url);
    const error = await client.connect().catch((e) => e);
    assert.ok(error instanceof ConnectionFailedError, String(error));
    assert.equal(error.kind, "http-status");
    assert.equal(error.status, 401);
    assert.match(error.message, /HTTP 401 \(the server refused this client/);
    await client.close();
    await running.close();
  });

  it("a wss: server whose certificate the client does not trust: the TLS handshake failed", async () => {
    const { server, port } = await tlsServerThatHangsUp();
    const client = newClient(`wss://localhost:${port}/`);
    const error = await client.connect().catch((e) => e);
    assert.ok(error instanceof ConnectionFailedError, String(error));
    assert.equal(error.kind, "tls", error.detail);
    assert.match(
      error.message,
      /the TLS handshake failed \(a certificate this client does not trust/,
    );
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it("a wss: URL to a server without TLS: says so, not 'no TCP connection'", async () => {
    // A common slip: wss: for a server that serves ws:, or the port of a plain server. The
    // runtimes say it in their own words (Deno "received corrupt message of type
    // InvalidContentType", Bun and Node's ws OpenSSL's "wrong version number").
    const running = await startServer({ logger: silentLogger });
    for (const [name, error] of await dialErrors(`wss://127.0.0.1:${running.port}/`)) {
      assert.ok(error instanceof ConnectionFailedError, `${name}: ${error}`);
      assert.equal(error.kind, "tls", `${name}: ${error.detail}`);
      assert.match(
        error.message,
        /: the TLS handshake failed: the server answered without TLS \(a ws: server/,
        name,
      );
    }
    await running.close();
  });

  it("a ws: URL to a TLS server: no answer to the upgrade, not 'no TCP connection'", async () => {
    const { server, port } = await tlsServerThatHangsUp();
    server.on("tlsClientError", () => {}); // the client's plain HTTP is no ClientHello
    for (const [name, error] of await dialErrors(`ws://127.0.0.1:${port}/`)) {
      assert.ok(error instanceof ConnectionFailedError, `${name}: ${error}`);
      assert.doesNotMatch(error.message, /no TCP connection/, name);
      assert.match(
        error.message,
        /: the server ended the connection without answering the WebSocket upgrade \(a wss:/,
        `${name}: ${error.detail}`,
      );
    }
    await new Promise((resolve) => server.close(resolve));
  });

  it("a WebSocket server that sends no accept-conf: 'is this a WebWire endpoint?'", async () => {
    const peer = await startScriptedPeer({}); // opens the socket, then says nothing
    const client = newClient(peer.url, 300);
    const lateness = LoopLateness.start();
    const started = Date.now();
    const error = await client.connect().catch((e) => e);
    const elapsed = Date.now() - started;
    const late = lateness.stop();
    assert.ok(error instanceof DialTimeoutError, String(error));
    assert.equal(error.opened, true);
    assert.equal(
      error.message,
      "the socket opened but no accept-conf arrived within 300 ms: is this a WebWire endpoint?",
    );
    assert.ok(elapsed < 2000 + late, `${elapsed} ms (event loop ${Math.round(late)} ms late)`);
    await client.close();
    await peer.close();
  });

  it("a WebSocket server that closes without an accept-conf: the same question", async () => {
    const peer = await startScriptedPeer({ onOpen: (socket) => socket.close(4321, "who are you") });
    const client = newClient(peer.url);
    const error = await client.connect().catch((e) => e);
    assert.ok(error instanceof DisconnectedError, String(error));
    assert.match(
      error.message,
      /opened but closed before an accept-conf arrived .*WebWire endpoint\?/,
    );
    assert.equal(error.code, 4321);
    assert.equal(error.reason, "who are you");
    await client.close();
    await peer.close();
  });
});
