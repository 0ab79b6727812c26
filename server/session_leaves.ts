/**
 * The wait of a shutdown for the sessions that its ended connections are still leaving: bounded,
 * so that a session manager that never answers cannot hold the shutdown up for good. Internal to
 * the server core.
 *
 * @example
 * ```ts
 * import { awaitSessionLeaves } from "./session_leaves.ts";
 * const lines: string[] = [];
 * const logger = { warn() {}, error: (line: string) => void lines.push(line) };
 * const never = new Promise<void>(() => {});
 * const leaving = new Set<Promise<unknown>>([Promise.resolve(), never]);
 * console.assert((await awaitSessionLeaves(leaving, 10, logger)) === 1);
 * console.assert(lines.length === 1); // one line for all those cut short
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";

/**
 * Waits until every promise of `leaving` has settled, or `limitMs` has passed; resolves to how
 * many had not settled by then (they are logged, in one line, as `what` with `consequence`).
 *
 * @example
 * ```ts
 * import { awaitSessionLeaves } from "./session_leaves.ts";
 * const leaving = new Set<Promise<unknown>>([new Promise((done) => setTimeout(done, 5))]);
 * console.assert((await awaitSessionLeaves(leaving, 1000, console)) === 0);
 * ```
 */
export async function awaitSessionLeaves(
  leaving: ReadonlySet<Promise<unknown>>,
  limitMs: number,
  logger: Logger,
  what = "session releases",
  consequence = "their sessions may stay stored without their idle expiry",
): Promise<number> {
  if (leaving.size === 0) return 0;
  const waited = [...leaving];
  let settled = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<void>((resolve) => timer = setTimeout(resolve, limitMs));
  const all = Promise.all(waited.map((left) => left.then(() => settled++, () => settled++)));
  await Promise.race([all, limit]);
  clearTimeout(timer);
  const unsettled = waited.length - settled;
  if (unsettled > 0) {
    logger.error(
      `${unsettled} ${what} were still running ${limitMs} ms into the shutdown: cut short ` +
        `(${consequence})`,
    );
  }
  return unsettled;
}
