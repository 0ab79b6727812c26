/**
 * A client that stops reading while a large reply is on its way and then floods the server
 * with pings: what an adapter that frames WebSockets itself sends back once the client reads
 * again. Such an adapter answers only the latest ping while much waits to be written, so a
 * client that never reads cannot make it hold a pong per ping.
 *
 * @example
 * ```ts
 * import { pingFloodReplySize, pongsAfterPingFlood } from "./ping_flood.ts";
 * import { Server } from "../server/server.ts";
 * import { serveNode } from "../adapters/node.ts";
 * const server = new Server({
 *   onRequest: () => new Uint8Array(pingFloodReplySize),
 *   maxSendBuffer: 2 * pingFloodReplySize,
 * });
 * const running = await serveNode(server, { port: 0 });
 * const { pongs, lastPing } = await pongsAfterPingFlood(running.url, 500);
 * console.assert(pongs.length === 1 && pongs[0].join() === lastPing.join());
 * await running.close();
 * ```
 * @module
 */

import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { TcpClient } from "./tcp_client.ts";
import { maskedFrame, oneWrite, Opcode } from "./ws_frame.ts";

/**
 * How large the reply to the flood's request must be: more than the kernel's buffers between
 * the two ends hold, so that most of it still waits in the server while the pings come.
 *
 * @example
 * ```ts
 * import { pingFloodReplySize } from "./ping_flood.ts";
 * const onRequest = () => new Uint8Array(pingFloodReplySize); // the server's answer to the flood
 * console.assert(onRequest().length > 16 * 1024 * 1024); // so: maxSendBuffer above it
 * ```
 */
export const pingFloodReplySize: number = 24 * 1024 * 1024;

/**
 * What the client of a ping flood read: the pongs (their payloads, in order) and the payload of
 * the last ping it sent.
 *
 * @example
 * ```ts
 * import type { PingFloodResult } from "./ping_flood.ts";
 * const result: PingFloodResult = { pongs: [new Uint8Array([7])], lastPing: new Uint8Array([7]) };
 * console.assert(result.pongs.length === 1);
 * ```
 */
export interface PingFloodResult {
  readonly pongs: Uint8Array[];
  readonly lastPing: Uint8Array;
}

/**
 * Connects to `url`, stops reading, asks for a reply of {@link pingFloodReplySize} bytes (the
 * server must answer any request with one, and take more than that in `maxSendBuffer`), sends
 * `pings` pings of 125 bytes each, then reads everything: the reply, and the pongs that come within
 * 300 ms after the first one.
 *
 * @example
 * ```ts
 * import { pingFloodReplySize, pongsAfterPingFlood } from "./ping_flood.ts";
 * import { Server } from "../server/server.ts";
 * import { serveNode } from "../adapters/node.ts";
 * const server = new Server({
 *   onRequest: () => new Uint8Array(pingFloodReplySize),
 *   maxSendBuffer: 2 * pingFloodReplySize,
 * });
 * const running = await serveNode(server, { port: 0 });
 * const { pongs } = await pongsAfterPingFlood(running.url, 100);
 * console.assert(pongs.length === 1);
 * await running.close();
 * ```
 */
export async function pongsAfterPingFlood(url: string, pings: number): Promise<PingFloodResult> {
  const client = await TcpClient.connect(url);
  try {
    await client.next(); // accept-conf
    client.stopReading();
    const request = encodeRequest({ id: requestIdFromNumber(1), name: "big", payload: "" });
    client.write(maskedFrame(request));
    // The reply is made and queued before the pings are read.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const payloadOf = (i: number) => new Uint8Array(125).fill(i % 251);
    const frames = [];
    for (let i = 0; i < pings; i++) frames.push(maskedFrame(payloadOf(i), Opcode.Ping));
    client.write(oneWrite(frames));
    await new Promise((resolve) => setTimeout(resolve, 300));
    client.resumeReading();
    const pongs: Uint8Array[] = [];
    let replied = false;
    for (;;) {
      const frame = await client.next(pongs.length === 0 ? 20_000 : 300).catch(() => undefined);
      if (frame === undefined) break;
      if (frame.opcode === Opcode.Pong) pongs.push(frame.payload);
      else replied = true;
    }
    if (!replied) throw new Error("the large reply never came");
    return { pongs, lastPing: payloadOf(pings - 1) };
  } finally {
    client.destroy();
  }
}
