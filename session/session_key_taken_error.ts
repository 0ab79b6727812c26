/**
 * The error of a session created under a key that another session already has.
 *
 * @example
 * ```ts
 * import { SessionKeyTakenError } from "./session_key_taken_error.ts";
 * const error = new SessionKeyTakenError();
 * console.assert(error.name === "SessionKeyTakenError" && !error.message.includes("key \""));
 * ```
 * @module
 */

import { WebwireError } from "../protocol/webwire_error.ts";

/**
 * A new session's key is already another session's: the session key generator made a key it
 * had made before (one that restarts a counter, or draws from too few values). Taking it would
 * hand one user's session to another, so the session is not created: the handler's
 * `createSession` rejects with this error, and the session that has the key is left as it is.
 * The server throws it for a key one of its own connections holds; the built-in session
 * managers (`MemorySessionManager`, `FileSessionManager`, `RedisSessionManager`) throw it from
 * `onSessionCreated` for a key they store and that has not expired, and a session manager of
 * your own should too. The default generator's keys (256 random bits) never collide. The message
 * leaves the key out: a session key is a secret.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire/client";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { MemorySessionManager, SessionKeyTakenError } from "@webwire/webwire/session";
 *
 * const running = serveDeno(new Server({
 *   sessionManager: new MemorySessionManager(),
 *   sessionKeyGenerator: { generate: () => "always-the-same" }, // a broken generator
 *   onRequest: async (request) => {
 *     try {
 *       await request.connection.createSession({ user: request.payload.text() });
 *     } catch (error) {
 *       if (!(error instanceof SessionKeyTakenError)) throw error;
 *       return "try again later";
 *     }
 *   },
 * }), { port: 0 });
 * const ada = new Client(running.url);
 * const bob = new Client(running.url);
 * await ada.request("login", "ada");
 * console.assert((await bob.request("login", "bob")).text() === "try again later");
 * console.assert(ada.session?.info?.user === "ada" && bob.session === null);
 * await ada.close();
 * await bob.close();
 * await running.close();
 * ```
 */
export class SessionKeyTakenError extends WebwireError {
  /** Always "SessionKeyTakenError", also in minified bundles. */
  override readonly name: string = "SessionKeyTakenError";

  /** Creates the error; the key is left out of the message. */
  constructor(options?: ErrorOptions) {
    super(
      "the session key generator made a key that another session already has: the session " +
        "was not created (keys must never repeat; the default generator's do not)",
      options,
    );
  }
}
