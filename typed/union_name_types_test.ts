// Compile-time tests of typed calls whose name is a union (known only at run time): the
// payload must fit every name it may be, else a payload of one name reaches the handler of
// another. `deno test` type-checks this file: each `@ts-expect-error` line must be an error.
// The calls also run, against a real server, to show what the types keep out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client/client.ts";
import type { Connection } from "../server/connection.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import type { ClientSignalInput, RequestInput, RequestName, RequestReply } from "./contract.ts";
import { defineContract } from "./define_contract.ts";
import { createRouter } from "./router.ts";
import { TypedClient } from "./typed_client.ts";
import { TypedServer } from "./typed_server.ts";
import { type Equal, expectType } from "../testing/type_equality.ts";

interface Shapes {
  requests: {
    circle: { payload: { radius: number }; reply: number };
    square: { payload: { side: number }; reply: number };
    shout: { payload: string; reply: string };
    whisper: { payload: string; reply: string };
  };
  clientSignals: { move: { x: number }; rename: { name: string } };
  serverSignals: { moved: { x: number }; renamed: { name: string } };
}
const shapes = defineContract<Shapes>();

// One name: its own payload. A union of names: a payload that every one of them takes.
expectType<Equal<RequestInput<Shapes, "circle">, { radius: number }>>();
expectType<
  Equal<RequestInput<Shapes, "circle" | "square">, { radius: number } & { side: number }>
>();
expectType<Equal<RequestInput<Shapes, "shout" | "whisper">, string>>();
expectType<Equal<ClientSignalInput<Shapes, "move" | "rename">, { x: number } & { name: string }>>();

/** A wrapper generic over the name, as an app writes one: it still compiles. */
function measure<N extends RequestName<Shapes>>(
  api: TypedClient<Shapes>,
  name: N,
  payload: RequestInput<Shapes, N>,
): Promise<RequestReply<Shapes, N>> {
  return api.request(name, payload);
}

const pick = <T>(a: T, b: T): T => Math.random() < 2 ? a : b; // always `a`, typed as either

test("a typed call with a union of names takes only a payload that fits every name", async () => {
  const heard: unknown[] = [];
  let connection: Connection | undefined;
  const running = await startServer({
    onClientConnected: (connected) => void (connection = connected),
    ...createRouter(shapes, {
      requests: {
        // Each handler trusts its type: a payload of the other shape gives NaN, not an error.
        circle: ({ radius }) => Math.round(Math.PI * radius * radius),
        square: ({ side }) => side * side,
        shout: (text) => text.toUpperCase(),
        whisper: (text) => text.toLowerCase(),
      },
      clientSignals: {
        move: (payload) => void heard.push(payload),
        rename: (payload) => void heard.push(payload),
      },
    }),
  });
  const api = new TypedClient(new Client(running.url), shapes);
  const push = new TypedServer(running.server, shapes);
  try {
    const shape = pick("circle" as const, "square" as const);
    // @ts-expect-error a square's payload may go to "circle"
    assert.equal(await api.request(shape, { side: 2 }), null, "NaN, sent as JSON null");
    assert.equal(await api.request(shape, { radius: 1, side: 1 }), 3, "fits both");
    assert.equal(await measure(api, "square", { side: 3 }), 9);
    const loud = pick("shout" as const, "whisper" as const);
    assert.equal(await api.request(loud, "Hi"), "HI");

    const signal = pick("move" as const, "rename" as const);
    // @ts-expect-error a rename's payload may go to "move"
    api.signal(signal, { name: "ada" });
    await until(() => heard.length === 1, "the signal arrived");
    assert.deepEqual(heard, [{ name: "ada" }], "the handler of move got no x");

    const heardMoved = Promise.withResolvers<unknown>();
    api.on("moved", (moved) => heardMoved.resolve(moved));
    const pushed = pick("moved" as const, "renamed" as const);
    // @ts-expect-error a renamed payload may go out as "moved"
    assert.equal(push.broadcast(pushed, { name: "ada" }), 1);
    assert.deepEqual(await heardMoved.promise, { name: "ada" }, "a listener typed { x } got no x");
    // @ts-expect-error the same through publish, signalSession and signal
    push.publish("topic", pushed, { name: "ada" });
    // @ts-expect-error as above
    push.signalSession("key", pushed, { name: "ada" });
    // @ts-expect-error as above
    push.signal(connection!, pushed, { name: "ada" });
  } finally {
    await api.client.close();
    await running.close();
  }
});
