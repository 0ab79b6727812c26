/**
 * A plain WebSocket server on 127.0.0.1 that speaks no protocol by itself: `Deno.serve` under
 * Deno, `Bun.serve` under Bun. The client suite's scripted server is built on it, and so are
 * tests whose server must break the rules on purpose (a custom accept-conf, malformed bytes,
 * text frames, silence).
 *
 * @example
 * ```ts
 * import { serveRawSockets } from "./raw_socket_server.ts";
 * const server = serveRawSockets((socket) => {
 *   socket.send(new Uint8Array([33]));
 *   return {};
 * });
 * console.assert(server.port > 0);
 * await server.close(1000, "done");
 * ```
 * @module
 */

/**
 * A connected client as the raw server sees it.
 *
 * @example
 * ```ts
 * import { type RawServerSocket, serveRawSockets } from "./raw_socket_server.ts";
 * const greet = (socket: RawServerSocket) => socket.send("not WebWire: a text frame");
 * const server = serveRawSockets((socket) => (greet(socket), {}));
 * const client = new WebSocket(`ws://127.0.0.1:${server.port}/`);
 * const first = await new Promise((resolve) => client.onmessage = (event) => resolve(event.data));
 * console.assert(first === "not WebWire: a text frame");
 * const closed = new Promise((resolve) => client.onclose = resolve);
 * await server.close(1000, "done");
 * await closed;
 * ```
 */
export interface RawServerSocket {
  /** Sends a binary frame (bytes) or a text frame (string); ignored once the socket closed. */
  send(data: Uint8Array | string): void;
  /** Closes the connection (harmless when it is closing already). */
  close(code?: number, reason?: string): void;
}

/**
 * What happens on one connection after it opened.
 *
 * @example
 * ```ts
 * import type { RawSocketEvents } from "./raw_socket_server.ts";
 * const events: RawSocketEvents = { message: (data) => console.assert(data !== undefined) };
 * console.assert(events.close === undefined);
 * ```
 */
export interface RawSocketEvents {
  /** The client sent a frame: bytes (a copy) for a binary frame, a string for a text frame. */
  message?(data: Uint8Array | string): void;
  /** The connection closed. */
  close?(): void;
}

/**
 * A running raw server.
 *
 * @example
 * ```ts
 * import { type RawSocketServer, serveRawSockets } from "./raw_socket_server.ts";
 * const server: RawSocketServer = serveRawSockets(() => ({}));
 * const client = new WebSocket(`ws://127.0.0.1:${server.port}/`);
 * await new Promise((resolve) => client.onopen = resolve);
 * const closed = new Promise<CloseEvent>((resolve) => client.onclose = resolve);
 * await server.close(4000, "suite done");
 * const event = await closed;
 * console.assert(event.code === 4000 && event.reason === "suite done");
 * ```
 */
export interface RawSocketServer {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Closes every open connection with `code` and `reason`, then stops listening. */
  close(code: number, reason: string): Promise<void>;
}

interface BunSocket {
  data: { path: string; events?: RawSocketEvents };
  send(data: Uint8Array | string): number;
  close(code?: number, reason?: string): void;
}

interface BunGlobal {
  serve(options: {
    port: number;
    hostname: string;
    fetch(
      request: Request,
      server: { upgrade(request: Request, options: { data: { path: string } }): boolean },
    ): Response | undefined;
    websocket: {
      open(ws: BunSocket): void;
      message(ws: BunSocket, data: string | Uint8Array): void;
      close(ws: BunSocket): void;
      idleTimeout: number;
    };
  }): { port: number; stop(closeActive?: boolean): Promise<void> | void };
}

function notAnUpgrade(): Response {
  return new Response("expected a WebSocket upgrade\n", { status: 426 });
}

/**
 * Starts a raw server on 127.0.0.1 (on `port`, default a free one). `open` is called for each
 * connection once it is open, with the request path, and returns what to do on its events.
 *
 * @throws {Error} outside Deno and Bun.
 * @example
 * ```ts
 * import { serveRawSockets } from "./raw_socket_server.ts";
 * const server = serveRawSockets((socket, path) => ({
 *   message: (data) => socket.send(path === "/echo" ? data : "no"),
 * }));
 * await server.close(1001, "going away");
 * ```
 */
export function serveRawSockets(
  open: (socket: RawServerSocket, path: string) => RawSocketEvents,
  options: { port?: number } = {},
): RawSocketServer {
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  if (bun !== undefined) return serveBun(bun, open, options.port ?? 0);
  if ("Deno" in globalThis) return serveDeno(open, options.port ?? 0);
  throw new Error("a raw WebSocket server needs Deno or Bun");
}

function serveBun(
  bun: BunGlobal,
  open: (socket: RawServerSocket, path: string) => RawSocketEvents,
  port: number,
): RawSocketServer {
  const sockets = new Set<BunSocket>();
  const server = bun.serve({
    port,
    hostname: "127.0.0.1",
    fetch(request, server) {
      const path = new URL(request.url).pathname;
      return server.upgrade(request, { data: { path } }) ? undefined : notAnUpgrade();
    },
    websocket: {
      open(ws) {
        sockets.add(ws);
        ws.data.events = open({
          send: (data) => {
            if (sockets.has(ws)) ws.send(data);
          },
          close: (code, reason) => {
            if (sockets.has(ws)) ws.close(code, reason);
          },
        }, ws.data.path);
      },
      message: (ws, data) =>
        ws.data.events?.message?.(typeof data === "string" ? data : new Uint8Array(data)),
      close(ws) {
        sockets.delete(ws);
        ws.data.events?.close?.();
      },
      idleTimeout: 0,
    },
  });
  return {
    port: server.port,
    close: async (code, reason) => {
      for (const ws of sockets) ws.close(code, reason);
      await server.stop(true);
    },
  };
}

function serveDeno(
  open: (socket: RawServerSocket, path: string) => RawSocketEvents,
  port: number,
): RawSocketServer {
  const sockets = new Set<WebSocket>();
  const server = Deno.serve({ port, hostname: "127.0.0.1", onListen: () => {} }, (request) => {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return notAnUpgrade();
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    const path = new URL(request.url).pathname;
    let events: RawSocketEvents = {};
    socket.onopen = () => {
      sockets.add(socket);
      events = open({
        send: (data) => {
          if (socket.readyState === WebSocket.OPEN) socket.send(data as Uint8Array<ArrayBuffer>);
        },
        close: (code, reason) => {
          if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
        },
      }, path);
    };
    socket.onmessage = (event) => {
      const data: unknown = event.data;
      events.message?.(typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer));
    };
    socket.onclose = () => {
      sockets.delete(socket);
      events.close?.();
    };
    socket.onerror = () => {};
    return response;
  });
  return {
    port: server.addr.port,
    close: async (code, reason) => {
      const closing = [...sockets].filter((socket) => socket.readyState === WebSocket.OPEN)
        .map((socket) =>
          new Promise<void>((resolve) => {
            socket.addEventListener("close", () => resolve(), { once: true });
            socket.close(code, reason);
          })
        );
      // `shutdown` closes every socket still open with 1001 in place of our code: let the
      // close handshakes finish first, but not wait forever on a client that never answers.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all(closing),
        new Promise((resolve) => timer = setTimeout(resolve, 1000)),
      ]);
      clearTimeout(timer);
      await server.shutdown();
    },
  };
}
