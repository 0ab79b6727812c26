// Compile-time tests of what a contract may carry: a contract whose payloads, replies or
// signals hold what `encodeValue` refuses (a Date, a Map, a bigint, a function, bytes inside
// JSON, ...) fails to type-check wherever it is used, and the contracts JSON does carry
// (interfaces, recursive types, optional fields, unions, tuples, whole-payload bytes) still do.
// `deno test` type-checks this file: each `@ts-expect-error` line must be an error. The run-time
// test checks that the types and `encodeValue` agree, value by value.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as v from "valibot";
import { Client } from "../client/client.ts";
import { Server } from "../server/server.ts";
import type { Contract } from "./contract.ts";
import { type ContractDefinition, defineContract } from "./define_contract.ts";
import { encodeValue } from "./payload_codec.ts";
import { createRouter } from "./router.ts";
import type { Sendable, SendableContract } from "./sendable.ts";
import { TypedClient } from "./typed_client.ts";
import { TypedServer } from "./typed_server.ts";
import { unchecked } from "./unchecked.ts";

/** Compiles only for a contract the typed layer takes. */
function takes<C extends Contract & SendableContract<C>>(): void {}

// What JSON carries.
interface Note {
  text: string;
  tags: readonly string[];
  at?: string; // optional: left out when undefined
  editor: string | undefined;
  pinned: boolean | null;
  position: [x: number, y: number];
  color: "red" | "green";
}
type Tree = { label: string; children: Tree[] }; // recursive through an object
type Json = string | number | boolean | null | Json[] | { [key: string]: Json }; // a recursive union
interface Folder {
  name: string;
  parent?: Folder;
  files: readonly { name: string; size: number }[];
}
type UserId = string & { readonly brand: unique symbol };
enum Level {
  Low,
  High,
}
class Point {
  x = 0;
  y = 0;
  #secret = 1; // private fields are not sent, and not in its type's keys either
  get sum(): number {
    return this.x + this.y + this.#secret;
  }
}
interface Fine {
  requests: {
    save: { payload: Note; reply: { id: UserId; level: Level } };
    tree: { payload: Tree; reply: Json };
    folder: { payload: Folder | null; reply: readonly Folder[] };
    point: { payload: Point; reply: [Point, Point?] };
    upload: { payload: Uint8Array; reply: Uint8Array<ArrayBuffer> | { missing: true } };
    anything: { payload: unknown; reply: Record<string, unknown> };
    // A schema on the server turns what the client sends into a Date: the Date is never sent.
    at: { payload: Date; payloadInput: string; reply: number };
    none: { reply: undefined };
    empty: Record<never, never>;
  };
  clientSignals: { typing: { room: string } | undefined; seen: Date };
  clientSignalInputs: { seen: number };
  serverSignals: { tick: number; tree: Tree; file: Uint8Array };
}
takes<Fine>();
takes<Contract>();
takes<{ requests: { [name: string]: { payload: { text: string }; reply: number } } }>();
const fine = defineContract<Fine>();
createRouter(defineContract<{ requests: { tree: { payload: Tree; reply: Json } } }>(), {
  requests: { tree: (tree) => tree.children.length },
});

// What it does not carry: each kind, anywhere in a payload, reply or signal.
type DateReply = { requests: { next: { reply: { title: string; at: Date } } } };
type BigintPayload = { requests: { add: { payload: { amount: bigint } } } };
type MapSignal = { serverSignals: { scores: Map<string, number> } };
type SetSignal = { clientSignals: { tags: { tags: Set<string> } } };
type WeakMapReply = { requests: { cache: { reply: WeakMap<object, string> } } };
type WeakSetReply = { requests: { seen: { reply: { seen: WeakSet<object> } } } };
type PromiseReply = { requests: { later: { reply: { value: Promise<number> } } } };
type SymbolPayload = { requests: { tag: { payload: { tag: symbol } } } };
type FunctionPayload = { requests: { run: { payload: { callback: () => void } } } };
type MethodReply = { requests: { user: { reply: { name: string; greet(): string } } } };
type NestedBytes = { requests: { file: { reply: { name: string; bytes: Uint8Array } } } };
type OtherBytes = { serverSignals: { samples: Int16Array } };
type BufferReply = { requests: { raw: { reply: ArrayBuffer } } };
type DeepDate = { serverSignals: { log: { entries: readonly [string, { at: Date }][] } } };
type DateInUnion = { serverSignals: { when: string | Date } };
type DateInArray = { serverSignals: { days: Date[] } };
type DateInTree = { serverSignals: { tree: { label: Date; children: Tree[] } } };
type SentDate = { requests: { at: { payload: Date; reply: number } } }; // no payloadInput
type SentInput = { requests: { at: { payload: string; payloadInput: Date } } };
type SignalInput = { clientSignals: { seen: number }; clientSignalInputs: { seen: bigint } };
type IndexedDate = { requests: { [name: string]: { payload: { at: Date } } } };

// @ts-expect-error a Date: send date.toISOString()
takes<DateReply>();
// @ts-expect-error a bigint
takes<BigintPayload>();
// @ts-expect-error a Map
takes<MapSignal>();
// @ts-expect-error a Set
takes<SetSignal>();
// @ts-expect-error a WeakMap
takes<WeakMapReply>();
// @ts-expect-error a WeakSet
takes<WeakSetReply>();
// @ts-expect-error a Promise
takes<PromiseReply>();
// @ts-expect-error a symbol
takes<SymbolPayload>();
// @ts-expect-error a function
takes<FunctionPayload>();
// @ts-expect-error a method: the receiver would get a plain object without it
takes<MethodReply>();
// @ts-expect-error bytes inside JSON (a Uint8Array goes only as the whole payload)
takes<NestedBytes>();
// @ts-expect-error a typed array other than Uint8Array
takes<OtherBytes>();
// @ts-expect-error an ArrayBuffer
takes<BufferReply>();
// @ts-expect-error deep in a tuple in an array
takes<DeepDate>();
// @ts-expect-error one member of a union
takes<DateInUnion>();
// @ts-expect-error in an array
takes<DateInArray>();
// @ts-expect-error next to a recursive type
takes<DateInTree>();
// @ts-expect-error without payloadInput, the payload is what the client sends
takes<SentDate>();
// @ts-expect-error payloadInput is what the client sends
takes<SentInput>();
// @ts-expect-error a client signal's input is what the client sends
takes<SignalInput>();
// @ts-expect-error in a section with an index signature
takes<IndexedDate>();

// Every entry point refuses such a contract.
const client = new Client("ws://127.0.0.1:1/", { autoconnect: false });
const server = new Server({ sessionsEnabled: false });
const dated = { schemas: {} } as ContractDefinition<DateReply>;
// @ts-expect-error defineContract
defineContract<DateReply>();
// @ts-expect-error the typed client, the contract given as a type
new TypedClient<DateReply>(client);
// @ts-expect-error the typed client, the contract inferred from a definition
new TypedClient(client, dated);
// @ts-expect-error the typed server
new TypedServer<MapSignal>(server);
// @ts-expect-error the router
createRouter(dated, { requests: { next: () => ({ title: "", at: new Date(0) }) } });
// A contract built from schemas: a transforming payload schema is fine, a Date reply is not.
const parsed = defineContract({
  requests: {
    at: { payload: v.pipe(v.string(), v.transform((text) => new Date(text))), reply: v.number() },
  },
});
const datedReply = defineContract({ requests: { now: { reply: unchecked<Date>() } } });
new TypedClient(client, parsed);
// @ts-expect-error its reply schema types a Date
new TypedClient(client, datedReply);

// The value check alone.
const at = new Date(0);
const bytes: Sendable<Uint8Array> = new Uint8Array([1]);
const tree: Sendable<Tree> = { label: "root", children: [] };
// @ts-expect-error a Date is not sent
const date: Sendable<Date> = at;

test("the types refuse what encodeValue refuses, and take what it sends", async () => {
  const refused: [string, unknown][] = [
    ["Date", { at }],
    ["BigInt", { amount: 1n }],
    ["Map", new Map()],
    ["Set", { tags: new Set() }],
    ["WeakMap", new WeakMap()],
    ["WeakSet", { seen: new WeakSet() }],
    ["Promise", { value: Promise.resolve(1) }],
    ["symbol", { tag: Symbol("t") }],
    ["function", { callback: () => {} }],
    ["function", { name: "ada", greet: () => "hi" }],
    ["Uint8Array", { name: "a", bytes: new Uint8Array(1) }],
    ["Int16Array", new Int16Array(1)],
    ["ArrayBuffer", new ArrayBuffer(1)],
    ["Date", { entries: [["a", { at }]] }],
    ["Date", [at]],
  ];
  for (const [kind, value] of refused) {
    assert.throws(() => encodeValue(value), new RegExp(`cannot send an? ${kind}`), kind);
  }
  const note: Note = {
    text: "hi",
    tags: [],
    editor: undefined,
    pinned: null,
    position: [1, 2],
    color: "red",
  };
  const sent: unknown[] = [note, tree, new Point(), { missing: true }, undefined, [new Point()]];
  for (const value of sent) assert.equal(typeof encodeValue(value), "string");
  assert.equal(encodeValue(bytes), bytes, "a whole-payload Uint8Array goes as raw bytes");
  assert.throws(() => encodeValue(date), /cannot send a Date as JSON/);
  assert.equal(fine.schemas.requests, undefined);
  await server.shutdown();
  await client.close();
});
