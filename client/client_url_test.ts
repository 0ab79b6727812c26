// The server URL is checked when the client is made, as the WebSocket constructor checks it:
// ws: and wss: are taken, http: and https: stand for them, anything else (no scheme, another
// scheme, a fragment) is a SyntaxError at once instead of a dial that fails, and is retried,
// for good. A WebSocket constructor that throws all the same (an implementation passed in
// refuses the dial) ends the attempts: retrying cannot help. ws+unix: and wss+unix: URLs (a
// Unix domain socket, which Node's `ws` and Bun's WebSocket take) are kept as given, and a
// relative URL in a page is resolved against its base URL, as the browser resolves it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeHandlers } from "../adapters/node.ts";
import { silentLogger } from "../protocol/logger.ts";
import { Server } from "../server/server.ts";
import { nextEvent } from "../testing/client_support.ts";
import { startServer } from "../testing/serve.ts";
import { Client } from "./client.ts";
import { webSocketUrl } from "./websocket_url.ts";

const isBun = "Bun" in globalThis;

describe("Client URL", () => {
  for (
    const [url, why] of [
      ["localhost:1234", /the scheme must be ws: or wss: \(or http: or https:\), got localhost:/],
      ["ftp://127.0.0.1/", /the scheme must be ws: or wss: \(or http: or https:\), got ftp:/],
      ["ws://127.0.0.1:1/#top", /a WebSocket URL has no fragment/],
      ["ws://127.0.0.1:1/#", /a WebSocket URL has no fragment/],
      ["ws://[::1", /not a valid absolute URL/],
      ["/ws", /not a valid absolute URL/], // relative, and no page to resolve it against
    ] as const
  ) {
    it(`refuses ${url} with a SyntaxError when the client is made`, () => {
      assert.throws(
        () => new Client(url, { logger: silentLogger }),
        (error) =>
          error instanceof SyntaxError && error.message.startsWith(`bad server URL "${url}": `) &&
          why.test(error.message),
      );
    });
  }

  it("takes http: for ws: (and https: for wss:), as the WebSocket constructor does", async () => {
    const running = await startServer({ logger: silentLogger });
    const http = running.url.replace(/^ws:/, "http:");
    const client = new Client(http, { logger: silentLogger, autoconnect: false });
    assert.equal(client.url, running.url);
    assert.equal(
      new Client("HTTPS://example.com/ws", { autoconnect: false }).url,
      "wss://example.com/ws",
    );
    const url = new URL(running.url);
    assert.equal(new Client(url, { autoconnect: false }).url, running.url);
    try {
      await client.connect();
      assert.equal(client.status, "connected");
    } finally {
      await client.close();
      await running.close();
    }
  });

  it("keeps ws+unix: and wss+unix: URLs as given; Bun's WebSocket dials one", async () => {
    for (
      const url of ["ws+unix:///tmp/app.sock:/ws", "WSS+UNIX:///tmp/app.sock", "ws+unix:/a.sock"]
    ) {
      assert.equal(new Client(url, { autoconnect: false }).url, url);
    }
    assert.throws(() => new Client("ws+unix:///tmp/app.sock:/ws#x"), SyntaxError);
    if (!isBun) return; // Deno's WebSocket takes ws: and wss: only (ws+unix: on ws: client_node)
    const server = new Server({ logger: silentLogger, onRequest: (request) => request.payload });
    const { request, upgrade } = nodeHandlers(server);
    const http = createServer(request).on("upgrade", upgrade);
    const directory = mkdtempSync(join(tmpdir(), "webwire-"));
    const socketPath = join(directory, "server.sock");
    await new Promise<void>((resolve) => http.listen(socketPath, resolve));
    const client = new Client(`ws+unix://${socketPath}:/ws`, { logger: silentLogger });
    try {
      assert.equal((await client.request("echo", "over unix")).text(), "over unix");
    } finally {
      await client.close();
      await server.shutdown();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("resolves a relative URL against the page's base URL (<base href>), else its address", () => {
    // What `new WebSocket("ws")` gives on http://host/app/page/index.html with <base href="/app/">.
    const base = "http://127.0.0.1:8080/app/";
    assert.equal(webSocketUrl("ws", base), "ws://127.0.0.1:8080/app/ws");
    assert.equal(webSocketUrl("/ws?x=1", "https://example.com/app/"), "wss://example.com/ws?x=1");
    // A page: document.baseURI comes before location.href (set here as a browser would have it).
    const page = globalThis as { document?: unknown };
    const hadDocument = "document" in page;
    const document = page.document;
    page.document = { baseURI: base };
    try {
      assert.equal(new Client("ws", { autoconnect: false }).url, "ws://127.0.0.1:8080/app/ws");
      page.document = { baseURI: "" }; // no base: the page's address, here none (no location)
      if (!("location" in globalThis)) assert.throws(() => new Client("ws"), SyntaxError);
    } finally {
      if (hadDocument) page.document = document;
      else delete page.document;
    }
  });

  it("a WebSocket constructor that throws ends the attempts: no retry", async () => {
    // The runtime's own WebSocket, asked for a sub-protocol name that is no token: it throws a
    // SyntaxError from its constructor, whatever the server.
    class RefusingWebSocket extends WebSocket {
      constructor(url: string) {
        super(url, "not a token");
      }
    }
    const client = new Client("ws://127.0.0.1:1/", {
      logger: silentLogger,
      WebSocket: RefusingWebSocket,
      reconnect: { initialDelay: 10, maxDelay: 20 },
    });
    const failed = nextEvent(client, "connectfailed", 2000);
    try {
      const error = await client.connect().catch((e: unknown) => e);
      // A DOMException in Deno, a SyntaxError in Bun: both named so.
      assert.ok(error instanceof Error && error.name === "SyntaxError", String(error));
      const { detail } = await failed;
      assert.equal(detail.error, error);
      assert.equal(detail.retryDelay, null);
      assert.equal(client.status, "disconnected");
    } finally {
      await client.close();
    }
  });
});
