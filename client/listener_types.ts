/**
 * The listener and option types of a `Client`'s `addEventListener` and
 * `removeEventListener` for any event name. They are declared here, not taken from the DOM
 * library: a Node project that type-checks with `"lib": ["ES2022"]` and `"types": ["node"]`
 * has `Event` and `AbortSignal` but no `AddEventListenerOptions` or
 * `EventListenerOrEventListenerObject`. The DOM's listeners and options fit them, so code
 * written for browsers passes its own unchanged.
 *
 * @example
 * ```ts
 * import { type AddListenerOptions, Client, type EventListenerLike } from "@webwire/webwire";
 * const client = new Client("ws://127.0.0.1:1/", { autoconnect: false });
 * const seen: string[] = [];
 * const listener: EventListenerLike = (event) => seen.push(event.type);
 * const options: AddListenerOptions = { once: true };
 * client.addEventListener("custom", listener, options);
 * client.dispatchEvent(new Event("custom"));
 * client.dispatchEvent(new Event("custom"));
 * console.assert(seen.length === 1); // once: removed after the first
 * ```
 * @module
 */

/**
 * A listener for any event: a function or an object with `handleEvent` (what the DOM calls
 * `EventListenerOrEventListenerObject`).
 *
 * @example
 * ```ts
 * import { Client, type EventListenerLike } from "@webwire/webwire";
 * const client = new Client("ws://127.0.0.1:1/", { autoconnect: false });
 * let handled = 0;
 * const listener: EventListenerLike = { handleEvent: () => void handled++ };
 * client.addEventListener("custom", listener);
 * client.dispatchEvent(new Event("custom"));
 * console.assert(handled === 1);
 * ```
 */
export type EventListenerLike =
  | ((event: Event) => void)
  | { handleEvent(event: Event): void };

/**
 * The options of `removeEventListener` (the DOM's `EventListenerOptions`).
 *
 * @example
 * ```ts
 * import { Client, type ListenerOptions } from "@webwire/webwire";
 * const client = new Client("ws://127.0.0.1:1/", { autoconnect: false });
 * let calls = 0;
 * const listener = () => void calls++;
 * const capture: ListenerOptions = { capture: true };
 * client.addEventListener("custom", listener, capture);
 * client.removeEventListener("custom", listener, capture);
 * client.dispatchEvent(new Event("custom"));
 * console.assert(calls === 0);
 * ```
 */
export interface ListenerOptions {
  /** Whether the listener is one for the capture phase (added with `capture: true`). */
  capture?: boolean;
}

/**
 * The options of `addEventListener` (the DOM's `AddEventListenerOptions`).
 *
 * @example
 * ```ts
 * import { type AddListenerOptions, Client } from "@webwire/webwire";
 * const client = new Client("ws://127.0.0.1:1/", { autoconnect: false });
 * const stop = new AbortController();
 * let calls = 0;
 * const options: AddListenerOptions = { signal: stop.signal };
 * client.addEventListener("custom", () => void calls++, options);
 * stop.abort(); // removes the listener
 * client.dispatchEvent(new Event("custom"));
 * console.assert(calls === 0);
 * ```
 */
export interface AddListenerOptions extends ListenerOptions {
  /** Removes the listener after its first call. */
  once?: boolean;
  /** Promises that the listener does not call `preventDefault()`. */
  passive?: boolean;
  /** Removes the listener when this signal aborts. */
  signal?: AbortSignal;
}
