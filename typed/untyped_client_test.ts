// Interop of the typed layer with untyped peers: a client that knows nothing of it (ours
// without the typed view, as a Go or webwire-js client would call) sends JSON text; and the
// typed client calls a server written without the router.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client/client.ts";
import { RequestError } from "../protocol/request_error.ts";
import { RawClient } from "../testing/raw_client.ts";
import { startServer } from "../testing/serve.ts";
import { startChat } from "../testing/typed_chat.ts";
import { until } from "../testing/until.ts";
import { TypedClient } from "./typed_client.ts";

test("an untyped client calls a typed server with JSON strings, as a Go client would", async () => {
  const started = await startChat();
  const client = new Client(started.running.url);
  try {
    const reply = await client.request("say", JSON.stringify({ room: "lobby", text: "from go" }));
    assert.equal(reply.encoding, "utf8");
    assert.deepEqual(reply.json(), { id: 1 });
    const history = await client.request("history", '"lobby"', { encoding: "utf16" });
    assert.deepEqual(history.json(), [{ id: 1, room: "lobby", text: "from go" }]);
    assert.equal((await client.request("count")).text(), "1", "an empty payload is no payload");
    const error = await client.request("say", '{"room":"lobby"}').catch((e) => e);
    assert.ok(error instanceof RequestError);
    assert.deepEqual([error.code, error.message], [
      "INVALID_PAYLOAD",
      'text: Invalid key: Expected "text" but received undefined',
    ]);
    // No payload at all (the default of an untyped client) is not a binary one: no hint.
    const empty = await client.request("say").catch((e) => e);
    assert.ok(empty instanceof RequestError);
    assert.deepEqual([empty.code, empty.message.includes("binary")], ["INVALID_PAYLOAD", false]);
    const bytes = await client.request("avatar", new Uint8Array([1, 2]));
    assert.deepEqual([bytes.encoding, ...bytes.bytes], ["binary", 2, 1]);
    client.signal("typing", '{"room":"kitchen"}');
    await until(() => started.typing.length === 1, "the typing signal handled");
    assert.deepEqual(started.typing, [{ room: "kitchen" }]);
  } finally {
    await client.close();
    await started.running.close();
  }
});

test("the frames a Go client exchanges with a typed server, byte for byte", async () => {
  const started = await startChat();
  const client = await RawClient.handshake(started.running.url);
  try {
    // webwire-go-client: request UTF-8 (128), id 1 as u64 little-endian, name, JSON payload.
    const json = '{"room":"lobby","text":"hi"}';
    const request = [128, 1, 0, 0, 0, 0, 0, 0, 0, 3, ...new TextEncoder().encode("say")];
    client.send(new Uint8Array([...request, ...new TextEncoder().encode(json)]));
    const reply = await client.next();
    assert.deepEqual(
      [...reply.bytes],
      [192, 1, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode('{"id":1}')],
    );
    client.send(new Uint8Array([128, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0x6e, 0x6f])); // "no", no payload
    const error = await client.next();
    const text = '\x0fUNKNOWN_REQUESTno request named "no"'; // code length 15, code, message
    assert.deepEqual([...error.bytes], [
      0,
      2,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      ...new TextEncoder().encode(text),
    ]);
  } finally {
    client.close();
    await started.running.close();
  }
});

test("the typed client calls a server written without the router", async () => {
  const running = await startServer({
    onRequest: (request) => {
      if (request.name !== "double") throw new RequestError("UNKNOWN", request.name);
      const { n } = request.payload.json<{ n: number }>();
      return JSON.stringify({ n: n * 2 });
    },
  });
  const api = new TypedClient<{
    requests: { double: { payload: { n: number }; reply: { n: number } } };
  }>(new Client(running.url));
  try {
    assert.deepEqual(await api.request("double", { n: 21 }), { n: 42 });
  } finally {
    await api.client.close();
    await running.close();
  }
});
