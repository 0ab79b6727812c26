// close() while a dial is under way resolves once that dial's socket has closed, as it does
// for a connection, and so does close() during the backoff after a failed attempt whose socket
// is still closing: a caller that awaits it may count on no socket of the client being left.
// Real sockets: a peer that opens the WebSocket and never sends the accept-conf, so that the
// dial waits for it.
import type { Socket } from "node:net";
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { nextEvent } from "../testing/client_support.ts";
import { serverFrame, startRawFramePeer } from "../testing/raw_frame_peer.ts";
import { acceptConf, startScriptedPeer } from "../testing/scripted_peer.ts";
import { until } from "../testing/until.ts";
import { Client } from "./client.ts";
import { DialTimeoutError, DisconnectedError } from "./errors.ts";

/** The runtime's own WebSocket, each socket kept to read its state; and the sockets. */
function keptWebSockets(): { sockets: WebSocket[]; KeptWebSocket: typeof WebSocket } {
  const sockets: WebSocket[] = [];
  class KeptWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  }
  return { sockets, KeptWebSocket };
}

/**
 * A raw peer (`onOpen` runs when a socket opens) that answers the client's close frame only by
 * ending the TCP connection 300 ms later, so that the client's socket stays closing meanwhile.
 */
async function peerSlowToClose(
  onOpen?: (socket: Socket) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const timers: ReturnType<typeof setTimeout>[] = [];
  const peer = await startRawFramePeer({
    onOpen,
    onData: (socket) => void timers.push(setTimeout(() => socket.destroy(), 300)),
  });
  return {
    url: peer.url,
    close: async () => {
      await peer.close();
    },
  };
}

for (const stage of ["before the socket opened", "while the accept-conf is awaited"] as const) {
  test(`close() during a dial ${stage} resolves once the dial's socket has closed`, async () => {
    let peerOpened = 0;
    const peer = await startScriptedPeer({ onOpen: () => void peerOpened++ });
    const { sockets, KeptWebSocket } = keptWebSockets();
    const client = new Client(peer.url, {
      logger: silentLogger,
      WebSocket: KeptWebSocket,
      dialTimeout: 10_000,
    });
    try {
      const connecting = client.connect().catch((error: unknown) => error);
      assert.equal(sockets.length, 1, "the dial made its socket at once");
      if (stage === "while the accept-conf is awaited") {
        await until(() => sockets[0].readyState === WebSocket.OPEN, "the socket opened", 2000);
        await until(() => peerOpened === 1, "the peer saw the socket open", 2000);
      }
      await client.close();
      assert.equal(sockets[0].readyState, WebSocket.CLOSED);
      assert.ok((await connecting) instanceof DisconnectedError);
    } finally {
      await client.close();
      await peer.close();
    }
  });
}

test("close() in the backoff resolves once the failed attempt's socket has closed", async () => {
  // The socket opens, the accept-conf never comes: the dial times out and the client closes
  // the socket, whose close handshake the peer answers only by ending the connection 300 ms
  // after the client's close frame, while the client waits for its retry.
  const peer = await peerSlowToClose();
  const { sockets, KeptWebSocket } = keptWebSockets();
  const client = new Client(peer.url, {
    logger: silentLogger,
    WebSocket: KeptWebSocket,
    dialTimeout: 200,
    reconnect: { initialDelay: 10_000, maxDelay: 10_000 },
  });
  try {
    const failed = nextEvent(client, "connectfailed", 5000);
    client.connect().catch(() => {});
    const { detail } = await failed;
    assert.ok(detail.error instanceof DialTimeoutError, String(detail.error));
    assert.notEqual(detail.retryDelay, null, "a retry is scheduled");
    assert.equal(sockets.length, 1);
    assert.equal(sockets[0].readyState, WebSocket.CLOSING, "the socket is still closing");
    await client.close();
    assert.equal(sockets[0].readyState, WebSocket.CLOSED);
  } finally {
    await client.close();
    await peer.close();
  }
});

test("close() while an async session storage is read sends no restore and names the close", async () => {
  let opened = 0;
  const received: number[] = [];
  const peer = await startRawFramePeer({
    onOpen: (socket) => {
      opened++;
      socket.write(serverFrame(2, acceptConf()));
    },
    onData: (_socket, bytes) => void received.push(bytes[0]),
  });
  let read: (key: string) => void = () => {};
  const client = new Client(peer.url, {
    logger: silentLogger,
    sessionStorage: { get: () => new Promise((resolve) => read = resolve), set: () => {} },
  });
  try {
    const connecting = client.connect().catch((error: unknown) => error);
    await until(() => opened === 1, "the socket open, the storage being read");
    await client.close();
    read("a-stored-key");
    const error = await connecting;
    assert.ok(error instanceof DisconnectedError, String(error));
    assert.equal(error.message, "the client was closed while connecting");
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Only the close frame (0x88): no restore request, so no timer of its waits either.
    assert.deepEqual(received.filter((byte) => byte !== 0x88), []);
  } finally {
    await peer.close();
  }
});

test("a request canceled before it is sent does not start a connection", async () => {
  const client = new Client("ws://127.0.0.1:9/", { logger: silentLogger });
  let connecting = 0;
  client.addEventListener("connecting", () => connecting++);
  try {
    const error = await client.request("x", "y", { signal: AbortSignal.abort() }).catch((e) => e);
    assert.equal((error as Error).name, "CanceledError");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(connecting, 0);
    assert.equal(client.status, "disconnected");
  } finally {
    await client.close();
  }
});

for (const autoconnect of [true, false]) {
  test(`close() after the client dropped a connection (autoconnect ${autoconnect}) waits for its socket`, async () => {
    // The peer sends a frame of an unknown type: the client ends the connection, and the peer
    // answers its close frame only by ending the TCP connection 300 ms later.
    const peer = await peerSlowToClose((socket) => {
      socket.write(serverFrame(2, acceptConf()));
      setTimeout(() => socket.write(serverFrame(2, new Uint8Array([0xff]))), 20);
    });
    const { sockets, KeptWebSocket } = keptWebSockets();
    const client = new Client(peer.url, {
      logger: silentLogger,
      WebSocket: KeptWebSocket,
      autoconnect,
      reconnect: { initialDelay: 10_000, maxDelay: 10_000 },
    });
    try {
      const lost = nextEvent(client, "disconnected", 5000);
      await client.connect();
      await lost;
      assert.equal(sockets[0].readyState, WebSocket.CLOSING, "the socket is still closing");
      await client.close();
      assert.equal(sockets[0].readyState, WebSocket.CLOSED);
    } finally {
      await client.close();
      await peer.close();
    }
  });
}
