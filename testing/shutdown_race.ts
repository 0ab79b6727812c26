/**
 * A server whose shutdown begins a given number of microtask turns after `beforeUpgrade` said
 * yes to a client's upgrade: before the core looks again (the client is refused), or after it
 * and before the socket opens (a late socket), or after the socket opened.
 *
 * @example
 * ```ts
 * import { serverShuttingDownAfterUpgrade } from "./shutdown_race.ts";
 * import { TcpClient } from "./tcp_client.ts";
 * const race = await serverShuttingDownAfterUpgrade("runtime", 0, 1000);
 * await TcpClient.connect(race.running.url).then((client) => client.destroy(), () => {});
 * await race.closing();
 * ```
 * @module
 */

import { silentLogger } from "../protocol/logger.ts";
import { type StartedServer, type StartOptions, startServer } from "./serve.ts";

/** What {@link serverShuttingDownAfterUpgrade} returns. */
export interface ShutdownRace {
  /** The server (its `close()` is called by the race). */
  readonly running: StartedServer;
  /** When `running.close()` was called (`performance.now()` ms; 0 before). */
  readonly closeCalledAt: number;
  /** Resolves when `running.close()` has (at once if no upgrade came). */
  closing(): Promise<void>;
}

/**
 * Starts a server on `adapter` with `closeTimeout` whose `running.close()` is called `ticks`
 * microtask turns after `beforeUpgrade` accepted the first upgrade.
 */
export async function serverShuttingDownAfterUpgrade(
  adapter: NonNullable<StartOptions["adapter"]>,
  ticks: number,
  closeTimeout: number,
): Promise<ShutdownRace> {
  let closing: Promise<void> | undefined;
  let closeCalledAt = 0;
  const running = await startServer({
    adapter,
    logger: silentLogger,
    closeTimeout,
    beforeUpgrade: () => {
      afterTicks(ticks, () => {
        closeCalledAt = performance.now();
        closing ??= running.close();
      });
      return {};
    },
  });
  return {
    running,
    get closeCalledAt() {
      return closeCalledAt;
    },
    closing: () => closing ?? Promise.resolve(),
  };
}

/** Runs `then` after `ticks` turns of the microtask queue. */
function afterTicks(ticks: number, then: () => void): void {
  if (ticks === 0) return then();
  queueMicrotask(() => afterTicks(ticks - 1, then));
}
