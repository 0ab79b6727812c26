// Compile-time tests of the typed layer: this file must type-check (`deno check`, part of
// `npm test`), and each `@ts-expect-error` line must be an error, or the check fails. The
// calls also run, against a real server, so that what the types refuse is refused at run
// time too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client/client.ts";
import { RequestError } from "../protocol/request_error.ts";
import { startServer } from "../testing/serve.ts";
import { type Chat, chat, type Message, startChat } from "../testing/typed_chat.ts";
import type {
  ClientSignalPayload,
  Contract,
  RequestName,
  RequestPayload,
  RequestReply,
  ServerSignalPayload,
} from "./contract.ts";
import { defineContract } from "./define_contract.ts";
import { createRouter } from "./router.ts";
import { TypedClient } from "./typed_client.ts";
import { TypedServer } from "./typed_server.ts";
import { type Equal, expectType } from "../testing/type_equality.ts";

// A contract inferred from valibot schemas has each schema's output type.
expectType<
  Equal<RequestName<Chat>, "say" | "history" | "count" | "avatar" | "age" | "forbidden" | "broken">
>();
expectType<Equal<RequestPayload<Chat, "say">, { room: string; text: string }>>();
expectType<Equal<RequestPayload<Chat, "count">, undefined>>();
expectType<Equal<RequestPayload<Chat, "avatar">, Uint8Array<ArrayBuffer>>>();
expectType<Equal<RequestPayload<Chat, "age">, Date>>();
expectType<Equal<RequestReply<Chat, "history">, Message[]>>();
expectType<Equal<RequestReply<Chat, "count">, number>>();
expectType<Equal<RequestReply<Chat, "forbidden">, undefined>>();
expectType<Equal<ClientSignalPayload<Chat, "typing">, { room: string }>>();
expectType<Equal<ServerSignalPayload<Chat, "message">, Message>>();
// @ts-expect-error the reply of "say" is not a string
expectType<Equal<RequestReply<Chat, "say">, string>>();

// A contract declared as a type.
interface Shop extends Contract {
  requests: {
    buy: { payload: { item: string; quantity: number }; reply: { order: number } };
    cart: { reply: string[] };
  };
  serverSignals: { shipped: { order: number } };
}
const shop = defineContract<Shop>();
expectType<Equal<RequestName<Shop>, "buy" | "cart">>();
expectType<Equal<RequestPayload<Shop, "cart">, undefined>>();

test("compile-time checks of the typed client hold at run time too", async () => {
  const { running } = await startChat();
  const api = new TypedClient(new Client(running.url), chat);
  const unknownRequest = (e: unknown) => e instanceof RequestError && e.code === "UNKNOWN_REQUEST";
  const invalidPayload = (e: unknown) => e instanceof RequestError && e.code === "INVALID_PAYLOAD";
  try {
    const said = await api.request("say", { room: "lobby", text: "hi" });
    assert.equal(said.id, 1);
    // @ts-expect-error the reply has no field "text"
    assert.equal(said.text, undefined);
    // @ts-expect-error the reply of "say" is an object, not a number
    const id: number = said;
    assert.equal(typeof id, "object");
    const count: number = await api.request("count");
    assert.equal(count, 1);
    // @ts-expect-error the reply of "count" is a number
    const countText: string = await api.request("count");
    assert.equal(typeof countText, "number");

    // @ts-expect-error no request "shout" in the contract
    await assert.rejects(api.request("shout", { room: "lobby" }), unknownRequest);
    // @ts-expect-error "say" takes a payload
    await assert.rejects(api.request("say"), invalidPayload);
    // @ts-expect-error "text" is missing
    await assert.rejects(api.request("say", { room: "lobby" }), invalidPayload);
    // @ts-expect-error "room" is a string
    await assert.rejects(api.request("say", { room: 1, text: "hi" }), invalidPayload);
    // @ts-expect-error "avatar" takes bytes, not text
    await assert.rejects(api.request("avatar", "me.png"), invalidPayload);
    // @ts-expect-error "count" takes no payload
    await assert.rejects(api.request("count", 5), invalidPayload);
    // @ts-expect-error request options have no encoding: the typed layer chooses it
    await api.request("count", undefined, { encoding: "utf16" });

    await api.client.connect();
    api.signal("typing", { room: "lobby" });
    // @ts-expect-error no client signal "shout"
    api.signal("shout", { room: "lobby" });
    // @ts-expect-error the payload of "typing" has a room
    api.signal("typing", { text: "lobby" });
    // @ts-expect-error "message" is a server signal, not a client signal
    api.signal("message", { id: 1, room: "lobby", text: "" });

    const stop = api.on("message", (message) => assert.equal(typeof message.id, "number"));
    // @ts-expect-error a message has no field "body"
    api.on("message", (message) => message.body);
    // @ts-expect-error the listener takes a Message, not a string
    api.on("typing", (room: string) => room);
    // @ts-expect-error no server signal "joined"
    api.on("joined", () => {});
    stop();
  } finally {
    await api.client.close();
    await running.close();
  }
});

test("compile-time checks of the router and the typed server", async () => {
  const handlers = {
    buy: ({ item, quantity }: { item: string; quantity: number }) => ({
      order: item.length * quantity,
    }),
    cart: () => ["apple"],
  };
  const running = await startServer(createRouter(shop, { requests: handlers }));
  const push = new TypedServer(running.server, shop);
  const api = new TypedClient<Shop>(new Client(running.url));
  try {
    assert.deepEqual(await api.request("buy", { item: "pear", quantity: 2 }), { order: 8 });
    assert.deepEqual(await api.request("cart"), ["apple"]);

    // @ts-expect-error the handler of "cart" is missing
    createRouter(shop, { requests: { buy: handlers.buy } });
    // @ts-expect-error "cart" replies with a string array, not a number
    createRouter(shop, { requests: { buy: handlers.buy, cart: () => 3 } });
    createRouter(shop, {
      requests: {
        ...handlers,
        // @ts-expect-error the payload of "buy" has no field "price"
        buy: (payload) => ({ order: payload.price }),
      },
    });
    // @ts-expect-error no request "refund" in the contract
    createRouter(shop, { requests: { ...handlers, refund: () => 0 } });
    // @ts-expect-error the contract has no client signals
    createRouter(shop, { requests: handlers, clientSignals: { typing: () => {} } });

    assert.equal(push.broadcast("shipped", { order: 1 }), 1, "the client is connected");
    // @ts-expect-error "order" is a number
    push.broadcast("shipped", { order: "1" });
    // @ts-expect-error no server signal "delivered"
    push.publish("orders", "delivered", { order: 1 });
    // @ts-expect-error "shipped" needs a payload
    push.signalSession("key", "shipped");
  } finally {
    await api.client.close();
    await running.close();
  }
});
