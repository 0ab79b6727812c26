// The typed client against the typed router and typed server pushes, over real sockets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client/client.ts";
import { RequestError } from "../protocol/request_error.ts";
import { recordingLogger } from "../testing/client_support.ts";
import { startServer } from "../testing/serve.ts";
import { chat, startChat } from "../testing/typed_chat.ts";
import { until } from "../testing/until.ts";
import { defineContract } from "./define_contract.ts";
import { BadPayloadError } from "./errors.ts";
import { createRouter } from "./router.ts";
import { TypedClient } from "./typed_client.ts";
import { TypedServer } from "./typed_server.ts";
import type { ServerSignalName, ServerSignalPayload } from "./contract.ts";
import type { Chat } from "../testing/typed_chat.ts";

/** The payload of the next `name` signal. */
function next<N extends ServerSignalName<Chat>>(
  api: TypedClient<Chat>,
  name: N,
): Promise<ServerSignalPayload<Chat, N>> {
  return new Promise((resolve) => {
    const stop = api.on(name, (payload) => {
      stop();
      resolve(payload);
    });
  });
}

test("typed requests resolve to decoded replies of every kind", async () => {
  const { running } = await startChat();
  const api = new TypedClient(new Client(running.url), chat);
  try {
    assert.deepEqual(await api.request("say", { room: "lobby", text: "hello" }), { id: 1 });
    assert.deepEqual(await api.request("say", { room: "attic", text: "hush" }), { id: 2 });
    assert.deepEqual(await api.request("history", "lobby"), [
      { id: 1, room: "lobby", text: "hello" },
    ]);
    assert.equal(await api.request("count"), 2);
    const bytes = await api.request("avatar", new Uint8Array([1, 2, 3]));
    assert.ok(bytes instanceof Uint8Array);
    assert.deepEqual([...bytes], [3, 2, 1]);
    // The client sends the schema's input (an ISO string); the handler gets its output, a Date.
    assert.equal(await api.request("age", "2029-12-31T00:00:00.000Z"), 86_400_000);
  } finally {
    await api.client.close();
    await running.close();
  }
});

test("typed requests reject with the router's and the handler's RequestErrors", async () => {
  const { running } = await startChat();
  const api = new TypedClient(new Client(running.url), chat);
  try {
    const invalid = await api.request("say", { room: "", text: "x" }).catch((e) => e);
    assert.ok(invalid instanceof RequestError);
    assert.equal(invalid.code, "INVALID_PAYLOAD");
    assert.match(invalid.message, /^room: /);
    await assert.rejects(
      api.request("forbidden", "no reason"),
      (error) =>
        error instanceof RequestError && error.code === "FORBIDDEN" &&
        error.message === "not allowed: no reason",
    );
    const cyclic: { room: string; text: string; self?: unknown } = { room: "a", text: "b" };
    cyclic.self = cyclic;
    await assert.rejects(api.request("say", cyclic), TypeError);
    // JSON would have sent the Date as a string and the ArrayBuffer as {}: refused instead.
    const at = { room: "a", text: new Date(0) as unknown as string };
    await assert.rejects(api.request("say", at), /cannot send a Date as JSON \(at key "text"\)/);
    const buffer = new ArrayBuffer(2) as unknown as Uint8Array<ArrayBuffer>;
    await assert.rejects(api.request("avatar", buffer), /cannot send an ArrayBuffer as JSON/);
  } finally {
    await api.client.close();
    await running.close();
  }
});

test("a reply that is not JSON rejects with BadPayloadError", async () => {
  const running = await startServer({ onRequest: () => "{not json" });
  const api = new TypedClient<{ requests: { get: { reply: number } } }>(new Client(running.url));
  try {
    await assert.rejects(api.request("get"), BadPayloadError);
  } finally {
    await api.client.close();
    await running.close();
  }
});

test("server signals reach typed listeners through signal, broadcast and publish", async () => {
  const started = await startChat();
  const api = new TypedClient(new Client(started.running.url), chat);
  try {
    await api.client.connect();
    await until(() => started.running.server.connectionCount === 1, "connected");
    const [connection] = started.running.server.connections();

    const message = next(api, "message");
    started.push.signal(connection, "message", { id: 9, room: "dm", text: "psst" });
    assert.deepEqual(await message, { id: 9, room: "dm", text: "psst" });

    const bytes = next(api, "bytes");
    assert.equal(started.push.broadcast("bytes", new Uint8Array([5, 6])), 1);
    const received = await bytes;
    assert.ok(received instanceof Uint8Array);
    assert.deepEqual([...received], [5, 6]);

    const ping = next(api, "ping");
    assert.equal(started.push.broadcast("ping", undefined, { filter: () => true }), 1);
    assert.equal(await ping, undefined);

    // A client signal: the handler subscribes the connection and publishes to the room.
    const typing = next(api, "typing");
    api.signal("typing", { room: "lobby" });
    assert.deepEqual(await typing, { room: "lobby" });
    const said = next(api, "message");
    assert.equal(
      started.push.publish("room:lobby", "message", { id: 1, room: "lobby", text: "hi" }),
      1,
    );
    assert.equal((await said).text, "hi");
  } finally {
    await api.client.close();
    await started.running.close();
  }
});

test("a removed listener hears nothing more; listeners only hear their own name", async () => {
  const started = await startChat();
  const api = new TypedClient(new Client(started.running.url), chat);
  try {
    await api.client.connect();
    const heard: string[] = [];
    const stop = api.on("message", (m) => heard.push(`stopped ${m.id}`));
    const controller = new AbortController();
    api.on("message", (m) => heard.push(`aborted ${m.id}`), { signal: controller.signal });
    api.on("message", (m) => heard.push(`kept ${m.id}`));
    api.on("typing", (t) => heard.push(`typing ${t.room}`));
    started.push.broadcast("message", { id: 1, room: "r", text: "" });
    await until(() => heard.length === 3, "three listeners heard the first message");
    stop();
    controller.abort();
    started.push.broadcast("message", { id: 2, room: "r", text: "" });
    await until(() => heard.includes("kept 2"), "the kept listener heard the second");
    assert.deepEqual(heard.sort(), ["aborted 1", "kept 1", "kept 2", "stopped 1"]);
  } finally {
    await api.client.close();
    await started.running.close();
  }
});

test("a server signal that is not JSON is logged and skipped, so is a listener's exception", async () => {
  const started = await startChat();
  const log = recordingLogger();
  const api = new TypedClient(new Client(started.running.url), chat, { logger: log.logger });
  try {
    await api.client.connect();
    const heard: number[] = [];
    api.on("message", (m) => {
      heard.push(m.id);
      if (m.id === 2) throw new Error("listener bug");
    });
    started.running.server.broadcast("message", "{broken");
    started.push.broadcast("message", { id: 2, room: "r", text: "" });
    started.push.broadcast("message", { id: 3, room: "r", text: "" });
    await until(() => heard.length === 2, "the good messages");
    assert.deepEqual(heard, [2, 3]);
    assert.equal(log.warnings.length, 1);
    assert.match(log.warnings[0], /server signal "message" dropped: BadPayloadError/);
    assert.equal(log.errors.length, 1);
    assert.match(log.errors[0], /listener bug/);
  } finally {
    await api.client.close();
    await started.running.close();
  }
});

test("server signals that are not JSON are logged once each, at the 1st, 10th, 100th", async () => {
  const started = await startChat();
  const log = recordingLogger();
  const api = new TypedClient(new Client(started.running.url), chat, { logger: log.logger });
  try {
    await api.client.connect();
    const heard: number[] = [];
    api.on("message", (m) => heard.push(m.id)); // two listeners: still one line per signal
    api.on("message", () => {});
    for (let i = 0; i < 100; i++) started.running.server.broadcast("message", "{broken");
    started.push.broadcast("message", { id: 1, room: "r", text: "" });
    await until(() => heard.length === 1, "the good message after the broken ones");
    assert.equal(log.warnings.length, 3, log.warnings.join("\n"));
    assert.match(log.warnings[0], /server signal "message" dropped: BadPayloadError/);
    assert.match(log.warnings[1], /server signal "message" dropped \(10 so far\): BadPayload/);
    assert.match(log.warnings[2], /server signal "message" dropped \(100 so far\): BadPayload/);
  } finally {
    await api.client.close();
    await started.running.close();
  }
});

test("an async listener's rejection is logged, not left unhandled", async () => {
  const started = await startChat();
  const log = recordingLogger();
  const api = new TypedClient(new Client(started.running.url), chat, { logger: log.logger });
  try {
    await api.client.connect();
    const heard: number[] = [];
    api.on("message", async (m) => {
      await Promise.resolve();
      heard.push(m.id);
      if (m.id === 1) throw new Error("async listener bug");
    });
    started.push.broadcast("message", { id: 1, room: "r", text: "" });
    started.push.broadcast("message", { id: 2, room: "r", text: "" });
    await until(() => heard.length === 2 && log.errors.length === 1, "both heard, one logged");
    assert.match(log.errors[0], /listener of server signal "message":.*async listener bug/s);
  } finally {
    await api.client.close();
    await started.running.close();
  }
});

test("signalSession reaches a session's connection, typed", async () => {
  const accounts = defineContract<{
    requests: { login: { payload: string; reply: string } };
    serverSignals: { mail: { unread: number } };
  }>();
  const running = await startServer(createRouter(accounts, {
    requests: {
      login: async (user, { connection }) => (await connection.createSession({ user })).key,
    },
  }));
  const push = new TypedServer(running.server, accounts);
  const api = new TypedClient(new Client(running.url), accounts);
  try {
    const key = await api.request("login", "ada");
    const mail = new Promise<number>((resolve) => api.on("mail", ({ unread }) => resolve(unread)));
    assert.equal(push.signalSession(key, "mail", { unread: 3 }), 1);
    assert.equal(await mail, 3);
  } finally {
    await api.client.close();
    await running.close();
  }
});
