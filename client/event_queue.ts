/**
 * One client event at a time: an event fired while another is being dispatched (a listener of
 * `connected` closes the client, which fires `disconnected`) waits until that one has reached
 * its callback and every listener. Else later listeners would hear of the events in another
 * order than earlier ones, `disconnected` before `connected`, say. Internal to the client.
 *
 * @example
 * ```ts
 * import { queuedEmitter } from "./event_queue.ts";
 * import { DisconnectedError } from "./errors.ts";
 * const heard: string[] = [];
 * const emit = queuedEmitter((type) => {
 *   heard.push(`first hears ${type}`);
 *   if (type === "connected") emit("disconnected", new DisconnectedError("closed by a listener"));
 *   heard.push(`second hears ${type}`);
 * });
 * emit("connected", undefined);
 * console.assert(heard.join() === [
 *   "first hears connected", "second hears connected",
 *   "first hears disconnected", "second hears disconnected",
 * ].join());
 * ```
 * @module
 */

import type { ClientEventMap } from "./events.ts";

/**
 * Fires one client event: its `on…` callback, then its listeners.
 *
 * @example
 * ```ts
 * import type { EmitClientEvent } from "./event_queue.ts";
 * const seen: string[] = [];
 * const emit: EmitClientEvent = (type) => void seen.push(type);
 * emit("connecting", { attempt: 1 });
 * console.assert(seen.join() === "connecting");
 * ```
 */
export type EmitClientEvent = <K extends keyof ClientEventMap>(
  type: K,
  detail: ClientEventMap[K]["detail"],
) => void;

type QueuedEvent = {
  [K in keyof ClientEventMap]: { readonly type: K; readonly detail: ClientEventMap[K]["detail"] };
}[keyof ClientEventMap];

/**
 * Wraps `fire` so that events fired from within it wait for the one it is firing: each event is
 * fired whole, in the order they were emitted. The outermost call returns once the queue is
 * empty, so an event emitted outside any dispatch has reached every listener on return.
 *
 * @example
 * ```ts
 * import { emitClientEvent } from "./events.ts";
 * import { queuedEmitter } from "./event_queue.ts";
 * const target = new EventTarget();
 * const emit = queuedEmitter((type, detail) => emitClientEvent(target, {}, console, type, detail));
 * const heard: string[] = [];
 * target.addEventListener("connected", () => emit("sessionclosed", undefined));
 * target.addEventListener("connected", () => heard.push("connected"));
 * target.addEventListener("sessionclosed", () => heard.push("sessionclosed"));
 * emit("connected", undefined);
 * console.assert(heard.join() === "connected,sessionclosed");
 * ```
 */
export function queuedEmitter(fire: EmitClientEvent): EmitClientEvent {
  const queue: QueuedEvent[] = [];
  let firing = false;
  // Each queued pair was typed when it was queued.
  const fireQueued = fire as (type: QueuedEvent["type"], detail: QueuedEvent["detail"]) => void;
  return (type, detail) => {
    queue.push({ type, detail } as QueuedEvent);
    if (firing) return;
    firing = true;
    try {
      while (queue.length > 0) {
        const event = queue.shift()!;
        fireQueued(event.type, event.detail);
      }
    } finally {
      firing = false;
    }
  };
}
