// dialUrl gives the URL of each dial (a token fresh for every reconnect): the server sees a new
// token each time, client.url, errors and the trace keep the base URL, and a hook that fails,
// answers badly or never answers fails that attempt (retried) without holding up close().
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { delay, nextEvent, waitFor } from "../testing/client_support.ts";
import { startTokenServer } from "../testing/token_server.ts";
import { Client } from "./client.ts";
import { ConnectionFailedError, DisconnectedError } from "./errors.ts";
import type { ConnectFailure } from "./events.ts";

const reconnect = { initialDelay: 10, maxDelay: 20 };

describe("Client dialUrl", () => {
  it("is called before every dial: the server sees a fresh token per reconnect", async () => {
    const running = await startTokenServer(["t1", "t2"]);
    const given: string[] = [];
    const lines: string[] = [];
    let issued = 0;
    const client = new Client(running.url, {
      logger: silentLogger,
      reconnect,
      trace: { sink: (line) => void lines.push(line) },
      dialUrl: async (url) => {
        given.push(url);
        await delay(5); // fetching a token
        return `${url}?token=t${++issued}`;
      },
    });
    const failures: ConnectFailure[] = [];
    client.addEventListener("connectfailed", (event) => failures.push(event.detail));
    try {
      await client.connect();
      const back = nextEvent(client, "connected");
      await running.kick(4000, "restarting");
      await back;
      assert.deepEqual(running.tokens, ["t1", "t2"]);
      assert.deepEqual(given, [running.url, running.url], "always the base URL");
      assert.equal(client.url, running.url);
      assert.equal((await client.request("echo", "hi")).text(), "hi");
      // t3 is refused: the failure names the base URL, not the token.
      await running.kick(4000, "restarting");
      await waitFor(() => failures.length >= 1);
      const error = failures[0].error;
      assert.ok(error instanceof ConnectionFailedError, String(error));
      assert.equal(error.status, 401);
      assert.ok(error.message.startsWith(`could not connect to ${running.url}:`), error.message);
      assert.ok(lines.length > 0 && lines.every((line) => line.includes(` ${running.url} `)));
      for (const text of [error.message, ...lines]) assert.doesNotMatch(text, /token=/);
    } finally {
      await client.close();
      await running.close();
    }
  });

  interface FailingHook {
    what: string;
    hook: () => string | Promise<string>;
    message: RegExp;
    cause: (cause: unknown) => boolean;
  }
  const failingHooks: FailingHook[] = [{
    what: "throws",
    hook: () => {
      throw new Error("token service down");
    },
    message: /: dialUrl threw: token service down$/,
    cause: (cause) => cause instanceof Error && cause.message === "token service down",
  }, {
    what: "rejects",
    hook: () => Promise.reject(new Error("no token")),
    message: /: dialUrl threw: no token$/,
    cause: (cause) => cause instanceof Error && cause.message === "no token",
  }, {
    what: "returns a bad URL",
    hook: () => "localhost:8080/?token=secret",
    message: /: bad server URL returned by dialUrl: the scheme must be ws: or wss:/,
    cause: (cause) => cause instanceof SyntaxError && !cause.message.includes("secret"),
  }, {
    what: "returns no string",
    hook: () => undefined as unknown as string,
    message: /: dialUrl must return a URL string, got undefined$/,
    cause: (cause) => cause instanceof TypeError,
  }];
  for (const { what, hook: failing, message, cause } of failingHooks) {
    it(`that ${what}: the attempt fails with a DisconnectedError and is retried`, async () => {
      const running = await startTokenServer(["good"]);
      let calls = 0;
      const failures: ConnectFailure[] = [];
      const client = new Client(running.url, {
        logger: silentLogger,
        reconnect,
        // Fails twice, then gives a good URL.
        dialUrl: (url) => ++calls <= 2 ? failing() : `${url}?token=good`,
        onConnectFailed: (failure) => failures.push(failure),
      });
      try {
        const connected = nextEvent(client, "connected");
        const error = await client.connect().catch((e) => e);
        assert.ok(error instanceof DisconnectedError, String(error));
        assert.ok(!(error instanceof ConnectionFailedError));
        assert.ok(error.message.startsWith(`could not dial ${running.url}: `), error.message);
        assert.match(error.message, message);
        assert.ok(cause(error.cause), String(error.cause));
        assert.doesNotMatch(error.message, /secret/);
        await connected;
        assert.equal(failures.length, 2);
        assert.ok(failures.every((failure) => typeof failure.retryDelay === "number"));
        assert.deepEqual(running.tokens, ["good"], "nothing dialled before");
      } finally {
        await client.close();
        await running.close();
      }
    });
  }

  it("that never settles: the attempt fails after dialTimeout, and the hook's signal aborts", async () => {
    const running = await startTokenServer([]);
    const signals: AbortSignal[] = [];
    const client = new Client(running.url, {
      logger: silentLogger,
      autoconnect: false,
      dialTimeout: 100,
      dialUrl: (_url, signal) => {
        signals.push(signal);
        return new Promise<string>(() => {});
      },
    });
    try {
      const start = performance.now();
      const error = await client.connect().catch((e) => e);
      const took = performance.now() - start;
      assert.ok(error instanceof DisconnectedError, String(error));
      assert.match(error.message, /dialUrl gave no URL within the dial timeout of 100 ms$/);
      assert.ok(took >= 90 && took < 2_000, `${took} ms`);
      assert.equal(signals.length, 1);
      assert.ok(signals[0].aborted);
      assert.equal(client.status, "disconnected");
      assert.equal(running.tokens.length, 0);
    } finally {
      await client.close();
      await running.close();
    }
  });

  it("close() during a pending dialUrl does not wait for it, and nothing is dialled", async () => {
    const running = await startTokenServer(["good"]);
    let answer!: (url: string) => void;
    let hookSignal: AbortSignal | undefined;
    const failures: ConnectFailure[] = [];
    const client = new Client(running.url, {
      logger: silentLogger,
      reconnect,
      dialUrl: (_url, signal) => {
        hookSignal = signal;
        return new Promise<string>((resolve) => answer = resolve);
      },
      onConnectFailed: (failure) => failures.push(failure),
    });
    const attempt = client.connect().catch((e) => e);
    await waitFor(() => hookSignal !== undefined);
    const start = performance.now();
    await client.close();
    assert.ok(performance.now() - start < 500);
    assert.equal(client.status, "closed");
    const error = await attempt;
    assert.ok(error instanceof DisconnectedError, String(error));
    assert.match(error.message, /closed/);
    assert.ok(hookSignal!.aborted);
    answer(`${running.url}?token=good`); // too late: ignored
    await delay(100);
    assert.equal(running.tokens.length, 0);
    assert.equal(failures.length, 0);
    await running.close();
  });
});
