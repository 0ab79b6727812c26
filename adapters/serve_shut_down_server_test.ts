// A Server that was shut down cannot be served again: every adapter of the runtime refuses it
// with a ServerShutDownError before it listens. Before, it listened, printed its URL and
// answered every client with HTTP 503, the clients retrying for good.
import { test } from "node:test";
import assert from "node:assert/strict";
import { honoHandler } from "./hono.ts";
import { ServerShutDownError } from "../server/errors.ts";
import { adaptersOfThisRuntime, serveWith, startServer } from "../testing/serve.ts";

for (const adapter of adaptersOfThisRuntime) {
  test(`the ${adapter} adapter refuses to serve a Server that was shut down`, async () => {
    const running = await startServer({ adapter, sessionsEnabled: false });
    await running.close(); // shuts the server down
    await assert.rejects(serveWith(running.server, adapter), (error: Error) => {
      assert.ok(error instanceof ServerShutDownError, String(error));
      assert.match(error.message, /this Server was shut down .*make a new Server/);
      return true;
    });
  });
}

test("honoHandler refuses a Server that was shut down", async () => {
  const running = await startServer({ sessionsEnabled: false });
  await running.close();
  const upgrade = () => Promise.resolve(new Response(null, { status: 500 }));
  assert.throws(() => honoHandler(running.server, upgrade), ServerShutDownError);
});
