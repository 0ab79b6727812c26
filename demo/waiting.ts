/**
 * Small waiting helpers for the demo: a client event with a deadline, the error a promise
 * rejects with, and a sleep. Deadlines keep the demo from hanging when something misbehaves:
 * it reports the failure instead.
 *
 * @example
 * ```ts
 * import { outcome, sleep } from "./waiting.ts";
 * await sleep(1);
 * const result = await outcome(Promise.reject(new RangeError("no")));
 * console.assert(result.error instanceof RangeError);
 * ```
 * @module
 */

import type { Client, ClientEventMap } from "../client.ts";

/**
 * Resolves after `ms` milliseconds.
 *
 * @example
 * ```ts
 * import { sleep } from "./waiting.ts";
 * await sleep(1);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * How a promise settled: its value, or the error it rejected with.
 *
 * @example
 * ```ts
 * import type { Outcome } from "./waiting.ts";
 * const settled: Outcome<number> = { value: 1 };
 * console.assert(settled.value === 1 && settled.error === undefined);
 * ```
 */
export interface Outcome<T> {
  /** The value it resolved with. */
  readonly value?: T;
  /** The error it rejected with. */
  readonly error?: unknown;
}

/**
 * Waits for `promise` and tells how it settled, without throwing.
 *
 * @example
 * ```ts
 * import { outcome } from "./waiting.ts";
 * const settled = await outcome(Promise.resolve("fine"));
 * console.assert(settled.value === "fine");
 * ```
 */
export async function outcome<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

/**
 * Resolves with the detail of the next `type` event of `client`, or rejects after `ms`.
 * Call it before the action that causes the event, so that the event cannot be missed.
 *
 * @example
 * ```ts
 * import { Client } from "../client.ts";
 * import { nextEvent } from "./waiting.ts";
 * const client = new Client("ws://127.0.0.1:1/", { autoconnect: false });
 * const settled = nextEvent(client, "connected", 1).catch((error) => error);
 * console.assert((await settled) instanceof Error);
 * ```
 */
export function nextEvent<K extends keyof ClientEventMap>(
  client: Client,
  type: K,
  ms: number,
): Promise<ClientEventMap[K]["detail"]> {
  return new Promise((resolve, reject) => {
    const listener = (event: ClientEventMap[K]): void => {
      clearTimeout(timer);
      resolve(event.detail);
    };
    const timer = setTimeout(() => {
      client.removeEventListener(type, listener);
      reject(new Error(`no "${type}" event within ${ms} ms`));
    }, ms);
    client.addEventListener(type, listener, { once: true });
  });
}
