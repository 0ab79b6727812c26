/**
 * The events of a connection that is not announced yet: a connect attempt restores the session
 * before `connected` fires, while the server may already send signals (from its
 * `onClientConnected` hook, say). They wait here and follow `connected` in the order they
 * happened, so that no listener hears of a connection before `connected`. Internal to the
 * client.
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

import type { ClientEventMap } from "./events.ts";

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

  /** How many events wait. */
  get size(): number {
    return this.#events.length;
  }

  /** Keeps an event until {@link HeldEvents.release}. */
  hold<K extends HeldEventType>(type: K, detail: ClientEventMap[K]["detail"]): void {
    this.#events.push({ type, detail } as HeldEvent);
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
      if (signals || event.type !== "signal") fire(event.type, event.detail);
    }
  }
}
