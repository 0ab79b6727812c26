/**
 * The states of a client's connection, as `Client.status` reports them.
 *
 * @example
 * ```ts
 * import type { ClientStatus } from "./client_status.ts";
 * const label = (status: ClientStatus): string => status === "connected" ? "online" : "offline";
 * console.assert(label("connecting") === "offline");
 * ```
 * @module
 */

/**
 * The state of a client's connection.
 *
 * - `disconnected`: no connection and none being attempted; also while a connection closes (the
 *   server's close frame has come) until its close is reported with the `disconnected` event.
 * - `connecting`: dialing, restoring the session, or waiting to retry.
 * - `connected`: requests and signals go out at once.
 * - `closed`: `close()` was called; the client does nothing any more.
 *
 * @example
 * ```ts
 * import type { ClientStatus } from "./client_status.ts";
 * const isUsable = (status: ClientStatus): boolean => status === "connected";
 * console.assert(!isUsable("connecting"));
 * ```
 */
export type ClientStatus = "disconnected" | "connecting" | "connected" | "closed";
