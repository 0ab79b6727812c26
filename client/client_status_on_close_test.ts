// `client.status` is no longer `connected` once the server has closed the connection: not from
// the moment its close frame has come (the socket closes: what is sent now is dropped, and a
// request made now fails or waits for the next connection), not in a `disconnected` listener,
// and not where a request fails because the connection ended. It said `connected` until the
// socket had closed, which browsers and `ws` report only once the server ends its TCP
// connection. Real server (closing a slow reader with 1008) on 127.0.0.1; the client's sockets
// hold the close back as those do, on Deno and Bun alike.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { silentLogger } from "../protocol/logger.ts";
import { lingeringCloseSockets } from "../testing/lingering_close_socket.ts";
import { type StartedServer, startServer } from "../testing/serve.ts";
import { rejectsAtOnce } from "../testing/at_once.ts";
import { until } from "../testing/until.ts";
import { DisconnectedError } from "./errors.ts";

/** A reply larger than this server's `maxSendBuffer`: it closes the connection with 1008. */
const bigReply = "x".repeat(100_000);

/** `big` gets {@link bigReply}, `wait` no reply, anything else `ok`. */
function slowReaderServer(): Promise<StartedServer> {
  return startServer({
    // The `ws`-based adapter counts a single reply past the buffer on every runtime.
    adapter: "node",
    logger: silentLogger,
    maxSendBuffer: 64 * 1024,
    onRequest: ({ name }) => {
      if (name === "big") return bigReply;
      return name === "wait" ? new Promise<string>(() => {}) : "ok";
    },
  });
}

describe("Client status when the server closes the connection", () => {
  it("not connected once the close frame has come, where requests fail, nor at disconnected", async () => {
    const running = await slowReaderServer();
    const sockets = lingeringCloseSockets(300);
    const client = new Client(running.url, {
      WebSocket: sockets.WebSocket,
      logger: silentLogger,
      autoconnect: false,
    });
    const seen: string[] = [];
    client.addEventListener("disconnected", (event) => {
      seen.push(`disconnected ${event.detail.code} (status ${client.status})`);
    });
    try {
      await client.connect();
      const waiting = client.request("wait").catch((error: Error) => {
        seen.push(`wait failed: ${error.name} (status ${client.status})`);
      });
      assert.equal((await client.request("big")).text(), bigReply);
      await until(() => sockets.lingering, "the server's close frame at the client");
      assert.equal(client.status, "disconnected", "the socket closes: nothing goes out");
      let statusAtFailure = "";
      const late = await client.request("late").catch((error: Error) => {
        statusAtFailure = client.status;
        return error;
      });
      assert.ok(late instanceof DisconnectedError, String(late));
      assert.equal(statusAtFailure, "disconnected");
      assert.throws(() => client.signal("note"), DisconnectedError);
      assert.equal(seen.length, 0, "the close is not reported yet");
      // As status says: a connect attempt, once the close is reported.
      const reconnected = client.connect().then(() => {
        seen.push(`connect resolved (status ${client.status})`);
      });
      await waiting;
      await reconnected;
      assert.deepEqual(seen, [
        "disconnected 1008 (status disconnected)",
        // The connect() made while closing dials as soon as the close is reported.
        "wait failed: DisconnectedError (status connecting)",
        "connect resolved (status connected)",
      ]);
      assert.equal((await client.request("again")).text(), "ok");
    } finally {
      await client.close();
      await running.close();
    }
  });

  it("under autoconnect: disconnected while closing, the retry follows the disconnected event", async () => {
    const running = await slowReaderServer();
    const sockets = lingeringCloseSockets(300);
    const client = new Client(running.url, {
      WebSocket: sockets.WebSocket,
      logger: silentLogger,
      reconnect: { initialDelay: 10, maxDelay: 20 },
    });
    const seen: string[] = [];
    for (const type of ["connecting", "connected", "disconnected"] as const) {
      client.addEventListener(type, () => seen.push(`${type} (status ${client.status})`));
    }
    try {
      await client.connect();
      seen.length = 0;
      const waiting = client.request("wait").catch((error: Error) => {
        seen.push(`wait failed: ${error.name} (status ${client.status})`);
      });
      await client.request("big");
      await until(() => sockets.lingering, "the server's close frame at the client");
      assert.equal(client.status, "disconnected");
      // Held for the next connection, as a request made offline is.
      const late = client.request("late");
      await waiting;
      assert.equal((await late).text(), "ok");
      assert.deepEqual(seen, [
        // The retry is scheduled before `disconnected` fires: the listener knows one follows.
        "disconnected (status connecting)",
        "wait failed: DisconnectedError (status connecting)",
        "connecting (status connecting)",
        "connected (status connected)",
      ]);
    } finally {
      await client.close();
      await running.close();
    }
  });

  it("a connect() that follows the close rejects as soon as the client is closed", async () => {
    const running = await slowReaderServer();
    // Longer than a test waits: browsers and ws may hold the close for seconds.
    const sockets = lingeringCloseSockets(1000);
    const client = new Client(running.url, {
      WebSocket: sockets.WebSocket,
      logger: silentLogger,
      autoconnect: false,
    });
    try {
      await client.connect();
      await client.request("big");
      await until(() => sockets.lingering, "the server's close frame at the client");
      const connecting = client.connect();
      const closing = client.close();
      const error = await rejectsAtOnce(connecting);
      assert.ok(error instanceof DisconnectedError, String(error));
      assert.equal(error.message, "the client was closed");
      await closing;
    } finally {
      await client.close();
      await running.close();
    }
  });
});
