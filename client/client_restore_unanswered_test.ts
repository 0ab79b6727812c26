// A session restore on reconnect that the server does not answer in time, or answers with the
// internal-error reply (its session storage is down) or max-session-connections (it has not yet
// seen the previous connection close), does not sign the user out: the session
// and its stored key stay, the attempt fails and the next one restores it; one that is never
// answered counts as refused after twice the server's read timeout. Real sockets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "./client.ts";
import { unansweredRestoreBudget } from "./client_session.ts";
import { TimeoutError } from "./errors.ts";
import { memorySessionStorage } from "./session_storage.ts";
import { encodeSpecialReply } from "../protocol/encode_control_message.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { MessageType } from "../protocol/message_type.ts";
import { silentLogger } from "../protocol/logger.ts";
import {
  acceptConf,
  type PeerSocket,
  type ScriptedPeer,
  startScriptedPeer,
} from "../testing/scripted_peer.ts";
import { until } from "../testing/until.ts";

const key = "k".repeat(40);
const sessionJson = JSON.stringify({
  k: key,
  c: "2026-12-01T00:00:00Z",
  l: "2026-12-01T00:00:00Z",
});

const firstAnswers = ["too late", "internal error", "max session connections"] as const;
// A read timeout of 0 announces none: the budget is then twice the default's, not 0.
const cases = [
  ...firstAnswers.map((firstAnswer) => ({ firstAnswer, readTimeoutMs: undefined })),
  { firstAnswer: "internal error" as const, readTimeoutMs: 0 },
];
for (const { firstAnswer, readTimeoutMs } of cases) {
  const from = readTimeoutMs === undefined ? "" : ` from a server announcing read timeout 0`;
  test(`a restore answered ${firstAnswer}${from} keeps the session for the next attempt`, async () => {
    let restores = 0;
    const peer = await startScriptedPeer({
      onOpen: (socket) => socket.send(acceptConf({ readTimeoutMs })),
      onMessage: (socket, data) => {
        if (typeof data === "string" || data[0] !== MessageType.RestoreSession) return;
        const id = data.slice(1, 9);
        const reply = encodeReply({ id, payload: sessionJson });
        if (++restores > 1) return socket.send(reply);
        if (firstAnswer === "internal error") {
          socket.send(encodeSpecialReply(MessageType.InternalErrorReply, id));
        } else if (firstAnswer === "max session connections") {
          // The server has not yet seen the client's previous connection close.
          socket.send(encodeSpecialReply(MessageType.MaxSessionConnectionsReply, id));
        } else setTimeout(() => socket.send(reply), 300); // after the client's timeout
      },
    });
    const storage = memorySessionStorage(key);
    const events: string[] = [];
    const client = new Client(peer.url, {
      logger: silentLogger,
      requestTimeout: 150,
      sessionStorage: storage,
      reconnect: { initialDelay: 10, maxDelay: 20 },
    });
    for (const type of ["connected", "connectfailed", "sessioncreated", "sessionclosed"]) {
      client.addEventListener(type, () => events.push(type));
    }
    try {
      await assert.rejects(client.connect()); // the first attempt fails: its restore did
      await until(() => client.status === "connected", "the next attempt restored it", 5000);
      assert.equal(client.session?.key, key);
      assert.equal(await storage.get(), key, "the stored key stays");
      assert.deepEqual(events, ["connectfailed", "connected", "sessioncreated"]);
      assert.equal(restores, 2);
    } finally {
      await client.close();
      await peer.close();
    }
  });
}

test("a restore the server always answers internal-error counts as refused after twice its read timeout", async () => {
  let restores = 0;
  const readTimeoutMs = 150;
  const peer = await startScriptedPeer({
    onOpen: (socket) => socket.send(acceptConf({ readTimeoutMs })),
    onMessage: (socket, data) => {
      if (typeof data === "string" || data[0] !== MessageType.RestoreSession) return;
      restores++;
      socket.send(encodeSpecialReply(MessageType.InternalErrorReply, data.slice(1, 9)));
    },
  });
  const storage = memorySessionStorage(key);
  let failed = 0;
  let closed = 0;
  const client = new Client(peer.url, {
    logger: silentLogger,
    sessionStorage: storage,
    reconnect: { initialDelay: 5, maxDelay: 10 },
  });
  client.addEventListener("connectfailed", () => failed++);
  client.addEventListener("sessionclosed", () => closed++);
  const started = Date.now();
  try {
    await client.connect().catch(() => {});
    await until(() => client.status === "connected", "connected without the session", 5000);
    const waited = Date.now() - started;
    assert.ok(waited >= unansweredRestoreBudget(readTimeoutMs), `gave up after ${waited} ms`);
    assert.ok(failed >= 2 && restores === failed + 1, `${failed} failed, ${restores} restores`);
    assert.equal(client.session, null);
    assert.equal(closed, 1, "the user is told: signed out");
    assert.equal(await storage.get(), null);
  } finally {
    await client.close();
    await peer.close();
  }
});

test("with requestTimeout Infinity, a restore on connect waits twice the server's read timeout at most", async () => {
  const readTimeoutMs = 100;
  let restores = 0;
  const peer = await startScriptedPeer({
    onOpen: (socket) => socket.send(acceptConf({ readTimeoutMs })),
    onMessage: (socket, data) => {
      if (typeof data === "string" || data[0] !== MessageType.RestoreSession) return;
      // The first restore is never answered; the next one is.
      if (++restores > 1) socket.send(encodeReply({ id: data.slice(1, 9), payload: sessionJson }));
    },
  });
  const events: string[] = [];
  const client = new Client(peer.url, {
    logger: silentLogger,
    requestTimeout: Infinity,
    sessionStorage: memorySessionStorage(key),
    reconnect: { initialDelay: 10, maxDelay: 20 },
  });
  for (const type of ["connected", "connectfailed", "sessioncreated", "sessionclosed"]) {
    client.addEventListener(type, () => events.push(type));
  }
  const started = Date.now();
  try {
    const first = client.connect().then(() => null, (error: unknown) => error);
    await until(() => client.status === "connected", "the next attempt restored it", 2000);
    const error = await first;
    assert.ok(error instanceof TimeoutError, String(error));
    assert.equal(error.timeout, unansweredRestoreBudget(readTimeoutMs));
    assert.ok(Date.now() - started >= unansweredRestoreBudget(readTimeoutMs));
    assert.equal(client.session?.key, key);
    assert.deepEqual(events, ["connectfailed", "connected", "sessioncreated"]);
    assert.equal(restores, 2);
  } finally {
    await client.close();
    await peer.close();
  }
});

test("time in which the server cannot be reached does not count against the unanswered restores", async () => {
  // Budget 300 ms; the server is down for 1 s in between two restores answered internal-error.
  const readTimeoutMs = 150;
  let restores = 0;
  const script = {
    onOpen: (socket: PeerSocket) => socket.send(acceptConf({ readTimeoutMs })),
    onMessage: (socket: PeerSocket, data: Uint8Array | string) => {
      if (typeof data === "string" || data[0] !== MessageType.RestoreSession) return;
      const id = data.slice(1, 9);
      // The first restore before the outage and the first after it fail; the next one works.
      if (++restores <= 2) socket.send(encodeSpecialReply(MessageType.InternalErrorReply, id));
      else socket.send(encodeReply({ id, payload: sessionJson }));
    },
  };
  const peer = await startScriptedPeer(script);
  const storage = memorySessionStorage(key);
  const events: string[] = [];
  const client = new Client(peer.url, {
    logger: silentLogger,
    sessionStorage: storage,
    reconnect: { initialDelay: 20, maxDelay: 40 },
  });
  for (const type of ["connected", "sessioncreated", "sessionclosed"]) {
    client.addEventListener(type, () => events.push(type));
  }
  let again: ScriptedPeer | undefined;
  try {
    await client.connect().catch(() => {});
    assert.equal(restores, 1);
    await peer.close(); // every dial fails now
    await new Promise((resolve) => setTimeout(resolve, 4 * unansweredRestoreBudget(readTimeoutMs)));
    again = await startScriptedPeer({ ...script, port: peer.port });
    await until(() => client.status === "connected", "restored on the server back up", 5000);
    assert.equal(restores, 3);
    assert.equal(client.session?.key, key, "still signed in");
    assert.deepEqual(events, ["connected", "sessioncreated"]);
    assert.equal(await storage.get(), key);
  } finally {
    await client.close();
    await peer.close();
    await again?.close();
  }
});
