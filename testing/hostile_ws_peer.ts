/**
 * A WebSocket server on `node:net` that writes seeded, partly broken WebSocket frames at the
 * byte level: a WebWire reply fragmented into continuation frames, pings, frames with huge or
 * non-minimal length fields, reserved opcodes and bits, masked server frames, text frames with
 * invalid UTF-8, bad close frames, all cut into TCP writes at random points. Cases are told
 * apart by the URL path (`/case/<n>`); later connections of a case get the accept-conf only.
 * For the client's hostile-server fuzz test.
 *
 * @example
 * ```ts
 * import { startHostileWsPeer } from "./hostile_ws_peer.ts";
 * const peer = await startHostileWsPeer(1);
 * console.assert(peer.url(2).endsWith("/case/2"));
 * await peer.close();
 * ```
 * @module
 */

import { createServer, type Socket } from "node:net";
import { switchingProtocols } from "../adapters/websocket/handshake.ts";
import { MessageType as T } from "../protocol/message_type.ts";
import { requestIdFromNumber } from "../protocol/request_id.ts";
import { Rng } from "./hostile_frames.ts";
import { acceptConf } from "./scripted_peer.ts";

/**
 * A running peer.
 *
 * @example
 * ```ts
 * import { type HostileWsPeer, startHostileWsPeer } from "./hostile_ws_peer.ts";
 * const peer: HostileWsPeer = await startHostileWsPeer(3);
 * console.assert(peer.connections(0) === 0);
 * await peer.close();
 * ```
 */
export interface HostileWsPeer {
  /** The URL of case `index`. */
  url(index: number): string;
  /** How many connections case `index` made. */
  connections(index: number): number;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * One frame of any header: `fin`, `rsv` bits (0 to 7), `opcode`, an optional mask, and the
 * length field written as `lengthField` (default: the payload's length, minimal encoding).
 *
 * @example
 * ```ts
 * import { frame } from "./hostile_ws_peer.ts";
 * console.assert(frame({ opcode: 2, payload: new Uint8Array([7]) }).join() === "130,1,7");
 * ```
 */
export function frame(fields: {
  opcode: number;
  payload: Uint8Array;
  fin?: boolean;
  rsv?: number;
  mask?: boolean;
  lengthField?: bigint;
  wide?: boolean;
}): Uint8Array {
  const { payload } = fields;
  const length = fields.lengthField ?? BigInt(payload.length);
  const header: number[] = [
    ((fields.fin ?? true) ? 0x80 : 0) | ((fields.rsv ?? 0) << 4) |
    fields.opcode,
  ];
  const maskBit = fields.mask ? 0x80 : 0;
  if (length < 126n && !fields.wide) header.push(maskBit | Number(length));
  else if (length < 65536n && !fields.wide) {
    header.push(maskBit | 126, Number(length >> 8n), Number(length & 255n));
  } else {
    header.push(maskBit | 127);
    for (let shift = 56n; shift >= 0n; shift -= 8n) header.push(Number((length >> shift) & 255n));
  }
  const body = payload.slice();
  if (fields.mask) {
    const key = [0x12, 0x34, 0x56, 0x78];
    header.push(...key);
    for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
  }
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out;
}

function reply(id: number, text: string): Uint8Array {
  const body = new TextEncoder().encode(text);
  const out = new Uint8Array(9 + body.length);
  out[0] = T.ReplyUtf8;
  out.set(requestIdFromNumber(id), 1);
  out.set(body, 9);
  return out;
}

/** Frames a WebWire message as 1 to 3 fragments. */
function fragments(rng: Rng, message: Uint8Array): Uint8Array[] {
  const count = 1 + rng.int(3);
  const cuts = [0, ...Array.from({ length: count - 1 }, () => rng.int(message.length + 1))]
    .sort((a, b) => a - b);
  return cuts.map((start, i) =>
    frame({
      opcode: i === 0 ? 2 : 0,
      fin: i === count - 1,
      payload: message.subarray(start, i + 1 < count ? cuts[i + 1] : message.length),
    })
  );
}

/** One frame after the accept-conf: mostly fine, often broken at the WebSocket level. */
function wsFrame(rng: Rng): Uint8Array[] {
  const message = reply(1 + rng.int(4), "ok");
  switch (rng.int(16)) {
    case 0:
      return [frame({ opcode: 9, payload: rng.bytes(rng.int(10)) })]; // ping
    case 1:
      return [frame({ opcode: 10, payload: new Uint8Array(0) })]; // unsolicited pong
    case 2:
      return [frame({ opcode: 1, payload: new Uint8Array([0xff, 0xc0, 0xed, 0xa0, 0x80]) })];
    case 3:
      return [frame({ opcode: 2, payload: new Uint8Array(0), lengthField: 1n << 62n })];
    case 4:
      return [frame({ opcode: 2, payload: message, lengthField: (1n << 63n) | 11n })];
    case 5:
      return [frame({ opcode: rng.pick([3, 7, 11, 15]), payload: message })];
    case 6:
      return [frame({ opcode: 2, payload: message, rsv: 1 + rng.int(7) })];
    case 7:
      return [frame({ opcode: 2, payload: message, mask: true })];
    case 8:
      return [frame({ opcode: 2, payload: message, wide: true })]; // non-minimal length
    case 9:
      return [frame({ opcode: 0, payload: message })]; // continuation without a start
    case 10:
      return [frame({ opcode: 9, payload: new Uint8Array(0), fin: false })]; // fragmented ping
    case 11:
      return [frame({ opcode: 9, payload: new Uint8Array(200) })]; // control frame too long
    case 12: {
      const code = rng.pick([1005, 1006, 999, 5000, 1000]);
      const payload = rng.chance(0.3)
        ? new Uint8Array([3])
        : new Uint8Array([code >> 8, code & 255, 0xff, 0xfe]);
      return [frame({ opcode: 8, payload })];
    }
    case 13: // a fragmented message interrupted by a new data frame
      return [
        frame({ opcode: 2, payload: message, fin: false }),
        frame({ opcode: 2, payload: message }),
      ];
    default:
      return fragments(rng, message);
  }
}

/**
 * A writer for `socket` that writes bytes in pieces cut at random points, some after a short
 * pause, and in order across calls.
 */
function cutWriter(rng: Rng, socket: Socket): (bytes: Uint8Array) => void {
  let last = Promise.resolve();
  const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  return (bytes) => {
    const pieces: [Uint8Array, number][] = [];
    for (let at = 0; at < bytes.length;) {
      const end = Math.min(bytes.length, at + 1 + rng.int(rng.chance(0.5) ? 4 : 64));
      pieces.push([bytes.slice(at, end), rng.chance(0.2) ? rng.int(3) : -1]);
      at = end;
    }
    last = last.then(async () => {
      for (const [piece, wait] of pieces) {
        if (wait >= 0) await pause(wait);
        if (!socket.destroyed) socket.write(piece);
      }
    });
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) out.set(part, (offset += part.length) - part.length);
  return out;
}

/**
 * Starts the peer on a free port of 127.0.0.1; case `n`'s frames come from `seed` and `n`.
 *
 * @example
 * ```ts
 * import { startHostileWsPeer } from "./hostile_ws_peer.ts";
 * const peer = await startHostileWsPeer(9);
 * console.assert(peer.url(0).startsWith("ws://127.0.0.1:"));
 * await peer.close();
 * ```
 */
export async function startHostileWsPeer(seed: number): Promise<HostileWsPeer> {
  const sockets = new Set<Socket>();
  const counts = new Map<number, number>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let head = "";
    let open = false;
    let rest: (() => void) | undefined;
    socket.on("data", (chunk: Uint8Array) => {
      if (open) return rest?.();
      head += new TextDecoder().decode(chunk);
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) return;
      open = true;
      const index = Number(/^GET \/case\/(\d+) /.exec(head)?.[1] ?? -1);
      const key = /^sec-websocket-key:\s*(\S+)\s*$/im.exec(head.slice(0, end))?.[1] ?? "";
      socket.write(switchingProtocols(key));
      const number = counts.get(index) ?? 0;
      counts.set(index, number + 1);
      const rng = new Rng((seed ^ Math.imul(index + 1, 0x85ebca6b) ^ number) >>> 0);
      const write = cutWriter(rng, socket);
      write(concat(fragments(rng, acceptConf())));
      if (number > 0) return;
      const frames: Uint8Array[] = [];
      for (let n = 1 + rng.int(6); n > 0; n--) frames.push(...wsFrame(rng));
      // The rest once the client has sent something (its requests), or soon anyway.
      rest = () => {
        rest = undefined;
        write(concat(frames));
      };
      setTimeout(() => rest?.(), 30);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: (index) => `ws://127.0.0.1:${port}/case/${index}`,
    connections: (index) => counts.get(index) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
