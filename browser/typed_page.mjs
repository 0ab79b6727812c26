// The in-page part of the browser test of the typed client bundle (dist/webwire-typed.js,
// served as /webwire-typed.js): typed requests through TypedClient against the conformance
// service's `echo` and `error`, resolving with a list of checks `{ name, ok, detail }`.

// Loaded by URL at run time: the bundle is build output that type checkers cannot resolve.
const bundle = await import(new URL("/webwire-typed.js", location.href).href);
const { Client, defineContract, RequestError, TypedClient, unchecked } = bundle;

const patience = 3000;

async function check(name, step) {
  try {
    const detail = await step();
    return { name, ok: detail === true, detail: String(detail) };
  } catch (error) {
    return { name, ok: false, detail: `${error?.name}: ${error?.message}` };
  }
}

async function typedRequests(url) {
  // `echo` answers with the payload as it came: JSON as JSON, bytes as bytes. The same
  // request under two contracts: one whose reply is JSON, one whose reply is bytes.
  const json = defineContract({ requests: { echo: { payload: unchecked(), reply: unchecked() } } });
  const bytes = unchecked({ bytes: true });
  const raw = defineContract({ requests: { echo: { payload: bytes, reply: bytes } } });
  const client = new Client(url, { requestTimeout: patience });
  const typed = new TypedClient(client, json);
  const typedBytes = new TypedClient(client, raw);
  const results = [];
  try {
    results.push(
      await check("a typed request's reply is the decoded JSON value", async () => {
        const note = { text: "héllo 🌍", tags: ["a", "b"], n: 1.5 };
        const reply = await typed.request("echo", note);
        return JSON.stringify(reply) === JSON.stringify(note) || JSON.stringify(reply);
      }),
    );
    results.push(
      await check("an empty binary reply is undefined (no value)", async () => {
        const reply = await typed.request("echo", new Uint8Array(0));
        return reply === undefined || `got ${reply}`;
      }),
    );
    results.push(
      await check("a bytes reply schema keeps bytes, empty ones too", async () => {
        const some = await typedBytes.request("echo", new Uint8Array([1, 255]));
        const none = await typedBytes.request("echo", new Uint8Array(0));
        return (some instanceof Uint8Array && some.join() === "1,255" &&
          none instanceof Uint8Array && none.length === 0) || `got ${some} and ${none}`;
      }),
    );
    results.push(
      await check("an error reply is the bundle's RequestError", async () => {
        const error = await typed.request("error").then(() => null, (e) => e);
        return (error instanceof RequestError && error.code === "TEST_ERROR") || `got ${error}`;
      }),
    );
    results.push(
      await check("the bundle has no server part of the typed layer", () => {
        const served = ["createRouter", "TypedServer"].filter((name) => name in bundle);
        return served.length === 0 || `exports ${served.join(", ")}`;
      }),
    );
  } finally {
    await client.close();
  }
  return { results };
}

globalThis.webwireTypedBrowserTest = { typedRequests };
