/**
 * The portable WebWire v2 client: requests with replies, signals in both directions and
 * sessions over one WebSocket. It needs only the standard `WebSocket`, timers, `AbortSignal`
 * and `EventTarget`, so it runs in Deno, Bun, browsers and Node ≥ 22 as is; on Node 20 pass
 * `WebSocket` from the `ws` package as an option.
 *
 * - **Requests** resolve with the reply's {@link Payload} (bytes as a view, `encoding`,
 *   `text()`, `json()`) or reject with a specific error class: {@link RequestError} (the
 *   handler failed with a code), {@link TimeoutError}, {@link CanceledError} (`AbortSignal`),
 *   {@link DisconnectedError}, {@link MessageTooLargeError} and more. Any number may be in
 *   flight at once; replies are matched by request id.
 * - **Connection maintenance**: with `autoconnect` (the default) a lost connection is
 *   re-established in the background with exponential backoff and full jitter (where the
 *   reference client retries every 2 s), requests made meanwhile wait for it up to their
 *   timeout, and heartbeats keep an idle connection alive past the server's read timeout.
 * - **Sessions** created by the server are kept, restored after every reconnect, and can be
 *   persisted across restarts with a {@link SessionStorage} (for example
 *   `webStorageSessionStorage(localStorage)`).
 * - **Events** `signal`, `sessioncreated`, `sessionclosed`, `connecting`, `connectfailed`
 *   (attempt number, error, delay until the next attempt), `connected` and `disconnected`
 *   (with the close code and reason) arrive both as `on…` callbacks in the options and as
 *   typed DOM events.
 *
 * @example
 * ```ts
 * import { Client, RequestError, TimeoutError } from "@webwire/webwire";
 *
 * const client = new Client("ws://localhost:8080/", {
 *   requestTimeout: 10_000,
 *   onSignal: (signal) => console.log("signal", signal.name, signal.payload.text()),
 * });
 * client.addEventListener("sessioncreated", (event) => console.log("session", event.detail.key));
 * client.addEventListener("disconnected", (event) => console.log("lost:", event.detail.message));
 *
 * async function main(): Promise<void> {
 *   await client.connect();
 *   const reply = await client.request("echo", "hello");
 *   console.log(reply.encoding, reply.text());
 *   try {
 *     await client.request("login", JSON.stringify({ user: "ada" }), { timeout: 2_000 });
 *   } catch (error) {
 *     if (error instanceof RequestError) console.log(error.code, error.message);
 *     else if (error instanceof TimeoutError) console.log("too slow");
 *     else throw error;
 *   }
 *   client.signal("typing", new Uint8Array([1]));
 *   await client.close();
 * }
 *
 * console.assert(client.status === "disconnected" && typeof main === "function");
 * ```
 * @module
 */

export {
  type AddListenerOptions,
  Client,
  type ClientEventListener,
  type ClientStatus,
  type EventListenerLike,
  type ListenerOptions,
} from "./client/client.ts";
export {
  CanceledError,
  ConnectionFailedError,
  DialTimeoutError,
  DisconnectedError,
  IncompatibleProtocolVersionError,
  InternalError,
  MaxSessionConnectionsError,
  MessageTooLargeError,
  NotSentError,
  SessionActiveError,
  SessionNotFoundError,
  SessionsDisabledError,
  ShutdownError,
  SubProtocolMismatchError,
  TimeoutError,
} from "./client/errors.ts";
export {
  ClientEvent,
  type ClientEventMap,
  type ClientHooks,
  type ConnectAttempt,
  type ConnectFailure,
  type ServerSignal,
} from "./client/events.ts";
export type { ClientOptions, RequestOptions, SignalOptions } from "./client/options.ts";
export type { BackoffOptions } from "./client/backoff.ts";
export type { HeldSignalLimits } from "./client/held_events.ts";
export type { DialFailure, DialFailureKind } from "./client/dial_failure.ts";
export {
  memorySessionStorage,
  type SessionStorage,
  type WebStorageLike,
  webStorageSessionStorage,
} from "./client/session_storage.ts";
export type { WebSocketConstructor, WebSocketLike } from "./client/websocket_like.ts";
export { Payload } from "./protocol/payload.ts";
export type { PayloadEncoding } from "./protocol/message_type.ts";
export { RequestError } from "./protocol/request_error.ts";
export { ProtocolError, type ProtocolErrorReason } from "./protocol/protocol_error.ts";
export { WebwireError } from "./protocol/webwire_error.ts";
export type { Logger } from "./protocol/logger.ts";
export type { Session } from "./protocol/session_json.ts";
export type { JsonValue, SessionInfo } from "./protocol/session_json.ts";
export { Timestamp } from "./protocol/timestamp.ts";
export type { TraceOptions, TraceSetting } from "./protocol/trace.ts";
