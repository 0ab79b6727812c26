/**
 * A WebSocket server whose first connection of each fuzz case behaves as a seeded hostile or
 * broken WebWire server (a bad or missing accept-conf, random and mutated frames in answer to
 * every client message, bursts, closes); later connections of the case behave well. Cases are
 * told apart by the URL path (`/case/<n>`). For the client's hostile-server fuzz test.
 *
 * @example
 * ```ts
 * import { startHostilePeer } from "./hostile_peer.ts";
 * const peer = startHostilePeer(1);
 * console.assert(peer.url(3).endsWith("/case/3"));
 * await peer.close();
 * ```
 * @module
 */

import { serveRawSockets } from "../conformance/raw_socket_server.ts";
import type { RawServerSocket } from "../conformance/raw_socket_server.ts";
import { MessageType as T } from "../protocol/message_type.ts";
import {
  classify,
  type HostileFrame,
  hostileFrame,
  properReply,
  Rng,
  sessionJson,
} from "./hostile_frames.ts";
import { acceptConf } from "./scripted_peer.ts";

/**
 * How the first connection of a case greets the client.
 *
 * @example
 * ```ts
 * import type { Greeting } from "./hostile_peer.ts";
 * const greetings: Greeting[] = ["good", "fatal", "retryable"];
 * console.assert(greetings.length === 3);
 * ```
 */
export type Greeting = "good" | "fatal" | "retryable";

/**
 * What the peer saw and did in one case.
 *
 * @example
 * ```ts
 * import type { CaseRecord } from "./hostile_peer.ts";
 * const record: CaseRecord = { greeting: "good", connections: 0, closed: [], fatalSent: false };
 * console.assert(record.connections === 0);
 * ```
 */
export interface CaseRecord {
  /** How the first connection greeted. */
  greeting: Greeting;
  /** Connections opened so far. */
  connections: number;
  /** Per connection: whether it has closed (by either side). */
  closed: boolean[];
  /** Whether a malformed frame went out on the first connection after a good accept-conf. */
  fatalSent: boolean;
}

/**
 * A running hostile peer.
 *
 * @example
 * ```ts
 * import { type HostilePeer, startHostilePeer } from "./hostile_peer.ts";
 * const peer: HostilePeer = startHostilePeer(7);
 * console.assert(peer.record(0).greeting !== undefined);
 * await peer.close();
 * ```
 */
export interface HostilePeer {
  /** The URL of case `index`. */
  url(index: number): string;
  /** What happened in case `index` (its greeting is decided at once). */
  record(index: number): CaseRecord;
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

interface CaseState {
  record: CaseRecord;
  rng: Rng;
}

/**
 * Starts the peer; every decision of case `n` comes from `seed` and `n`.
 *
 * @example
 * ```ts
 * import { startHostilePeer } from "./hostile_peer.ts";
 * const peer = startHostilePeer(1);
 * console.assert(peer.url(0).startsWith("ws://127.0.0.1:"));
 * await peer.close();
 * ```
 */
export function startHostilePeer(seed: number): HostilePeer {
  const cases = new Map<number, CaseState>();
  const state = (index: number): CaseState => {
    let found = cases.get(index);
    if (found === undefined) {
      const rng = new Rng((seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
      const greeting = rng.pick<Greeting>(["good", "good", "good", "good", "fatal", "retryable"]);
      found = { rng, record: { greeting, connections: 0, closed: [], fatalSent: false } };
      cases.set(index, found);
    }
    return found;
  };
  const server = serveRawSockets((socket, path) => {
    const index = Number(/^\/case\/(\d+)$/.exec(path)?.[1] ?? -1);
    const { record, rng } = state(index);
    const number = record.connections++;
    record.closed[number] = false;
    const conn = number === 0 ? hostileConnection(socket, record, rng) : politeConnection(socket);
    return {
      message: (data) => {
        if (!record.closed[number]) conn(data);
      },
      close: () => void (record.closed[number] = true),
    };
  });
  return {
    url: (index) => `ws://127.0.0.1:${server.port}/case/${index}`,
    record: (index) => state(index).record,
    close: () => server.close(1001, "fuzz done"),
  };
}

type OnMessage = (data: Uint8Array | string) => void;

/** A connection that behaves: a default accept-conf and a proper reply to everything. */
function politeConnection(socket: RawServerSocket): OnMessage {
  socket.send(acceptConf());
  return (data) => {
    if (typeof data === "string") return;
    const reply = properReply(data);
    if (reply !== null) socket.send(reply);
  };
}

function fatalGreeting(rng: Rng): Uint8Array | string | Uint8Array[] {
  const conf = acceptConf();
  switch (rng.int(8)) {
    case 0:
      return acceptConf({ major: rng.pick([0, 1, 3, 255]) });
    case 1:
      return acceptConf({ subProtocol: "chat" });
    case 2:
      return conf.subarray(0, rng.int(conf.length));
    case 3:
      return "accept-conf?";
    case 4:
      return new Uint8Array([T.SignalUtf8, 0, 0x68, 0x69]); // a signal first
    case 5:
      return [conf.subarray(0, 5), conf.subarray(5)]; // split over two frames
    case 6:
      return new Uint8Array([T.ReplyBinary, 1, 0, 0, 0, 0, 0, 0, 0]);
    default:
      return rng.bytes(1 + rng.int(20));
  }
}

/** The first connection of a case: the seeded hostile script. */
function hostileConnection(socket: RawServerSocket, record: CaseRecord, rng: Rng): OnMessage {
  const ids: Uint8Array[] = [];
  let dead = false;
  const send = (frame: HostileFrame): void => {
    if (dead || record.closed[0]) return;
    socket.send(frame.data);
    if (frame.fatal && record.greeting === "good") {
      record.fatalSent = true;
      dead = true; // the client closes the connection: what follows would go nowhere
    }
  };
  const hang = (): void => {
    dead = true;
    if (rng.chance(0.5)) socket.close(rng.pick([1000, 1001, 1011, 4000]), "hostile");
  };
  if (record.greeting === "fatal") {
    const greeting = fatalGreeting(rng);
    for (const data of Array.isArray(greeting) ? greeting : [greeting]) socket.send(data);
    dead = true;
  } else if (record.greeting === "retryable") {
    hang();
  } else {
    socket.send(acceptConf({
      minor: rng.int(256),
      readTimeoutMs: rng.pick([60_000, 60_000, 0, 1, 0xffffffff]),
      messageBufferSize: rng.pick([8192, 8192, 0, 40, 0xffffffff]),
    }));
    burst(rng, ids, send);
  }
  return (data) => {
    if (typeof data === "string" || dead) return;
    if (
      [T.CloseSession, T.RestoreSession, T.RequestBinary, T.RequestUtf8, T.RequestUtf16]
        .includes(data[0] as 31)
    ) ids.push(data.slice(1, 9));
    const frames = answer(rng, ids, data);
    if (rng.chance(0.04)) frames.push(null);
    const out = () => {
      for (const frame of frames) frame === null ? hang() : send(frame);
    };
    // Some come late: after the request's timeout, as replies to requests no longer there.
    if (rng.chance(0.2)) setTimeout(out, rng.chance(0.2) ? 200 + rng.int(150) : rng.int(30));
    else out();
  };
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) out.set(part, (offset += part.length) - part.length);
  return out;
}

/** Zero or more frames, sometimes a burst of one frame many times. */
function burst(rng: Rng, ids: Uint8Array[], send: (frame: HostileFrame) => void): void {
  const count = rng.int(3);
  for (let i = 0; i < count; i++) {
    const frame = hostileFrame(rng, ids);
    const times = rng.chance(0.15) && !frame.fatal ? 30 : 1;
    for (let n = 0; n < times; n++) send(frame);
  }
}

/** The frames that answer one client message (`null`: close or go silent). */
function answer(rng: Rng, ids: Uint8Array[], data: Uint8Array): (HostileFrame | null)[] {
  const proper = properReply(data);
  const frames: (HostileFrame | null)[] = [];
  const choice = rng.int(20);
  if (data[0] === T.RestoreSession && choice < 3) {
    // Answered with some other session, or with JSON that is none.
    const reply = classify(concat([T.ReplyUtf8], data.subarray(1, 9), sessionJson(rng)));
    frames.push(reply);
  } else if (data[0] === T.RestoreSession && choice < 5) {
    // A session created (by a hook, say) while the restore is on its way, then a refusal.
    const created = `{"k":"new${
      rng.int(3)
    }","c":"2024-01-01T00:00:00Z","l":"2024-01-01T00:00:00Z"}`;
    frames.push(classify(concat([T.SessionCreated], new TextEncoder().encode(created))));
    frames.push(classify(concat([rng.int(6)], data.subarray(1, 9), [1, 0x45])));
  } else if (proper !== null && choice < 7) {
    frames.push(classify(proper));
    if (rng.chance(0.15)) frames.push(classify(proper)); // a duplicate
  } else if (choice < 15) {
    const count = 1 + rng.int(3);
    for (let i = 0; i < count; i++) frames.push(hostileFrame(rng, ids));
    if (proper !== null && rng.chance(0.4)) frames.push(classify(proper));
  } else if (proper !== null && choice < 17) {
    const at = rng.int(proper.length); // one message split over two frames
    frames.push(classify(proper.subarray(0, at)), classify(proper.subarray(at)));
  } else if (choice < 19) {
    const sink: HostileFrame[] = [];
    burst(rng, ids, (frame) => void sink.push(frame));
    frames.push(...sink);
  }
  // else: no answer at all
  return frames;
}
