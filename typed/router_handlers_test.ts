// Which handlers a typed router serves: only the contract's names when the contract is built
// from schemas (a helper next to the handlers is refused, not served unchecked), methods of a
// class instance, and no value for a request whose contract gives no reply.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as v from "valibot";
import { Client } from "../client.ts";
import { RequestError } from "../protocol/request_error.ts";
import { startServer } from "../testing/serve.ts";
import { createRouter, defineContract, TypedClient } from "./mod.ts";

const math = defineContract({
  requests: {
    add: { payload: v.tuple([v.number(), v.number()]), reply: v.number() },
    reset: { payload: v.string() },
  },
});
const handlers = { add: ([a, b]: [number, number]) => a + b, reset: () => {} };

test("a handler the schema-built contract does not name is refused when the router is made", () => {
  // Not a literal (a module's exports, say): TypeScript checks no excess properties.
  const requests = { ...handlers, resetAllData: (who: unknown) => `reset ${String(who)}` };
  assert.throws(
    () => createRouter(math, { requests }),
    (error) =>
      error instanceof TypeError &&
      /requests\.resetAllData is not in the contract/.test(error.message),
  );
  // A contract without client signals: a signal handler would take any payload.
  const signals = { clientSignals: { typing: () => {} } } as object;
  assert.throws(() => createRouter(math, { requests: handlers, ...signals }), TypeError);
  assert.throws(
    () => createRouter(math, { requests: handlers }, { maxIssueSummary: NaN }),
    RangeError,
  );
});

test("a name of the schema-built contract without a handler is refused when the router is made", () => {
  // Past the types (plain JavaScript, a cast): it was served as UNKNOWN_REQUEST, 'no request
  // named "reset"', though the contract names it.
  const cases: [object, RegExp][] = [
    [{ requests: { add: handlers.add } }, /^requests\.reset has no handler/],
    [{}, /^requests\.add has no handler/],
    [{ requests: { add: handlers.add, reset: undefined } }, /^requests\.reset has no handler/],
    // An accessor is never read: it is no handler either.
    [{
      requests: {
        add: handlers.add,
        get reset() {
          return () => {};
        },
      },
    }, /^requests\.reset /],
  ];
  for (const [given, message] of cases) {
    assert.throws(() => createRouter(math, given as never), (error) => {
      return error instanceof TypeError && message.test(error.message);
    });
  }
  const typing = defineContract({ clientSignals: { typing: v.string() } });
  assert.throws(
    () => createRouter(typing, { clientSignals: {} } as never),
    { name: "TypeError", message: /^clientSignals\.typing has no handler/ },
  );
  // Names every object inherits are no handlers either: Object's own answered them.
  for (const name of ["toString", "constructor", "hasOwnProperty"]) {
    const inherited = defineContract({ requests: { [name]: { payload: v.string() } } });
    assert.throws(
      () => createRouter(inherited, { requests: {} } as never),
      { name: "TypeError", message: new RegExp(`^requests\\.${name} has no handler`) },
    );
  }
});

test("methods of a class serve; a request without a reply schema sends no value", async () => {
  class MathRequests {
    readonly #offset = 0;
    // A dependency in a field, and an accessor: not handlers, neither refused nor called.
    constructor(readonly log: string[] = []) {}
    get calls(): number {
      throw new Error("an accessor is not a handler: never read");
    }
    add([a, b]: [number, number]): number {
      this.log.push("add");
      return a + b + this.#offset;
    }
    reset(secret: string): void {
      // What a handler returns by mistake (an untyped value) does not reach the client.
      return { leaked: secret } as unknown as void;
    }
  }
  const requests = new MathRequests();
  // A contract declared as a type takes the class too: it names no requests to check against.
  const typeOnly = defineContract<
    { requests: { add: { payload: [number, number]; reply: number } } }
  >();
  assert.doesNotThrow(() => createRouter(typeOnly, { requests }));
  // An object without prototype (a module namespace) is read as a plain one: data is a mistake.
  const namespace = Object.assign(Object.create(null), { add: requests.add, typo: "x" });
  assert.throws(() => createRouter(typeOnly, { requests: namespace }), /requests\.typo is not/);
  const router = createRouter(math, { requests });
  const running = await startServer({ sessionsEnabled: false, ...router });
  const client = new Client(running.url);
  try {
    assert.equal((await client.request("add", "[2,3]")).text(), "5");
    assert.deepEqual(requests.log, ["add"]);
    const reply = await client.request("reset", '"hunter2"');
    assert.equal(reply.bytes.length, 0);
    assert.equal(reply.encoding, "utf8", "an empty text reply, not an empty binary one");
    // A typed client reads it as no value, as the contract's type says.
    const typed = new TypedClient(client, math);
    const none: undefined = await typed.request("reset", "hunter2");
    assert.equal(none, undefined);
  } finally {
    await client.close();
    await running.close();
  }
});

test("a class's methods inherited from a built-in class are not served", async () => {
  class Greeter extends EventTarget {
    greet(name: string): string {
      this.dispatchEvent(new Event("greeted"));
      return `hello ${name}`;
    }
  }
  class LoudGreeter extends Greeter {
    shout(name: string): string {
      return this.greet(name).toUpperCase();
    }
  }
  const contract = defineContract<
    {
      requests: {
        greet: { payload: string; reply: string };
        shout: { payload: string; reply: string };
      };
    }
  >();
  const running = await startServer({
    sessionsEnabled: false,
    ...createRouter(contract, { requests: new LoudGreeter() }),
  });
  const client = new Client(running.url);
  try {
    assert.equal((await client.request("shout", '"ada"')).text(), '"HELLO ADA"');
    assert.equal((await client.request("greet", '"ada"')).text(), '"hello ada"');
    for (const name of ["dispatchEvent", "addEventListener", "toString", "constructor"]) {
      await assert.rejects(
        client.request(name, '"x"'),
        (error) => error instanceof RequestError && error.code === "UNKNOWN_REQUEST",
        name,
      );
    }
  } finally {
    await client.close();
    await running.close();
  }
});

test("a contract with a value that is no Standard Schema is refused when it is defined", () => {
  // What zod before 3.24 gives: a schema object without "~standard".
  const oldZod = { parse: (value: unknown) => value, safeParse: () => ({ success: true }) };
  const cases: [object, RegExp][] = [
    [{ requests: { add: { payload: oldZod } } }, /requests\.add\.payload is not a Standard/],
    [{ requests: { add: { payload: v.string(), reply: null } } }, /requests\.add\.reply is not/],
    [{ clientSignals: { typing: oldZod } }, /clientSignals\.typing is not/],
    [{ serverSignals: { tick: { "~standard": { version: 1 } } } }, /serverSignals\.tick is not/],
  ];
  for (const [schemas, message] of cases) {
    assert.throws(() => defineContract(schemas as never), (error) => {
      return error instanceof TypeError && message.test(error.message);
    });
  }
  assert.doesNotThrow(() => defineContract({ requests: { reset: {} } }));
});

test("a contract with a key it does not know, or a schema for a whole request, is refused", () => {
  // Each was ignored: a reply sent as nothing, a payload never checked, a section never read.
  const cases: [object, RegExp][] = [
    [
      { requests: { add: { payload: v.number(), replies: v.number() } } },
      /^requests\.add has a key "replies" it does not know: it takes payload, reply$/,
    ],
    [{ requests: { add: v.number() } }, /^requests\.add is a schema: give \{ payload, reply \}/],
    // A schema that is a function, as arktype's are.
    [
      { requests: { add: Object.assign(() => {}, { "~standard": v.number()["~standard"] }) } },
      /^requests\.add is a schema/,
    ],
    [{ requests: { add: null } }, /^requests\.add is not an object of payload, reply$/],
    [{ request: { add: {} } }, /^the contract has a key "request" it does not know/],
    [{ signals: { tick: v.string() } }, /^the contract has a key "signals"/],
  ];
  for (const [schemas, message] of cases) {
    assert.throws(() => defineContract(schemas as never), (error) => {
      return error instanceof TypeError && message.test(error.message);
    });
  }
});

test("a contract with a section or a request that is no object is refused, naming it", () => {
  // Each was read as empty (or as requests named "0", "1", ...): every request or signal it was
  // meant to declare refused at run time as unknown, or a request with no reply.
  const requestsGiven = /give \{ \[name\]: \{ payload, reply \} \}, or leave it out$/;
  const cases: [object, RegExp][] = [
    [{ requests: null }, /^requests is null: /],
    [{ requests: null }, requestsGiven],
    [{ requests: 5 }, /^requests is a number: /],
    [{ requests: [] }, /^requests is an array: /],
    [{ requests: [{ payload: v.string() }] }, /^requests is an array: /],
    [{ requests: v.object({}) }, /^requests is a schema: /],
    [{ clientSignals: null }, /^clientSignals is null: give \{ \[name\]: schema \}, or leave/],
    [{ serverSignals: "tick" }, /^serverSignals is a string: /],
    [{ serverSignals: [v.string()] }, /^serverSignals is an array: /],
    [{ signals: null }, /^the contract has a key "signals" it does not know/],
    [{ requests: { add: null } }, /^requests\.add is not an object of payload, reply$/],
    [{ requests: { add: [] } }, /^requests\.add is not an object of payload, reply$/],
    [[], /^the contract is not an object of requests, clientSignals, serverSignals$/],
  ];
  for (const [schemas, message] of cases) {
    assert.throws(() => defineContract(schemas as never), (error) => {
      return error instanceof TypeError && message.test(error.message);
    }, message.source);
  }
  // Left out, or given as undefined, a section is empty.
  assert.deepEqual(defineContract({ requests: undefined }).schemas, { requests: undefined });
  assert.doesNotThrow(() => defineContract({ requests: {}, clientSignals: {} }));
});

test("a contract with a name the wire cannot carry is refused when it is defined", () => {
  // Names are 0 to 255 bytes of printable ASCII (PROTOCOL.md): neither end could send these.
  const cases: [object, RegExp][] = [
    [{ requests: { "créer": {} } }, /^requests name "créer" has a character that is not/],
    [{ clientSignals: { "tap\n": v.string() } }, /^clientSignals name "tap\\n" has a char/],
    [{ serverSignals: { ["x".repeat(256)]: v.string() } }, /^serverSignals name "x+…" too long/],
  ];
  for (const [schemas, message] of cases) {
    assert.throws(() => defineContract(schemas as never), (error) => {
      return error instanceof RangeError && message.test(error.message);
    });
  }
  assert.doesNotThrow(() => defineContract({ serverSignals: { ["x".repeat(255)]: v.string() } }));
});
