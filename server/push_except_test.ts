// "Everyone but the sender": `publish` and `broadcast` leave out the connection given as
// `except`, also through the typed layer, and count only those they sent to. The sender learns
// of nothing it sent: a push to its connection would have come before the reply to its own
// request. Real server, real clients.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { silentLogger } from "../protocol/logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { TypedServer } from "../typed/typed_server.ts";

/** A client and the signals it got, as `name payload`. */
function listening(url: string): { client: Client; got: string[] } {
  const client = new Client(url, { logger: silentLogger });
  const got: string[] = [];
  client.addEventListener("signal", (event) => {
    got.push(`${event.detail.name} ${event.detail.payload.text()}`);
  });
  return { client, got };
}

test("publish and broadcast with except leave out the sender, typed or not", async () => {
  const holder: { typed?: TypedServer<{ serverSignals: { said: string; shout: string } }> } = {};
  const running = await startServer({
    logger: silentLogger,
    sessionsEnabled: false,
    onRequest: ({ name, payload, connection }) => {
      const text = payload.text();
      const except = connection;
      switch (name) {
        case "join":
          return void connection.subscribe("room");
        case "say":
          return String(running.server.publish("room", "said", text, { except }));
        case "shout":
          return String(running.server.broadcast("shout", text, { except }));
        case "typed-say":
          return String(holder.typed!.publish("room", "said", text, { except }));
        case "typed-shout":
          return String(holder.typed!.broadcast("shout", text, { except }));
      }
    },
  });
  holder.typed = new TypedServer(running.server);
  const [ada, bob, carol] = [0, 1, 2].map(() => listening(running.url));
  try {
    await Promise.all([ada.client.request("join"), bob.client.request("join")]);
    await carol.client.connect(); // not in the room
    assert.equal((await ada.client.request("say", "hi")).text(), "1");
    assert.equal((await ada.client.request("shout", "HI")).text(), "2");
    assert.equal((await ada.client.request("typed-say", "yo")).text(), "1");
    assert.equal((await ada.client.request("typed-shout", "YO")).text(), "2");
    assert.deepEqual(ada.got, [], "the sender got nothing back");
    await until(() => bob.got.length === 4 && carol.got.length === 2, "the others got theirs");
    assert.deepEqual(bob.got, ["said hi", "shout HI", 'said "yo"', 'shout "YO"']);
    assert.deepEqual(carol.got, ["shout HI", 'shout "YO"']);
    // Without except, the sender is one of them.
    assert.equal(running.server.publish("room", "said", "all"), 2);
  } finally {
    await Promise.all([ada.client.close(), bob.client.close(), carol.client.close()]);
    await running.close();
  }
});
