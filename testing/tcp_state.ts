/**
 * The kernel's view of a TCP connection, for tests of a client that does not read: such a
 * client cannot see the server's FIN or reset through its socket (a paused socket reports
 * nothing), but the kernel's table shows it. Linux only (`/proc/net/tcp`).
 *
 * @example
 * ```ts
 * import { connect, createServer } from "node:net";
 * import { tcpState, tcpStateSupported } from "./tcp_state.ts";
 * if (tcpStateSupported()) {
 *   const server = createServer((peer) => peer.end()).listen(0, "127.0.0.1"); // FIN at once
 *   await new Promise((resolve) => server.once("listening", resolve));
 *   const port = (server.address() as { port: number }).port;
 *   const socket = connect(port, "127.0.0.1").pause(); // a client that does not read
 *   await new Promise((resolve) => socket.once("connect", resolve));
 *   for (let i = 0; i < 200 && tcpState(socket.localPort!, port) !== "close-wait"; i++) {
 *     await new Promise((resolve) => setTimeout(resolve, 10));
 *   }
 *   console.assert(tcpState(socket.localPort!, port) === "close-wait"); // the FIN arrived
 *   socket.destroy();
 *   server.close();
 * }
 * ```
 * @module
 */

import { existsSync, readFileSync } from "node:fs";

/**
 * A connection's state as seen from one end: `established`, `close-wait` (the other end sent
 * FIN), another TCP state by its name, or `gone` (no longer in the table: reset, or closed on
 * both sides).
 *
 * @example
 * ```ts
 * import type { TcpState } from "./tcp_state.ts";
 * const closedByPeer = (state: TcpState): boolean => state === "close-wait" || state === "gone";
 * console.assert(closedByPeer("close-wait") && !closedByPeer("established"));
 * ```
 */
export type TcpState =
  | "established"
  | "syn-sent"
  | "syn-recv"
  | "fin-wait-1"
  | "fin-wait-2"
  | "time-wait"
  | "close"
  | "close-wait"
  | "last-ack"
  | "listen"
  | "closing"
  | "gone";

const states: TcpState[] = [
  "gone",
  "established",
  "syn-sent",
  "syn-recv",
  "fin-wait-1",
  "fin-wait-2",
  "time-wait",
  "close",
  "close-wait",
  "last-ack",
  "listen",
  "closing",
];

const tables = ["/proc/net/tcp", "/proc/net/tcp6"];

/**
 * Whether this system has the kernel table {@link tcpState} reads.
 *
 * @example
 * ```ts
 * import { tcpStateSupported } from "./tcp_state.ts";
 * if (!tcpStateSupported()) console.log("not on Linux: skipped");
 * ```
 */
export function tcpStateSupported(): boolean {
  return existsSync(tables[0]);
}

/**
 * One end of a connection as the kernel lists it.
 *
 * @example
 * ```ts
 * import type { TcpEnd } from "./tcp_state.ts";
 * const end: TcpEnd = { state: "fin-wait-1", held: false };
 * console.assert(!end.held); // closed by its process; the kernel still sends what was queued
 * ```
 */
export interface TcpEnd {
  /** The TCP state. */
  readonly state: Exclude<TcpState, "gone">;
  /** Whether a process still holds it open (an orphan, closed by its process, is not held). */
  readonly held: boolean;
}

/**
 * The end of a connection on this machine whose local port is `localPort` and whose other end
 * has port `remotePort`; `null` when the kernel no longer lists it.
 *
 * @example
 * ```ts
 * import { connect, createServer } from "node:net";
 * import { tcpEnd, tcpStateSupported } from "./tcp_state.ts";
 * if (tcpStateSupported()) {
 *   const server = createServer().listen(0, "127.0.0.1");
 *   await new Promise((resolve) => server.once("listening", resolve));
 *   const port = (server.address() as { port: number }).port;
 *   const socket = connect(port, "127.0.0.1");
 *   await new Promise((resolve) => socket.once("connect", resolve));
 *   const end = tcpEnd(socket.localPort!, port);
 *   console.assert(end?.state === "established" && end.held);
 *   socket.destroy();
 *   server.close();
 * }
 * ```
 */
export function tcpEnd(localPort: number, remotePort: number): TcpEnd | null {
  const local = `:${hex4(localPort)}`;
  const remote = `:${hex4(remotePort)}`;
  for (const table of tables) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      if (fields[1].endsWith(local) && fields[2].endsWith(remote)) {
        const state = states[parseInt(fields[3], 16)];
        if (state === undefined || state === "gone") return null;
        return { state, held: fields[9] !== "0" };
      }
    }
  }
  return null;
}

/**
 * The state of one end of a connection (see {@link tcpEnd}), `gone` when it is not listed.
 *
 * @example
 * ```ts
 * import { tcpState } from "./tcp_state.ts";
 * console.assert(tcpState(1, 2) === "gone"); // port 1 to port 2: no such connection
 * ```
 */
export function tcpState(localPort: number, remotePort: number): TcpState {
  return tcpEnd(localPort, remotePort)?.state ?? "gone";
}

function hex4(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, "0");
}
