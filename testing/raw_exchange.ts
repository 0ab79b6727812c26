/**
 * What tests of a server's own WebSocket framing write and read at the TCP level: a raw HTTP
 * exchange, the upgrade request head, echo requests as client frames, and the ids of the
 * replies among the server's frames.
 *
 * @example
 * ```ts
 * import { echoFrame, upgradeHead } from "./raw_exchange.ts";
 * console.assert(upgradeHead().startsWith("GET / HTTP/1.1\r\n"));
 * console.assert(echoFrame(1)[0] === 0x82);
 * ```
 * @module
 */

import { connect, type Socket } from "node:net";
import { decodeMessage } from "../protocol/decode.ts";
import { encodeRequest, requestIdFromNumber, requestIdKey } from "../protocol/mod.ts";
import { maskedFrame, Opcode, type ServerFrame } from "./ws_frame.ts";

/**
 * Writes `request` on `socket` and reads (as latin1 text) until the server ends the connection.
 *
 * @example
 * ```ts ignore
 * import { connect } from "node:net";
 * import { collect } from "./raw_exchange.ts";
 * const answer = await collect(connect(8080, "127.0.0.1"), "GET / HTTP/1.1\r\n\r\n");
 * ```
 */
export function collect(socket: Socket, request: string | Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => text += chunk);
    socket.on("error", reject);
    socket.on("end", () => {
      socket.end();
      resolve(text);
    });
    socket.write(request);
  });
}

/**
 * {@link collect} on a new TCP connection to `port` of 127.0.0.1.
 *
 * @example
 * ```ts ignore
 * import { exchange } from "./raw_exchange.ts";
 * const answer = await exchange(8080, "OPTIONS / HTTP/1.1\r\nHost: x\r\n\r\n");
 * ```
 */
export function exchange(port: number, request: string | Uint8Array): Promise<string> {
  return collect(connect(port, "127.0.0.1"), request);
}

/**
 * A WebSocket upgrade request head with RFC 6455's example key and `extra` header lines (each
 * ending in `\r\n`), such as the version.
 *
 * @example
 * ```ts
 * import { upgradeHead } from "./raw_exchange.ts";
 * console.assert(upgradeHead("Sec-WebSocket-Version: 13\r\n").endsWith("13\r\n\r\n"));
 * ```
 */
export function upgradeHead(extra = ""): string {
  return "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;
}

/**
 * Upgrade requests every adapter refuses with 400 once `beforeUpgrade` accepted them: one with a
 * body (which would be read as frames), a chunked one, one with a NUL in a header value.
 *
 * @example
 * ```ts
 * import { refusedUpgrades } from "./raw_exchange.ts";
 * console.assert(refusedUpgrades.every((request) => request.startsWith("GET / HTTP/1.1")));
 * ```
 */
export const refusedUpgrades: readonly string[] = [
  upgradeHead("Sec-WebSocket-Version: 13\r\nContent-Length: 5\r\n") + "hello",
  upgradeHead("Sec-WebSocket-Version: 13\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\n",
  upgradeHead("Sec-WebSocket-Version: 13\r\nX-A: a\x00b\r\n"),
];

/**
 * A client frame with an `echo` request of id `id` whose payload is `payload` (default: the id).
 *
 * @example
 * ```ts
 * import { echoFrame } from "./raw_exchange.ts";
 * console.assert(echoFrame(7).length > 6);
 * ```
 */
export function echoFrame(id: number, payload = `${id}`): Uint8Array {
  return maskedFrame(encodeRequest({ id: requestIdFromNumber(id), name: "echo", payload }));
}

/**
 * The request ids of the replies among `frames`, in order.
 *
 * @example
 * ```ts
 * import { encodeReply } from "../protocol/encode_payload_message.ts";
 * import { requestIdFromNumber } from "../protocol/mod.ts";
 * import { repliedIds } from "./raw_exchange.ts";
 * const reply = encodeReply({ id: requestIdFromNumber(3), payload: "x" });
 * console.assert(repliedIds([{ opcode: 2, payload: reply }])[0] === 3);
 * ```
 */
export function repliedIds(frames: readonly ServerFrame[]): number[] {
  return frames
    .filter((frame) => frame.opcode === Opcode.Binary)
    .map((frame) => decodeMessage(frame.payload))
    .flatMap((message) => message.kind === "reply" ? [requestIdKey(message.id)] : []);
}
