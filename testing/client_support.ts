/**
 * Helpers shared by the client tests: a recording logger, a request handler with a few named
 * behaviours, and small waiting utilities.
 *
 * @example
 * ```ts
 * import { recordingLogger } from "./client_support.ts";
 * const log = recordingLogger();
 * log.logger.warn("seen");
 * console.assert(log.warnings.length === 1);
 * ```
 * @module
 */

import { Payload } from "../protocol/payload.ts";
import { RequestError } from "../protocol/request_error.ts";
import type { IncomingRequest, ReplyValue } from "../server/incoming.ts";
import type { Client } from "../client/client.ts";
import type { ClientEventMap } from "../client/events.ts";
import type { Logger } from "../protocol/logger.ts";

/**
 * A logger that keeps what it is given.
 *
 * @example
 * ```ts
 * import { recordingLogger } from "./client_support.ts";
 * const log = recordingLogger();
 * log.logger.error("bad", 1);
 * console.assert(log.errors[0] === "bad 1");
 * ```
 */
export function recordingLogger(): { logger: Logger; warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  const join = (data: unknown[]): string => data.map(String).join(" ");
  return {
    logger: {
      warn: (...data) => warnings.push(join(data)),
      error: (...data) => errors.push(join(data)),
    },
    warnings,
    errors,
  };
}

/**
 * Resolves after `ms` milliseconds.
 *
 * @example
 * ```ts
 * import { delay } from "./client_support.ts";
 * await delay(1);
 * ```
 */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves with the next event of `type` from `client`, or rejects after `timeout` ms.
 *
 * @example
 * ```ts
 * import { nextEvent } from "./client_support.ts";
 * import { Client } from "../client/client.ts";
 * const client = new Client("ws://127.0.0.1:1/", { autoconnect: false });
 * await nextEvent(client, "connected", 1).catch(() => {});
 * ```
 */
export function nextEvent<K extends keyof ClientEventMap>(
  client: Client,
  type: K,
  timeout = 10_000,
): Promise<ClientEventMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeEventListener(type, listener);
      reject(new Error(`no ${type} event within ${timeout} ms`));
    }, timeout);
    const listener = (event: ClientEventMap[K]): void => {
      clearTimeout(timer);
      client.removeEventListener(type, listener);
      resolve(event);
    };
    client.addEventListener(type, listener);
  });
}

/**
 * Polls `predicate` every 5 ms until it holds, or rejects after `timeout` ms.
 *
 * @example
 * ```ts
 * import { waitFor } from "./client_support.ts";
 * await waitFor(() => true);
 * ```
 */
export async function waitFor(predicate: () => boolean, timeout = 10_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeout} ms`);
    await delay(5);
  }
}

/**
 * A request handler for test servers. By name: `echo` returns the payload as it came,
 * `utf16` returns the payload text as UTF-16, `binary` returns the bytes as binary, `fail`
 * throws a `RequestError` (code `FAIL`, message the payload text), `crash` throws a plain
 * error (internal error reply), `slow` answers the payload after the number of ms in the
 * payload text, `push` signals the payload back as signal `pushed` before replying, `login`
 * creates a session with info `{ user: <payload text> }`, `logout` closes the session, `whoami`
 * returns the session key ("" without one).
 *
 * @example
 * ```ts
 * import { testRequestHandler } from "./client_support.ts";
 * import { startServer } from "./serve.ts";
 * import { Client } from "../client.ts";
 * const running = await startServer({ onRequest: testRequestHandler });
 * const client = new Client(running.url);
 * const reply = await client.request("utf16", "héllo");
 * console.assert(reply.encoding === "utf16" && reply.text() === "héllo");
 * const error = await client.request("fail", "no luck").catch((e) => e);
 * console.assert(error.code === "FAIL" && error.message === "no luck");
 * await client.request("login", "ada");
 * console.assert((await client.request("whoami")).text() === client.session?.key);
 * await client.close();
 * await running.close();
 * ```
 */
export async function testRequestHandler(request: IncomingRequest): Promise<ReplyValue> {
  const { payload, connection } = request;
  switch (request.name) {
    case "utf16":
      return Payload.from(payload.text(), "utf16");
    case "binary":
      return new Payload(payload.bytes, "binary");
    case "fail":
      throw new RequestError("FAIL", payload.text());
    case "crash":
      throw new Error("handler crashed on purpose");
    case "slow":
      await delay(Number(payload.text()));
      return payload;
    case "push":
      connection.signal("pushed", payload);
      return "pushed";
    case "login":
      await connection.createSession({ user: payload.text() });
      return "ok";
    case "logout":
      await connection.closeSession();
      return "ok";
    case "whoami":
      return connection.session?.key ?? "";
    default:
      return payload;
  }
}
