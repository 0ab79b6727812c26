// A payload of the wrong type (from JavaScript, or through an `any`: an object, a number, an
// ArrayBuffer, a Uint16Array) is refused where it is given, with a TypeError that names what it
// got, on the client and on the server alike; nothing broken goes on the wire, and the
// connection goes on. Before, such a payload went out as an empty, malformed message: the
// peer dropped the connection and the error surfaced somewhere else. Real sockets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import { Client } from "../client/client.ts";
import { silentLogger } from "../protocol/logger.ts";
import { startServer } from "../testing/serve.ts";

/** Values a plain JavaScript caller may pass as a payload, and what the error calls them. */
const wrongPayloads: [unknown, RegExp][] = [
  [{ text: "hi" }, /got an object \(Object\)/],
  [42, /got a number/],
  [null, /got null/],
  [new ArrayBuffer(2), /got an object \(ArrayBuffer\)/],
  [new Uint16Array([258, 2]), /got an object \(Uint16Array\)/],
];

test("the client refuses a payload that is neither a string nor bytes, and goes on", async () => {
  let requests = 0;
  let signals = 0;
  const running = await startServer({
    sessionsEnabled: false,
    logger: silentLogger,
    onRequest: (request) => (requests++, request.payload),
    onSignal: () => void signals++,
  });
  const client = new Client(running.url, { logger: silentLogger });
  let disconnected = 0;
  client.addEventListener("disconnected", () => disconnected++);
  try {
    await client.connect();
    for (const [payload, got] of wrongPayloads) {
      const wrong = payload as string;
      await assert.rejects(client.request("echo", wrong), (error: Error) => {
        assert.ok(error instanceof TypeError, String(error));
        assert.match(error.message, /a payload must be a string or a Uint8Array/);
        assert.match(error.message, got);
        return true;
      });
      assert.throws(() => client.signal("typing", wrong), TypeError);
    }
    await assert.rejects(client.request(5 as unknown as string, "x"), /name must be a string/);
    assert.equal((await client.request("echo", "still fine")).text(), "still fine");
    assert.equal([requests, signals, disconnected].join(), "1,0,0");
  } finally {
    await client.close();
    await running.close();
  }
});

test("the server refuses to push a payload that is neither a string nor bytes", async () => {
  const refused: string[] = [];
  const running = await startServer({
    sessionsEnabled: false,
    logger: silentLogger,
    onRequest: ({ connection }) => {
      for (const [payload] of wrongPayloads) {
        const wrong = payload as string;
        const pushes = [
          () => connection.signal("news", wrong),
          () => running.server.broadcast("news", wrong),
          () => running.server.publish("room", "news", wrong),
        ];
        for (const push of pushes) {
          try {
            push();
          } catch (error) {
            refused.push(error instanceof TypeError ? "TypeError" : String(error));
          }
        }
      }
      connection.subscribe("room");
      return "pushed";
    },
  });
  const client = new Client(running.url, { logger: silentLogger });
  const heard: string[] = [];
  client.addEventListener("signal", (event) => heard.push(event.detail.name));
  try {
    assert.equal((await client.request("push")).text(), "pushed");
    assert.deepEqual(refused, new Array(wrongPayloads.length * 3).fill("TypeError"));
    running.server.broadcast("news", "a good one");
    assert.equal((await client.request("push")).text(), "pushed");
    assert.deepEqual(heard, ["news"]);
    assert.equal(client.status, "connected");
  } finally {
    await client.close();
    await running.close();
  }
});

test("a Uint8Array of another realm (node:vm, an iframe) is bytes like any other", async () => {
  const foreign = () => runInNewContext("new Uint8Array([1, 2, 3])") as Uint8Array;
  assert.equal(foreign() instanceof Uint8Array, false, "instanceof cannot tell");
  const running = await startServer({
    sessionsEnabled: false,
    logger: silentLogger,
    onRequest: ({ payload, connection }) => {
      connection.signal("bytes", foreign());
      return payload.bytes.length === 3 ? foreign() : "not as sent";
    },
  });
  const client = new Client(running.url, { logger: silentLogger });
  const heard: number[][] = [];
  client.addEventListener("signal", (event) => heard.push([...event.detail.payload.bytes]));
  try {
    assert.deepEqual([...(await client.request("echo", foreign())).bytes], [1, 2, 3]);
    assert.deepEqual(heard, [[1, 2, 3]]);
  } finally {
    await client.close();
    await running.close();
  }
});
