/**
 * The chat's memory of what was said: each room's last messages, which a join brings back (in
 * memory, this process only). Bounded three ways: messages per room, rooms, and an estimate of
 * the bytes they take, all rooms together. Past the rooms or the bytes, the rooms spoken in
 * least recently lose their history first, whole: a room keeps its last messages or none.
 *
 * The byte estimate of a message is an upper bound of what it holds in a JavaScript heap: two
 * bytes per UTF-16 unit of its name and text, plus 256 bytes for its id, time and the object.
 * Without that bound the 1000 rooms of 100 messages of 500 characters outside the Basic
 * Multilingual Plane (an emoji, `𝒜`) took about 220 MB.
 *
 * @example
 * ```ts
 * import { RecentMessages } from "./recent_messages.ts";
 * const recent = new RecentMessages({ perRoom: 2 });
 * for (const text of ["one", "two", "three"]) {
 *   recent.add("lobby", { id: text, name: "ada", text, time: new Date().toISOString() });
 * }
 * console.assert(recent.of("lobby").map((m) => m.text).join() === "two,three");
 * ```
 * @module
 */

import type { ChatMessage } from "./contract.ts";

/**
 * The bounds of {@link RecentMessages}; each left out takes its default.
 *
 * @example
 * ```ts
 * import type { RecentLimits } from "./recent_messages.ts";
 * const limits: RecentLimits = { bytes: 4 * 1024 * 1024 };
 * console.assert(limits.bytes === 4194304);
 * ```
 */
export interface RecentLimits {
  /** Messages a room keeps, its last ones; default 100. */
  readonly perRoom?: number;
  /** Rooms that keep messages; default 1000. */
  readonly rooms?: number;
  /** Estimated bytes of all rooms' messages together ({@link messageBytes}); default 16 MiB. */
  readonly bytes?: number;
}

/** The defaults of {@link RecentLimits}. */
const defaults = { perRoom: 100, rooms: 1000, bytes: 16 * 1024 * 1024 } as const;

/**
 * The estimated bytes a message takes in memory: two per UTF-16 unit of its name and text,
 * plus 256 for its id, its time, the object and its place in a list (measured on Deno and Bun:
 * 260 bytes for a message of two characters, estimated as 316; 2181 for one of 500 astral
 * characters, estimated as 2304).
 *
 * @example
 * ```ts
 * import { messageBytes } from "./recent_messages.ts";
 * const message = { id: "m1", name: "bob", text: "hi", time: new Date().toISOString() };
 * console.assert(messageBytes(message) === 266);
 * ```
 */
export function messageBytes(message: ChatMessage): number {
  return 2 * (message.name.length + message.text.length) + 256;
}

/**
 * The last messages of the rooms spoken in last, within {@link RecentLimits}.
 *
 * @example
 * ```ts
 * import { RecentMessages } from "./recent_messages.ts";
 * const recent = new RecentMessages({ rooms: 1 });
 * const time = new Date().toISOString();
 * recent.add("lobby", { id: "1", name: "ada", text: "hi", time });
 * recent.add("garden", { id: "2", name: "ada", text: "hi", time });
 * console.assert(recent.of("lobby").length === 0 && recent.rooms === 1);
 * ```
 */
export class RecentMessages {
  readonly #perRoom: number;
  readonly #maxRooms: number;
  readonly #maxBytes: number;
  /** In the order rooms were last spoken in, least recent first. */
  readonly #rooms = new Map<string, ChatMessage[]>();
  #bytes = 0;

  /** Creates an empty history; a `RangeError` for a bound below 1. */
  constructor(limits: RecentLimits = {}) {
    this.#perRoom = limits.perRoom ?? defaults.perRoom;
    this.#maxRooms = limits.rooms ?? defaults.rooms;
    this.#maxBytes = limits.bytes ?? defaults.bytes;
    if (!(this.#perRoom >= 1 && this.#maxRooms >= 1 && this.#maxBytes >= 1)) {
      throw new RangeError("recent messages need bounds of at least 1");
    }
  }

  /** Rooms that keep messages now. */
  get rooms(): number {
    return this.#rooms.size;
  }

  /** Estimated bytes of the messages kept now ({@link messageBytes}). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The messages `room` keeps, oldest first: a copy, for a join's reply. */
  of(room: string): ChatMessage[] {
    return [...(this.#rooms.get(room) ?? [])];
  }

  /** Keeps `message` as the last of `room`, which becomes the room spoken in last. */
  add(room: string, message: ChatMessage): void {
    const last = this.#rooms.get(room) ?? [];
    last.push(message);
    this.#bytes += messageBytes(message);
    if (last.length > this.#perRoom) this.#bytes -= messageBytes(last.shift()!);
    this.#rooms.delete(room); // re-inserted: the Map's order is the order of speaking
    this.#rooms.set(room, last);
    while (this.#rooms.size > this.#maxRooms || this.#bytes > this.#maxBytes) {
      const [oldest, messages] = this.#rooms.entries().next().value!;
      if (oldest !== room) {
        this.#rooms.delete(oldest);
        for (const dropped of messages) this.#bytes -= messageBytes(dropped);
      } else {
        // A bound smaller than this one room: it keeps what fits, at least its last message.
        if (messages.length === 1) break;
        this.#bytes -= messageBytes(messages.shift()!);
      }
    }
  }
}
