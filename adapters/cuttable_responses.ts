/**
 * Responses whose bodies a server can end when it closes: `Deno.serve`'s `shutdown` waits for
 * every response to end, so an endless body (a fallback's event stream) would keep `close`
 * from ever resolving. A body that is all there at once (a page made in memory, of any size)
 * goes as it is, with its length; only one that waits for something or is long is tracked. Internal to
 * the Deno adapter. So are answers not made yet (a fallback or `beforeUpgrade` that never
 * returns), which the close answers with 503.
 *
 * @example
 * ```ts
 * import { CuttableResponses } from "./cuttable_responses.ts";
 * const responses = new CuttableResponses();
 * const page = await responses.track(new Response("the page"));
 * console.assert(responses.size === 0 && (await page.text()) === "the page");
 * let canceled = false;
 * const endless = new ReadableStream<Uint8Array>({
 *   pull: () => new Promise(() => {}), // waits for events that never come
 *   cancel: () => void (canceled = true),
 * });
 * const events = await responses.track(new Response(endless, { status: 202 }));
 * console.assert(events.status === 202 && responses.size === 1);
 * const reading = events.text();
 * responses.endAll();
 * console.assert((await reading) === "" && canceled && responses.size === 0);
 * ```
 * @module
 */

import { concatBytes } from "./concat_bytes.ts";
import { readAtOnce } from "./settled_at_once.ts";

/** Tracks response bodies until they end; see the module documentation. */
export class CuttableResponses {
  /** The sources of the bodies still being written. */
  readonly #open = new Set<ReadableStreamDefaultReader<Uint8Array>>();
  /** What answers the requests whose answers are still being made. */
  readonly #waiting = new Set<(response: Response) => void>();

  /** Bodies still being written. */
  get size(): number {
    return this.#open.size;
  }

  /**
   * `response` as it is when its body is all there at once (or it has none), else with its
   * body tracked until it ends, fails or is canceled.
   */
  async track(response: Response): Promise<Response> {
    const source = response.body;
    if (source === null) return response;
    const reader = source.getReader();
    const { status, statusText, headers } = response;
    const start = await readAtOnce(() => handled(reader.read()));
    const chunks = start.chunks;
    if (start.done) {
      return new Response(concatBytes(chunks) as Uint8Array<ArrayBuffer>, {
        status,
        statusText,
        headers,
      });
    }
    let next = start.next;
    const open = this.#open;
    open.add(reader);
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        for (const chunk of chunks) controller.enqueue(chunk);
      },
      pull: async (controller) => {
        try {
          const { done, value } = await next;
          if (done) {
            open.delete(reader);
            return controller.close();
          }
          controller.enqueue(value);
          next = handled(reader.read());
        } catch (error) {
          open.delete(reader);
          throw error;
        }
      },
      cancel: (reason) => {
        open.delete(reader);
        return reader.cancel(reason);
      },
    }, { highWaterMark: 0 });
    return new Response(body, { status, statusText, headers });
  }

  /**
   * The response `answer` settles to, or a 503 if it has not settled by {@link endAll}: the
   * handler answers then, and the connection can close.
   */
  whenAnswered(answer: Promise<Response>): Promise<Response> {
    const waiting = this.#waiting;
    return new Promise((resolve, reject) => {
      waiting.add(resolve);
      answer.then(resolve, reject).finally(() => waiting.delete(resolve));
    });
  }

  /**
   * Ends every tracked body where it is and cancels its source, and answers the requests still
   * waiting for their answers with 503 (the server closes).
   */
  endAll(): void {
    for (const answer of this.#waiting) {
      answer(new Response("server shutting down\n", { status: 503 }));
    }
    this.#waiting.clear();
    for (const reader of this.#open) void reader.cancel("the server closed").catch(() => {});
    this.#open.clear();
  }
}

/** `read`, its rejection marked handled: a read nobody awaits yet must not crash the process. */
function handled<T>(read: Promise<T>): Promise<T> {
  read.catch(() => {});
  return read;
}
