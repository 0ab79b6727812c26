/**
 * A server that authenticates the upgrade with a `?token=` in the URL, as the README's auth
 * recipe does: for tests of what a client does when it is refused (401) or kicked, and of a
 * token made fresh for every dial.
 *
 * @example
 * ```ts
 * import { startTokenServer } from "./token_server.ts";
 * import { Client } from "../client.ts";
 * const running = await startTokenServer(["good"]);
 * const client = new Client(`${running.url}?token=good`);
 * await client.connect();
 * console.assert(running.tokens.join() === "good");
 * await client.close();
 * await running.close();
 * ```
 * @module
 */

import { silentLogger } from "../protocol/logger.ts";
import { testRequestHandler } from "./client_support.ts";
import { type StartedServer, startServer } from "./serve.ts";

/**
 * A server started by {@link startTokenServer}.
 *
 * @example
 * ```ts
 * import type { TokenServer } from "./token_server.ts";
 * const seen = (running: TokenServer): number => running.tokens.length;
 * console.assert(typeof seen === "function");
 * ```
 */
export interface TokenServer extends StartedServer {
  /** The token of every upgrade request, accepted or not, in order ("" for none). */
  readonly tokens: string[];
  /** The tokens accepted from now on (others get 401); change it at will. */
  valid: Set<string>;
  /** Closes every connection with `code` and `reason` (socket.io's `disconnect(true)`). */
  kick(code: number, reason: string): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 that accepts an upgrade only with a token of `valid` and answers
 * requests with `testRequestHandler` (`echo`, `slow`, ...).
 *
 * @example
 * ```ts
 * import { startTokenServer } from "./token_server.ts";
 * import { Client, ConnectionFailedError } from "../client.ts";
 * const running = await startTokenServer([]);
 * const client = new Client(`${running.url}?token=bad`, { autoconnect: false });
 * const error = await client.connect().catch((e) => e);
 * console.assert(error instanceof ConnectionFailedError && running.tokens.join() === "bad");
 * await client.close();
 * await running.close();
 * ```
 */
export async function startTokenServer(valid: Iterable<string>): Promise<TokenServer> {
  const tokens: string[] = [];
  const state = { valid: new Set(valid) };
  const started = await startServer({
    logger: silentLogger,
    sessionsEnabled: false,
    beforeUpgrade: (request) => {
      const token = new URL(request.url).searchParams.get("token") ?? "";
      tokens.push(token);
      if (!state.valid.has(token)) return new Response("unauthorized", { status: 401 });
      return { info: { token } };
    },
    onRequest: testRequestHandler,
  });
  return {
    server: started.server,
    port: started.port,
    url: started.url,
    close: started.close,
    tokens,
    get valid() {
      return state.valid;
    },
    set valid(value: Set<string>) {
      state.valid = value;
    },
    kick: async (code, reason) => {
      await Promise.all(started.server.connections().map((c) => c.close(code, reason)));
    },
  };
}
