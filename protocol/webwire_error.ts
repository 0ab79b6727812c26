/**
 * The base class of every error this library throws on purpose, so that one `instanceof`
 * check tells them from programming errors.
 *
 * @example
 * ```ts
 * import { WebwireError } from "./webwire_error.ts";
 * console.assert(new WebwireError("x") instanceof Error);
 * ```
 * @module
 */

/**
 * Base class of the library's errors (protocol, request, connection and session errors).
 *
 * @example
 * ```ts
 * import { WebwireError } from "./webwire_error.ts";
 * import { RequestError } from "./request_error.ts";
 * console.assert(new RequestError("E", "m") instanceof WebwireError);
 * ```
 */
export class WebwireError extends Error {
  /**
   * Creates an error; `name` is set to the subclass name. The library's own classes also
   * declare their name as a field, since minifiers rename classes (`new.target.name` reads
   * `L` in a minified bundle).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target === WebwireError ? "WebwireError" : new.target.name;
  }
}
