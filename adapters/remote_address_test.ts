// connection.remoteAddress of an IPv6 peer is `[::1]:port`, as in URLs, on every adapter; a
// hostname given in brackets (`[::1]`, as in URLs) listens on that address.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import type { Connection } from "../server/connection.ts";
import { adaptersOfThisRuntime, type StartOptions, startServer } from "../testing/serve.ts";
import { RawClient } from "../testing/raw_client.ts";
import { hostPort } from "./host_port.ts";

describe("remoteAddress", () => {
  it("hostPort brackets IPv6 addresses only", () => {
    assert.equal(hostPort("::1", 57554), "[::1]:57554");
    assert.equal(hostPort("127.0.0.1", 80), "127.0.0.1:80");
    assert.equal(hostPort("::ffff:127.0.0.1", 1), "[::ffff:127.0.0.1]:1");
    assert.equal(hostPort("[::1]", 1), "[::1]:1");
  });

  for (const adapter of adaptersOfThisRuntime.filter((a) => a !== "hono")) {
    it(`an IPv6 peer reads [::1]:port (${adapter} adapter)`, async () => {
      let connected: Connection | undefined;
      const options: StartOptions = {
        adapter,
        hostname: "::1",
        logger: silentLogger,
        onClientConnected: (connection) => connected = connection,
      };
      const running = await startServer(options);
      const client = await RawClient.connect(running.url);
      assert.equal((await client.next()).kind, "accept-conf");
      assert.match(connected?.remoteAddress ?? "", /^\[::1\]:\d+$/);
      client.close();
      await running.close();
    });

    it(`a hostname given in brackets listens there, its URL with one pair (${adapter} adapter)`, async () => {
      const running = await startServer({ adapter, hostname: "[::1]", logger: silentLogger });
      try {
        assert.match(running.url, /^ws:\/\/\[::1\]:\d+\/$/);
        const client = await RawClient.connect(running.url);
        assert.equal((await client.next()).kind, "accept-conf");
        client.close();
      } finally {
        await running.close();
      }
    });
  }
});
