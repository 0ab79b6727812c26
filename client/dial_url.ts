/**
 * The URL a client dials when its `dialUrl` option gives one (a fresh token on every dial):
 * asked before each dial, bounded by the dial timeout and by the client's close, and checked as
 * the client's own URL is. Internal to the client.
 *
 * @example
 * ```ts
 * import { urlToDial } from "./dial_url.ts";
 * let tokens = 0;
 * const hook = (url: string) => Promise.resolve(`${url}?token=${++tokens}`);
 * const signal = new AbortController().signal;
 * console.assert((await urlToDial(hook, "ws://127.0.0.1:8080/", 1000, signal)).endsWith("=1"));
 * console.assert((await urlToDial(hook, "ws://127.0.0.1:8080/", 1000, signal)).endsWith("=2"));
 * ```
 * @module
 */

import { DisconnectedError } from "./errors.ts";
import { timerDelay } from "./timer_delay.ts";
import { webSocketUrl } from "./websocket_url.ts";

/**
 * The `dialUrl` option of a client: the URL to dial for the client's `url`.
 *
 * @example
 * ```ts
 * import type { DialUrlHook } from "./dial_url.ts";
 * const hook: DialUrlHook = (url) => `${url}?token=t-1`;
 * console.assert(hook("ws://a/", new AbortController().signal) === "ws://a/?token=t-1");
 * ```
 */
export type DialUrlHook = (
  url: string,
  signal: AbortSignal,
) => string | URL | Promise<string | URL>;

/**
 * Asks `hook` for the URL to dial for a client of `url` and checks its answer as the client's
 * constructor checks `url` (`http:` becomes `ws:`, a relative URL is resolved in a page).
 *
 * Rejects with a `DisconnectedError` naming `url` (never the answer, which may carry a token)
 * when the hook throws or rejects (its error is the `cause`), answers with no valid WebSocket
 * URL (the `SyntaxError` or `TypeError` is the `cause`), gives no answer within `dialTimeout`
 * ms, or `signal` aborts (the client was closed). On the last two the signal given to the hook
 * aborts, and a late answer is ignored.
 *
 * @example
 * ```ts
 * import { urlToDial } from "./dial_url.ts";
 * import { DisconnectedError } from "./errors.ts";
 * const signal = new AbortController().signal;
 * const never = (_url: string, hookSignal: AbortSignal) =>
 *   new Promise<string>((_resolve, reject) => hookSignal.addEventListener("abort", reject));
 * const error = await urlToDial(never, "ws://127.0.0.1:8080/", 20, signal).catch((e) => e);
 * console.assert(error instanceof DisconnectedError);
 * console.assert(error.message.endsWith("dialUrl gave no URL within the dial timeout of 20 ms"));
 * const bad = await urlToDial(() => "localhost:1?t=secret", "ws://h/", 20, signal).catch((e) => e);
 * console.assert(bad.cause instanceof SyntaxError && !bad.message.includes("secret"));
 * ```
 */
export function urlToDial(
  hook: DialUrlHook,
  url: string,
  dialTimeout: number,
  signal: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const hookAbort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    const finish = (outcome: () => string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      try {
        resolve(outcome());
      } catch (error) {
        reject(error);
      }
    };
    const failed = (why: string, cause?: unknown): DisconnectedError =>
      new DisconnectedError(`could not dial ${url}: ${why}`, { cause });
    const giveUp = (error: DisconnectedError): void => {
      if (done) return;
      finish(() => {
        throw error;
      });
      hookAbort.abort(error);
    };
    const onAbort = (): void =>
      giveUp(new DisconnectedError("the client was closed", { cause: signal.reason }));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort);
    if (dialTimeout !== Infinity) {
      timer = setTimeout(
        () => giveUp(failed(`dialUrl gave no URL within the dial timeout of ${dialTimeout} ms`)),
        timerDelay(dialTimeout),
      );
    }
    const threw = (error: unknown): void =>
      finish(() => {
        throw failed(`dialUrl threw: ${errorText(error)}`, error);
      });
    const answered = (value: unknown): void =>
      finish(() => {
        if (typeof value !== "string" && !(value instanceof URL)) {
          const got = value === null ? "null" : typeof value;
          const cause = new TypeError(`dialUrl must return a URL string, got ${got}`);
          throw failed(cause.message, cause);
        }
        try {
          return webSocketUrl(value, undefined, "returned by dialUrl");
        } catch (error) {
          throw failed(errorText(error), error);
        }
      });
    try {
      Promise.resolve(hook(url, hookAbort.signal)).then(answered, threw);
    } catch (error) {
      threw(error);
    }
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
