/**
 * The events of a connection that is not announced yet: a connect attempt restores the session
 * before `connected` fires, while the server may already send signals (from its
 * `onClientConnected` hook, say). They wait here and follow `connected` in the order they
 * happened, so that no listener hears of a connection before `connected`. The signals are
 * bounded ({@link HeldSignalLimits}): past a bound the oldest held signal is dropped and logged
 * (the 1st, 10th, 100th, ... drop). Internal to the client.
 *
 * @example
 * ```ts
 * import { HeldEvents } from "./held_events.ts";
 * import { Payload } from "@webwire/webwire/protocol";
 * const held = new HeldEvents();
 * held.hold("signal", { name: "welcome", payload: Payload.from("hi") });
 * held.hold("sessionclosed", undefined);
 * const order: string[] = ["connected"];
 * held.release((type) => void order.push(type), true);
 * console.assert(order.join() === "connected,signal,sessionclosed" && held.size === 0);
 * ```
 * @module
 */

import { givenNumber } from "../protocol/value_kind.ts";
import type { Logger } from "../protocol/logger.ts";
import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
import type { ClientEventMap } from "./events.ts";

/**
 * Bounds of the signals a client holds while a new connection restores its session (they fire
 * right after `connected`). Past either bound the oldest held signal is dropped, and the drop
 * logged with the logger's `warn` (the 1st, 10th, 100th, ... of a connection). Session events
 * are never dropped.
 *
 * @example
 * ```ts
 * import type { ClientOptions } from "@webwire/webwire/client";
 * // Keep at most 100 signals or 256 KiB of them while the session is restored.
 * const options: ClientOptions = { heldSignals: { maxCount: 100, maxBytes: 256 * 1024 } };
 * console.assert(options.heldSignals?.maxCount === 100);
 * ```
 */
export interface HeldSignalLimits {
  /** Signals held at most; default 1024. `Infinity` for no bound. */
  readonly maxCount?: number;
  /** Bytes of names and payloads held at most; default 2 MiB. `Infinity` for no bound. */
  readonly maxBytes?: number;
}

/**
 * The default bounds: 1024 signals, 2 MiB (a server's default replay of offline signals, up to
 * 256 and 1 MiB, fits with room for its `onClientConnected` signals).
 *
 * @example
 * ```ts
 * import { defaultHeldSignalLimits } from "./held_events.ts";
 * console.assert(defaultHeldSignalLimits.maxCount === 1024);
 * ```
 */
export const defaultHeldSignalLimits: Readonly<Required<HeldSignalLimits>> = Object.freeze({
  maxCount: 1024,
  maxBytes: 2 * 1024 * 1024,
});

/**
 * The bounds of `limits`, each one left out taken from {@link defaultHeldSignalLimits}.
 *
 * @throws {RangeError} when `maxCount` is not a whole number ≥ 1 (or `Infinity`), or
 *   `maxBytes` not a number ≥ 0.
 *
 * @example
 * ```ts
 * import { resolveHeldSignalLimits } from "./held_events.ts";
 * console.assert(resolveHeldSignalLimits({ maxCount: 10 }).maxBytes === 2 * 1024 * 1024);
 * ```
 */
export function resolveHeldSignalLimits(
  limits: HeldSignalLimits = {},
): Required<HeldSignalLimits> {
  const maxCount = limits.maxCount ?? defaultHeldSignalLimits.maxCount;
  const maxBytes = limits.maxBytes ?? defaultHeldSignalLimits.maxBytes;
  const whole = Number.isInteger(maxCount) || maxCount === Infinity;
  if (!(typeof maxCount === "number" && maxCount >= 1 && whole)) {
    throw new RangeError(
      `heldSignals.maxCount must be a whole number ≥ 1, got ${givenNumber(maxCount)}`,
    );
  }
  if (!(typeof maxBytes === "number" && maxBytes >= 0)) {
    throw new RangeError(`heldSignals.maxBytes must be a number ≥ 0, got ${givenNumber(maxBytes)}`);
  }
  return { maxCount, maxBytes };
}

/**
 * The events that a connection's messages (and the session restore on it) cause, which
 * wait while the connection is not announced.
 *
 * @example
 * ```ts
 * import type { HeldEventType } from "./held_events.ts";
 * const type: HeldEventType = "sessioncreated";
 * console.assert(type === "sessioncreated");
 * ```
 */
export type HeldEventType = "signal" | "sessioncreated" | "sessionclosed";

type HeldEvent = {
  [K in HeldEventType]: { readonly type: K; readonly detail: ClientEventMap[K]["detail"] };
}[HeldEventType];

/**
 * Fires one held event (the client's `emit`).
 *
 * @example
 * ```ts
 * import type { EmitHeldEvent } from "./held_events.ts";
 * const seen: string[] = [];
 * const emit: EmitHeldEvent = (type) => void seen.push(type);
 * emit("sessionclosed", undefined);
 * console.assert(seen.join() === "sessionclosed");
 * ```
 */
export type EmitHeldEvent = <K extends HeldEventType>(
  type: K,
  detail: ClientEventMap[K]["detail"],
) => void;

/**
 * Events in waiting, oldest first.
 *
 * @example
 * ```ts
 * import { HeldEvents } from "./held_events.ts";
 * import { Payload } from "@webwire/webwire/protocol";
 * // The connection was lost before it was announced: its signals are dropped, but the session
 * // change it brought is told (the client's session did change).
 * const held = new HeldEvents();
 * held.hold("signal", { name: "welcome", payload: Payload.from("hi") });
 * held.hold("sessionclosed", undefined);
 * const told: string[] = [];
 * held.release((type) => void told.push(type), false);
 * console.assert(told.join() === "sessionclosed");
 * ```
 */
export class HeldEvents {
  readonly #events: HeldEvent[] = [];
  readonly #limits: Required<HeldSignalLimits>;
  readonly #logger: Pick<Logger, "warn"> | undefined;
  readonly #dropped = new PowersOfTenLog();
  #signals = 0;
  #signalBytes = 0;

  /** Holds signals within `limits` (default {@link defaultHeldSignalLimits}). */
  constructor(limits: HeldSignalLimits = {}, logger?: Pick<Logger, "warn">) {
    this.#limits = resolveHeldSignalLimits(limits);
    this.#logger = logger;
  }

  /** How many events wait. */
  get size(): number {
    return this.#events.length;
  }

  /**
   * Keeps an event until {@link HeldEvents.release}; a signal past a bound drops the oldest
   * signal held (itself, when it alone is over `maxBytes`).
   */
  hold<K extends HeldEventType>(type: K, detail: ClientEventMap[K]["detail"]): void {
    const event = { type, detail } as HeldEvent;
    this.#events.push(event);
    if (event.type !== "signal") return;
    this.#signals++;
    this.#signalBytes += signalBytes(event.detail);
    const { maxCount, maxBytes } = this.#limits;
    while (this.#signals > maxCount || this.#signalBytes > maxBytes) this.#dropOldestSignal();
  }

  /**
   * Fires the held events oldest first (signals only if `signals`; the others are dropped) and
   * forgets them. A listener that releases again meanwhile (it closed the client, which fires
   * `disconnected` after the rest) gets the rest: each event fires once, in order.
   */
  release(emit: EmitHeldEvent, signals: boolean): void {
    const events = this.#events;
    // Each held pair was typed when it was held.
    const fire = emit as (type: HeldEventType, detail: HeldEvent["detail"]) => void;
    while (events.length > 0) {
      const event = events.shift()!;
      if (event.type === "signal") this.#forget(event.detail);
      if (signals || event.type !== "signal") fire(event.type, event.detail);
    }
    this.#dropped.reset();
  }

  #dropOldestSignal(): void {
    const index = this.#events.findIndex((event) => event.type === "signal");
    const [event] = this.#events.splice(index, 1);
    this.#forget(event.detail as ClientEventMap["signal"]["detail"]);
    if (!this.#dropped.tally()) return;
    const count = this.#dropped.count === 1 ? "" : ` (${this.#dropped.count} so far)`;
    const { maxCount, maxBytes } = this.#limits;
    const bytes = maxBytes % mebibyte === 0 ? `${maxBytes / mebibyte} MiB` : `${maxBytes} bytes`;
    this.#logger?.warn(
      `webwire client: dropped the oldest signal held while the session is restored${count}: ` +
        `more than ${maxCount} signals or ${bytes} held (option heldSignals)`,
    );
  }

  #forget(signal: ClientEventMap["signal"]["detail"]): void {
    this.#signals--;
    this.#signalBytes -= signalBytes(signal);
  }
}

const mebibyte = 1024 * 1024;

/** What a held signal counts against `maxBytes`: its name (as ASCII) and payload bytes. */
function signalBytes(signal: ClientEventMap["signal"]["detail"]): number {
  return signal.name.length + signal.payload.bytes.byteLength;
}
