/**
 * The `code` of a file system error, as `node:fs` gives it on Deno, Bun and Node.
 *
 * @example
 * ```ts
 * import { errorCode } from "./fs_error_code.ts";
 * console.assert(errorCode(Object.assign(new Error("gone"), { code: "ENOENT" })) === "ENOENT");
 * ```
 * @module
 */

/**
 * The `code` of a file system error (`"ENOENT"`, ...), or `undefined`.
 *
 * @example
 * ```ts
 * import { readFile } from "node:fs/promises";
 * import { errorCode } from "./fs_error_code.ts";
 * const code = await readFile("/no/such/file").then(() => "read", errorCode);
 * console.assert(code === "ENOENT");
 * ```
 */
export function errorCode(error: unknown): unknown {
  return typeof error === "object" && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
}
