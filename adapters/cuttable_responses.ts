/**
 * Responses whose bodies a server can cut when it closes: `Deno.serve`'s `shutdown` waits for
 * every response to end, so an endless body (a fallback's event stream) would keep `close`
 * from ever resolving. Internal to the Deno adapter.
 *
 * @example
 * ```ts
 * import { CuttableResponses } from "./cuttable_responses.ts";
 * const responses = new CuttableResponses();
 * const endless = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(1)) });
 * const response = responses.track(new Response(endless, { status: 202 }));
 * console.assert(response.status === 202 && responses.size === 1);
 * responses.cutAll();
 * const failed = await response.arrayBuffer().then(() => false, () => true);
 * console.assert(failed && responses.size === 0);
 * ```
 * @module
 */

/** Tracks response bodies until they end; see the module documentation. */
export class CuttableResponses {
  readonly #open = new Set<ReadableStreamDefaultController<Uint8Array>>();

  /** Bodies still being written. */
  get size(): number {
    return this.#open.size;
  }

  /** `response` with its body tracked (a response without one as it is). */
  track(response: Response): Response {
    const source = response.body;
    if (source === null) return response;
    const reader = source.getReader();
    const open = this.#open;
    let controller: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => void open.add(controller = c),
      pull: async (c) => {
        const { done, value } = await reader.read();
        if (!done) return c.enqueue(value);
        open.delete(c);
        c.close();
      },
      cancel: (reason) => {
        open.delete(controller);
        return reader.cancel(reason);
      },
    }, { highWaterMark: 0 });
    const { status, statusText, headers } = response;
    return new Response(body, { status, statusText, headers });
  }

  /** Ends every tracked body with an error (the connection is cut) and cancels its source. */
  cutAll(): void {
    for (const controller of this.#open) controller.error(new Error("the server closed"));
    this.#open.clear();
  }
}
