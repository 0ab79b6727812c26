import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { Client } from "./client.ts";

test("a restore answered after a handler's createSession leaves the client where the server is", async () => {
  const running = await startServer({
    logger: silentLogger,
    onRequest: async (request) => {
      await request.connection.createSession({ user: request.payload.text() });
      return "ok";
    },
  });
  const first = new Client(running.url, { logger: silentLogger, autoconnect: false });
  const second = new Client(running.url, { logger: silentLogger, autoconnect: false });
  try {
    await first.connect();
    await first.request("login", "ada");
    await until(() => first.session !== null, "ada logged in");
    const ada = first.session!.key;

    await second.connect();
    const events: string[] = [];
    second.addEventListener(
      "sessioncreated",
      (event) => events.push(`created ${event.detail.info?.user}`),
    );
    second.addEventListener("sessionclosed", () => events.push("closed"));
    // Both leave before either answer arrives: the server creates bob's session first, then
    // restores ada's on the same connection (detaching bob's).
    const login = second.request("login", "bob");
    await second.restoreSession(ada);
    await login;
    assert.equal(second.session?.key, ada);
    assert.deepEqual(events, ["created bob", "closed", "created ada"]);
    assert.equal(running.server.sessionConnections(ada).length, 2);
  } finally {
    await first.close();
    await second.close();
    await running.close();
  }
});
