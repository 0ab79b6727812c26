// Timeouts the client is given: milliseconds above 0, or Infinity for none. 0, negative numbers
// and NaN are refused (they used to mean "never time out" for requests, and made every dial
// fail for dialTimeout), as a bad reconnect delay is.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { recordingTimers } from "../testing/recording_timers.ts";
import { type StartedServer, startServer } from "../testing/serve.ts";
import { Client } from "./client.ts";
import { maxTimerDelay } from "./timer_delay.ts";

const refused = [0, -1, -Infinity, NaN, "1000" as unknown as number];

describe("Client timeouts", () => {
  let running: StartedServer;
  const handled: string[] = [];

  before(async () => {
    running = await startServer({
      logger: silentLogger,
      onRequest: async ({ name, payload, connection }) => {
        handled.push(name);
        if (name === "login") await connection.createSession({});
        return payload;
      },
    });
  });
  after(async () => {
    await running.close();
  });

  it("refuses a requestTimeout or dialTimeout that is not above 0 when the client is made", () => {
    for (const option of ["requestTimeout", "dialTimeout"]) {
      for (const value of refused) {
        assert.throws(
          () => new Client(running.url, { autoconnect: false, [option]: value }),
          (error) =>
            error instanceof RangeError &&
            error.message.startsWith(`${option} must be a number of milliseconds above 0`),
          `${option}: ${String(value)}`,
        );
      }
    }
  });

  it("takes Infinity and fractions of a millisecond", async () => {
    const client = new Client(running.url, {
      autoconnect: false,
      requestTimeout: Infinity,
      dialTimeout: 0.5 + 2_000,
    });
    await client.connect();
    assert.equal((await client.request("echo", "hi")).text(), "hi");
    await client.close();
  });

  it("rejects a request whose timeout is not above 0 with a RangeError, unsent", async () => {
    const client = new Client(running.url, { logger: silentLogger });
    await client.connect();
    handled.length = 0;
    for (const timeout of refused) {
      // Rejects, as for a bad name or encoding: no synchronous throw.
      const reply = client.request("echo", "x", { timeout });
      await assert.rejects(reply, RangeError, String(timeout));
    }
    await assert.rejects(client.request("login", "", { timeout: 0 }), /timeout must be/);
    // From JavaScript: a string that looks like a number is named as a string.
    const quoted = { timeout: "5000" as unknown as number };
    await assert.rejects(client.request("echo", "x", quoted), /got a string "5000"$/);
    await assert.rejects(client.restoreSession("k", { timeout: NaN }), RangeError);
    await client.request("login", "", { timeout: Infinity });
    await assert.rejects(client.closeSession({ timeout: -1 }), RangeError);
    assert.notEqual(client.session, null, "the session is kept");
    assert.deepEqual(handled, ["login"]);
    assert.equal((await client.request("echo", "ok", { timeout: Infinity })).text(), "ok");
    await client.close();
  });

  it("arms no dial timer for a dialTimeout of Infinity", async () => {
    await recordingTimers(async (delays) => {
      const client = new Client(running.url, { autoconnect: false, dialTimeout: Infinity });
      await client.connect();
      await client.close();
      assert.ok(!delays.includes(maxTimerDelay), `timers: ${delays.join(", ")}`);
    });
  });
});
