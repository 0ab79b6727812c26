/**
 * The error a `FileSessionManager` lookup logs for a session file it cannot read as one.
 *
 * @example
 * ```ts
 * import { CorruptSessionFileError } from "./corrupt_session_file_error.ts";
 * try {
 *   throw new CorruptSessionFileError("/srv/sessions/abc.wwrsess", "not JSON");
 * } catch (error) {
 *   if (error instanceof CorruptSessionFileError) console.error("remove", error.path);
 * }
 * ```
 * @module
 */

import { WebwireError } from "../protocol/webwire_error.ts";

/**
 * A session file that cannot be read as one: not JSON, or without valid `"c"` and `"l"` times,
 * or with an `"i"` that is not an object, or not a regular file at all. A lookup that meets one
 * finds no session (the client's restore is refused as not found), moves the file aside to
 * `<key>.wwrsess.corrupt` and logs this error on the manager's `logger`, once.
 *
 * @example
 * ```ts
 * import { CorruptSessionFileError } from "./corrupt_session_file_error.ts";
 * const error = new CorruptSessionFileError("/tmp/x.wwrsess", "not JSON");
 * console.assert(error.path === "/tmp/x.wwrsess" && error.name === "CorruptSessionFileError");
 * ```
 */
export class CorruptSessionFileError extends WebwireError {
  /** Always "CorruptSessionFileError", also in minified bundles. */
  override readonly name: string = "CorruptSessionFileError";
  /** The path of the corrupt file. */
  readonly path: string;

  /** Creates the error for the file at `path`, saying what is wrong with it. */
  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(`corrupt session file ${path}: ${problem}`, options);
    this.path = path;
  }
}
