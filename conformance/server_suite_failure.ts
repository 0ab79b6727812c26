/**
 * How a check of the live server suite fails: a {@link CheckFailure} whose message is the
 * one-line detail shown in the report, thrown by {@link expect}.
 *
 * @example
 * ```ts
 * import { CheckFailure, expect } from "./server_suite_failure.ts";
 * try {
 *   expect(1 + 1 === 3, "arithmetic is broken");
 * } catch (error) {
 *   console.assert(error instanceof CheckFailure);
 * }
 * ```
 * @module
 */

/**
 * A check found the server misbehaving; `message` is the detail shown in the report.
 *
 * @example
 * ```ts
 * import { CheckFailure } from "./server_suite_failure.ts";
 * console.assert(new CheckFailure("no reply").message === "no reply");
 * ```
 */
export class CheckFailure extends Error {
  /** Creates the failure with its report detail. */
  constructor(detail: string) {
    super(detail);
    this.name = "CheckFailure";
  }
}

/**
 * Throws a {@link CheckFailure} with `detail` unless `condition` holds.
 *
 * @example
 * ```ts
 * import { expect } from "./server_suite_failure.ts";
 * expect(true, "never thrown");
 * ```
 */
export function expect(condition: boolean, detail: string): asserts condition {
  if (!condition) throw new CheckFailure(detail);
}

/**
 * A check could not be run against this server as configured (its read timeout is longer
 * than the suite waits, or the hook it needs was not given); `message` says why and how to
 * run it. The result is reported as skipped: neither passed nor failed.
 *
 * @example
 * ```ts
 * import { CheckSkipped } from "./server_suite_failure.ts";
 * console.assert(new CheckSkipped("no hook").message === "no hook");
 * ```
 */
export class CheckSkipped extends Error {
  /** Creates the skip with its report detail. */
  constructor(detail: string) {
    super(detail);
    this.name = "CheckSkipped";
  }
}
