// Schemas that turn what they accept into something else (a transform, a default): a client
// sends the schema's input type and the handler receives its output type. The type checks
// (`deno check`, part of `npm test`) and the calls over a real socket must agree.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as v from "valibot";
import { Client } from "../client/client.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import type {
  ClientSignalInput,
  ClientSignalPayload,
  RequestInput,
  RequestPayload,
  RequestReply,
  ServerSignalPayload,
} from "./contract.ts";
import { type ContractOf, defineContract } from "./define_contract.ts";
import { createRouter } from "./router.ts";
import { TypedClient } from "./typed_client.ts";
import { TypedServer } from "./typed_server.ts";
import { type Equal, expectType } from "../testing/type_equality.ts";

const numeric = v.pipe(v.string(), v.transform((text: string) => Number(text)));
const shop = defineContract({
  requests: {
    double: { payload: numeric, reply: v.number() },
    page: { payload: v.optional(v.number(), 1), reply: v.number() },
    // A reply schema is not run anywhere: both ends see its input type.
    price: { reply: numeric },
    none: {},
  },
  clientSignals: { seen: numeric },
  serverSignals: { stock: numeric },
});
type Shop = ContractOf<typeof shop>;

expectType<Equal<RequestInput<Shop, "double">, string>>();
expectType<Equal<RequestPayload<Shop, "double">, number>>();
expectType<Equal<RequestInput<Shop, "page">, number | undefined>>();
expectType<Equal<RequestPayload<Shop, "page">, number>>();
expectType<Equal<RequestReply<Shop, "price">, string>>();
expectType<Equal<RequestInput<Shop, "none">, undefined>>();
expectType<Equal<RequestPayload<Shop, "none">, undefined>>();
expectType<Equal<ClientSignalInput<Shop, "seen">, string>>();
expectType<Equal<ClientSignalPayload<Shop, "seen">, number>>();
expectType<Equal<ServerSignalPayload<Shop, "stock">, string>>();
// A contract declared as a type sends what its handlers receive.
type Plain = { requests: { add: { payload: [number, number]; reply: number } } };
expectType<Equal<RequestInput<Plain, "add">, [number, number]>>();

test("a client sends a schema's input type, the handler receives its output type", async () => {
  const seen = new Array<number>();
  const running = await startServer(createRouter(shop, {
    requests: {
      double: (n) => n * 2,
      page: (n) => n,
      price: () => "12.50",
      none: () => {},
    },
    clientSignals: { seen: (n) => void seen.push(n + 1) },
  }));
  const push = new TypedServer(running.server, shop);
  const api = new TypedClient(new Client(running.url), shop);
  try {
    assert.equal(await api.request("double", "21"), 42);
    // @ts-expect-error the schema accepts a string: a number is refused by the server too
    await assert.rejects(api.request("double", 21), { code: "INVALID_PAYLOAD" });
    assert.equal(await api.request("page"), 1, "the schema's default");
    assert.equal(await api.request("page", 3), 3);
    const price: string = await api.request("price");
    assert.equal(price, "12.50");

    const stock = new Promise<string>((resolve) => api.on("stock", resolve));
    api.signal("seen", "41");
    await until(() => seen.length === 1, "the signal handled");
    assert.deepEqual(seen, [42]);
    assert.equal(push.broadcast("stock", "7"), 1);
    assert.equal(await stock, "7");
  } finally {
    await api.client.close();
    await running.close();
  }
});
