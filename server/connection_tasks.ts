/**
 * What a connection has under way, counted for its limits and for its graceful close: handlers
 * that run or wait for a slot, and replies that are sent but wait for the socket to drain.
 * `ConnectionTraffic` builds on it.
 *
 * @example
 * ```ts
 * import { ConnectionTasks } from "./connection_tasks.ts";
 * class Counted extends ConnectionTasks {
 *   run(): void {
 *     this.startTask();
 *     // The reply waits for the socket to drain: no handler runs any more.
 *     this.replySent(new Promise(() => {}), () => {});
 *   }
 * }
 * const counted = new Counted();
 * counted.run();
 * await counted.idle(); // resolves: a client that stops reading holds up no graceful close
 * ```
 * @module
 */

/**
 * The count of a connection's tasks, and who waits for its handlers to finish.
 *
 * @example
 * ```ts
 * import { ConnectionTasks } from "./connection_tasks.ts";
 * class Counted extends ConnectionTasks {
 *   handle(work: Promise<void>): void {
 *     this.startTask();
 *     void work.finally(() => this.endTask());
 *   }
 * }
 * const counted = new Counted();
 * let finish = () => {};
 * counted.handle(new Promise<void>((resolve) => finish = resolve));
 * const idle = counted.idle();
 * finish();
 * await idle;
 * ```
 */
export abstract class ConnectionTasks {
  #tasks = 0;
  /** Tasks whose reply is sent and only waits for the socket to drain. */
  #draining = 0;
  #drainingReplies: Set<() => void> | undefined;
  #idleWaiters: (() => void)[] | undefined;

  /**
   * Resolves when no handler of this connection runs or waits. A reply that is sent and only
   * waits for the socket to drain does not count: a client that stops reading cannot hold up a
   * graceful close (the close frame queues behind the reply, and `closeTimeout` ends the socket).
   */
  idle(): Promise<void> {
    if (this.#tasks === this.#draining) return Promise.resolve();
    return new Promise((resolve) => (this.#idleWaiters ??= []).push(resolve));
  }

  /** Tasks under way, draining replies included (what `maxPendingMessages` limits). */
  protected get taskCount(): number {
    return this.#tasks;
  }

  /** Whether a handler of this connection runs or waits. */
  protected get busy(): boolean {
    return this.#tasks !== this.#draining;
  }

  /** A task begins. */
  protected startTask(): void {
    this.#tasks++;
  }

  /** A task is over. */
  protected endTask(): void {
    this.#tasks--;
    this.#wakeIfIdle();
  }

  /**
   * A task's reply is sent and waits for the socket to drain (`drained`): then, or at
   * {@link ConnectionTasks.stopDraining} if sooner, `then` runs and the task is over.
   */
  protected replySent(drained: Promise<void>, then: () => void): void {
    this.#draining++;
    this.#wakeIfIdle();
    const replies = this.#drainingReplies ??= new Set();
    const done = () => {
      if (!replies.delete(done)) return;
      this.#draining--;
      then();
      this.endTask();
    };
    replies.add(done);
    void drained.then(done);
  }

  /**
   * Ends every task whose reply only waits for the socket to drain (the connection closes):
   * what it held (a concurrency slot) goes to requests waiting for it, which then run.
   */
  protected stopDraining(): void {
    for (const done of [...(this.#drainingReplies ?? [])]) done();
  }

  #wakeIfIdle(): void {
    if (this.#tasks !== this.#draining) return;
    const waiters = this.#idleWaiters;
    if (waiters === undefined) return;
    this.#idleWaiters = undefined;
    for (const wake of waiters) wake();
  }
}
