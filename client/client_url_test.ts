// The server URL is checked when the client is made, as the WebSocket constructor checks it:
// ws: and wss: are taken, http: and https: stand for them, anything else (no scheme, another
// scheme, a fragment) is a SyntaxError at once instead of a dial that fails, and is retried,
// for good. A WebSocket constructor that throws all the same (an implementation passed in
// refuses the dial) ends the attempts: retrying cannot help.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { nextEvent } from "../testing/client_support.ts";
import { startServer } from "../testing/serve.ts";
import { Client } from "./client.ts";

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
