import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type StartedServer, startServer } from "../testing/serve.ts";
import type { IncomingSignal } from "../server/incoming.ts";
import { RequestError } from "../protocol/request_error.ts";
import { silentLogger } from "../protocol/logger.ts";
import { WebwireError } from "../protocol/webwire_error.ts";
import { Client } from "./client.ts";
import {
  CanceledError,
  DisconnectedError,
  InternalError,
  MessageTooLargeError,
  ShutdownError,
  TimeoutError,
} from "./errors.ts";
import type { ServerSignal } from "./events.ts";
import {
  nextEvent,
  recordingLogger,
  testRequestHandler,
  waitFor,
} from "../testing/client_support.ts";

describe("Client requests and signals against the server", () => {
  let running: StartedServer;
  const received: IncomingSignal[] = [];

  before(async () => {
    running = await startServer({
      port: 0,
      messageBufferSize: 1024,
      logger: silentLogger,
      onRequest: testRequestHandler,
      onSignal: (signal) => void received.push(signal),
    });
  });
  after(async () => {
    await running.close();
  });

  const open = async (options: ConstructorParameters<typeof Client>[1] = {}): Promise<Client> => {
    const client = new Client(running.url, { logger: recordingLogger().logger, ...options });
    await client.connect();
    return client;
  };

  it("connects, reports its status and fires connected", async () => {
    let hooked = 0;
    const client = new Client(running.url, { onConnected: () => hooked++ });
    assert.equal(client.status, "disconnected");
    const connected = nextEvent(client, "connected");
    const connecting = client.connect();
    assert.equal(client.status, "connecting");
    await connecting;
    await connected;
    assert.equal(client.status, "connected");
    assert.equal(hooked, 1);
    await client.connect(); // already connected: resolves at once
    await client.close();
    assert.equal(client.status, "closed");
  });

  it("sends strings as UTF-8 or UTF-16 and bytes as binary; replies keep the server's encoding", async () => {
    const client = await open();
    const utf8 = await client.request("echo", "héllo €");
    assert.equal(utf8.encoding, "utf8");
    assert.equal(utf8.text(), "héllo €");
    const utf16 = await client.request("echo", "héllo 😀", { encoding: "utf16" });
    assert.equal(utf16.encoding, "utf16");
    assert.equal(utf16.bytes.length, "héllo 😀".length * 2);
    assert.equal(utf16.text(), "héllo 😀");
    const binary = await client.request("echo", new Uint8Array([0, 255, 7]));
    assert.equal(binary.encoding, "binary");
    assert.deepEqual([...binary.bytes], [0, 255, 7]);
    const converted = await client.request("utf16", "abc");
    assert.equal(converted.encoding, "utf16");
    assert.equal(converted.text(), "abc");
    const json = await client.request("echo", JSON.stringify({ a: [1, 2] }));
    assert.deepEqual(json.json(), { a: [1, 2] });
    const nameOnly = await client.request("echo");
    assert.equal(nameOnly.length, 0);
    const payloadOnly = await client.request("", "x");
    assert.equal(payloadOnly.text(), "x");
    await client.close();
  });

  it("sends bytes as they are under the encoding given (RequestOptions, SignalOptions)", async () => {
    const client = await open();
    const utf8 = await client.request("echo", new TextEncoder().encode("hé"), { encoding: "utf8" });
    assert.equal(utf8.encoding, "utf8");
    assert.equal(utf8.text(), "hé");
    const utf16 = await client.request("echo", new Uint8Array([0x41, 0]), { encoding: "utf16" });
    assert.equal(utf16.encoding, "utf16");
    assert.equal(utf16.text(), "A");
    received.length = 0;
    client.signal("bytes", new Uint8Array([0x41, 0]), { encoding: "utf16" });
    await waitFor(() => received.length === 1);
    assert.deepEqual([received[0].payload.encoding, received[0].payload.text()], ["utf16", "A"]);
    await client.close();
  });

  it("rejects with RequestError and InternalError for failed handlers", async () => {
    const client = await open();
    const failure = await client.request("fail", "no such thing").catch((error) => error);
    assert.ok(failure instanceof RequestError && failure instanceof WebwireError);
    assert.equal(failure.code, "FAIL");
    assert.equal(failure.message, "no such thing");
    await assert.rejects(client.request("crash"), InternalError);
    assert.equal(client.status, "connected");
    await client.close();
  });

  it("rejects bad requests without sending them", async () => {
    const client = await open();
    await assert.rejects(client.request(""), RangeError);
    await assert.rejects(client.request("bad\nname"), RangeError);
    assert.equal((await client.request("echo", "still fine")).text(), "still fine");
    await client.close();
  });

  it("matches 1 000 concurrent requests on one connection by id", async () => {
    const client = await open();
    const count = 1000;
    const replies = Array.from(
      { length: count },
      (_, i) => client.request(i % 2 === 0 ? "slow" : "echo", String(i % 2 === 0 ? i % 7 : i)),
    );
    assert.equal(client.pendingRequests, count);
    const texts = await Promise.all(replies.map((reply) => reply.then((p) => p.text())));
    for (let i = 0; i < count; i++) assert.equal(texts[i], String(i % 2 === 0 ? i % 7 : i));
    assert.equal(client.pendingRequests, 0);
    await client.close();
  });

  it("times out a request, frees its slot and ignores (and logs) the late reply", async () => {
    const log = recordingLogger();
    const client = await open({ logger: log.logger, requestTimeout: 5_000 });
    const error = await client.request("slow", "300", { timeout: 60 }).catch((e) => e);
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.timeout, 60);
    // Its own timeout, not the reply 300 ms later (nor the client's 5 s default).
    assert.deepEqual(log.warnings, [], "the timeout came before the late reply");
    assert.equal(client.pendingRequests, 0);
    await waitFor(() => log.warnings.length > 0);
    assert.match(log.warnings[0], /late reply to request \d+, which timed out or was canceled/);
    const defaultTimeout = await open({ logger: log.logger, requestTimeout: 40 });
    await assert.rejects(defaultTimeout.request("slow", "300"), TimeoutError);
    await defaultTimeout.close();
    await client.close();
  });

  it("cancels a request at once through an AbortSignal, keeping the reason as cause", async () => {
    const client = await open();
    const controller = new AbortController();
    const reply = client.request("slow", "300", { signal: controller.signal });
    assert.equal(client.pendingRequests, 1);
    controller.abort("changed my mind");
    const error = await reply.catch((e) => e);
    assert.ok(error instanceof CanceledError);
    assert.equal(error.cause, "changed my mind");
    assert.equal(error.message, "the request was canceled: changed my mind");
    assert.equal(client.pendingRequests, 0);
    const already = await client.request("echo", "x", { signal: AbortSignal.abort("early") })
      .catch((e) => e);
    assert.ok(already instanceof CanceledError && already.cause === "early");
    assert.equal(already.message, "the request was canceled: early");
    // A timeout signal's reason is named; a plain abort() says nothing more than "canceled".
    const late = await client.request("slow", "300", { signal: AbortSignal.timeout(50) })
      .catch((e) => e);
    assert.ok(late instanceof CanceledError, String(late));
    assert.match(late.message, /^the request was canceled: .*tim/i);
    const plain = new AbortController();
    const aborted = client.request("slow", "300", { signal: plain.signal }).catch((e) => e);
    plain.abort();
    assert.equal((await aborted).message, "the request was canceled");
    assert.equal((await client.request("echo", "after")).text(), "after");
    await client.close();
  });

  it("refuses messages larger than the server's buffer locally", async () => {
    const client = await open();
    const large = new Uint8Array(1025);
    const error = await client.request("echo", large).catch((e) => e);
    assert.ok(error instanceof MessageTooLargeError);
    assert.equal(error.limit, 1024);
    assert.equal(error.size, 1025 + 14);
    assert.throws(() => client.signal("s", large), MessageTooLargeError);
    assert.equal(client.pendingRequests, 0);
    // A message of exactly the buffer size is allowed.
    const fits = new Uint8Array(1024 - 14);
    assert.equal((await client.request("echo", fits)).length, fits.length);
    assert.equal(client.status, "connected");
    await client.close();
  });

  it("sends signals and receives the server's, through callbacks and typed events", async () => {
    const hooked: ServerSignal[] = [];
    const client = await open({ onSignal: (signal) => hooked.push(signal) });
    const names: string[] = [];
    client.addEventListener("signal", (event) => names.push(event.detail.name));
    const pushed = nextEvent(client, "signal");
    assert.equal((await client.request("push", "data", { encoding: "utf16" })).text(), "pushed");
    const event = await pushed;
    assert.equal(event.detail.name, "pushed");
    assert.equal(event.detail.payload.encoding, "utf16");
    assert.equal(event.detail.payload.text(), "data");
    assert.equal(hooked.length, 1);
    assert.deepEqual(names, ["pushed"]);

    received.length = 0;
    client.signal("note", "text");
    client.signal("wide", "text", { encoding: "utf16" });
    client.signal("raw", new Uint8Array([1, 2]));
    client.signal("", "nameless");
    await waitFor(() => received.length === 4);
    assert.deepEqual(
      received.map((s) => [s.name, s.payload.encoding, s.payload.text()]),
      [
        ["note", "utf8", "text"],
        ["wide", "utf16", "text"],
        ["raw", "binary", "\x01\x02"],
        ["", "utf8", "nameless"],
      ],
    );
    assert.throws(() => client.signal(""), RangeError);
    await client.close();
  });

  it("fails signals at once when not connected, and everything after close()", async () => {
    const client = new Client(running.url);
    assert.throws(() => client.signal("early"), DisconnectedError);
    await client.connect();
    await client.close();
    assert.throws(() => client.signal("late"), DisconnectedError);
    await assert.rejects(client.request("late"), DisconnectedError);
    await assert.rejects(client.connect(), DisconnectedError);
    await client.close(); // twice is fine
  });

  it("rejects pending requests with DisconnectedError on close() and fires disconnected", async () => {
    let hooked: DisconnectedError | undefined;
    const client = await open({ onDisconnected: (reason) => hooked = reason });
    const disconnected = nextEvent(client, "disconnected");
    const reply = client.request("slow", "500").catch((error) => error);
    await client.close();
    assert.ok((await reply) instanceof DisconnectedError);
    const event = await disconnected;
    assert.ok(event.detail instanceof DisconnectedError);
    assert.equal(hooked, event.detail);
    assert.equal(client.pendingRequests, 0);
  });

  it("rejects requests with ShutdownError while the server shuts down", async () => {
    let started = false;
    const own = await startServer({
      port: 0,
      logger: silentLogger,
      onRequest: (request) => {
        started = true;
        return testRequestHandler(request);
      },
    });
    const client = new Client(own.url, { autoconnect: false, logger: recordingLogger().logger });
    await client.connect();
    const running = client.request("slow", "200").catch((error) => error);
    await waitFor(() => started);
    const shutdown = own.close();
    await waitFor(() => own.server.isShuttingDown);
    const late = await client.request("echo", "late").catch((e) => e);
    assert.ok(late instanceof ShutdownError, String(late));
    const first = await running;
    assert.equal(first.text(), "200", String(first));
    await shutdown;
    await client.close();
  });
});
