/**
 * The conformance service: the small set of requests and signals that a WebWire server under
 * test implements so that the live conformance suites (and the reference Go client) can check
 * it. Specified in `conformance/README.md`; this is our server's implementation of it.
 *
 * @example
 * ```ts
 * import { conformanceService } from "./service.ts";
 * import { Server } from "../server.ts";
 * import { MemorySessionManager } from "../session/mod.ts";
 * const server = new Server({ ...conformanceService(), sessionManager: new MemorySessionManager() });
 * await server.shutdown();
 * ```
 * @module
 */

import { Payload } from "../protocol/payload.ts";
import { RequestError } from "../protocol/request_error.ts";
import type { IncomingRequest, ReplyValue } from "../server/incoming.ts";
import type { ServerOptions } from "../server/options.ts";

/** The longest `sleep` the service accepts, so that a test cannot tie up a server for long. */
const maxSleepMs = 60_000;

/**
 * Answers synchronously where nothing is awaited (as the raw echo floor the benchmarks compare
 * it with does): the core sends such a reply without a promise. Only requests that wait return
 * one.
 */
function answer(request: IncomingRequest): ReplyValue | Promise<ReplyValue> {
  const connection = request.connection;
  switch (request.name) {
    case "":
    case "echo":
      return request.payload;
    case "login":
      return connection.createSession({ user: request.payload.text() }).then(() => "ok");
    case "whoami":
      if (connection.session === null) throw new RequestError("NO_SESSION", "no session");
      return connection.session.key;
    case "user": {
      const user = connection.session?.info?.user;
      if (user === undefined) throw new RequestError("NO_SESSION", "no session");
      return String(user);
    }
    case "logout":
      return connection.closeSession().then(() => "ok");
    case "error":
      throw new RequestError("TEST_ERROR", "test error message");
    case "internal":
      throw new Error("internal failure requested by the client");
    case "sleep":
      return sleep(request.payload.text());
    case "signal-me":
      connection.signal("srvsig", "ping");
      return "ok";
    default:
      throw new RequestError("UNKNOWN_REQUEST", `no request named "${request.name}"`);
  }
}

function sleep(text: string): Promise<ReplyValue> {
  const ms = Number(text);
  if (!(Number.isInteger(ms) && ms >= 0 && ms <= maxSleepMs)) {
    throw new RequestError("BAD_SLEEP", `sleep takes 0 to ${maxSleepMs} ms as ASCII digits`);
  }
  return new Promise((resolve) => setTimeout(() => resolve("slept"), ms));
}

/**
 * The service's hooks, to spread into server options.
 *
 * @example
 * ```ts
 * import { conformanceService } from "./service.ts";
 * import { Client } from "../client.ts";
 * import { Server } from "../server.ts";
 * import { serveDeno } from "../adapters/deno.ts";
 * import { MemorySessionManager } from "../session/mod.ts";
 * const sessionManager = new MemorySessionManager();
 * const server = new Server({ ...conformanceService(), sessionManager });
 * const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
 * const client = new Client(running.url);
 * console.assert((await client.request("login", "ada")).text() === "ok");
 * console.assert((await client.request("user")).text() === "ada");
 * const error = await client.request("error").catch((e) => e);
 * console.assert(error.code === "TEST_ERROR");
 * await client.close();
 * await running.close();
 * ```
 */
export function conformanceService(): Pick<ServerOptions, "onRequest" | "onSignal"> {
  return {
    onRequest: answer,
    onSignal: (signal) => {
      if (signal.name !== "echo-signal") return;
      const payload = signal.payload.length === 0 ? undefined : signal.payload;
      signal.connection.signal(signal.name, payload ?? new Payload(new Uint8Array(0)));
    },
  };
}
