/**
 * The client under test as a child process: started as `<command...> <url>`, its stdout read
 * line by line for the check to wait on, its stderr kept for the report, and stopped at the
 * end of each check. Uses `node:child_process`, which Deno, Bun and Node all provide.
 *
 * @example
 * ```ts
 * import { ClientProcess } from "./client_suite_process.ts";
 * import process from "node:process";
 * const program = [process.execPath, "eval", "console.log('url', Deno.args[0])"];
 * const client = ClientProcess.start(program, "ws://127.0.0.1:1/");
 * const line = await client.line((l) => l.startsWith("url "), 10_000);
 * console.assert(line === "url ws://127.0.0.1:1/");
 * await client.stop();
 * ```
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { startFailureMessage } from "./start_failure.ts";

/** Whether each client gets a process group of its own (Windows has none). */
const ownGroup = process.platform !== "win32";

/**
 * How a client process ended: its exit code, or the signal that ended it.
 *
 * @example
 * ```ts
 * import type { ProcessExit } from "./client_suite_process.ts";
 * const exit: ProcessExit = { code: 1, signal: null };
 * console.assert(exit.code === 1);
 * ```
 */
export interface ProcessExit {
  /** The exit code, or `null` when a signal ended it. */
  code: number | null;
  /** The signal that ended it, or `null`. */
  signal: string | null;
}

/**
 * The client-under-test program could not be started at all (not found, not executable): no
 * check can tell anything about it, so the run stops with this, once.
 *
 * @example
 * ```ts
 * import { ClientStartError } from "./client_suite_process.ts";
 * const error = new ClientStartError(["./my-client", "-v"], "ENOENT");
 * console.assert(error.message === 'cannot start the client "./my-client -v": not found (ENOENT)');
 * ```
 */
export class ClientStartError extends Error {
  /** Creates the error for `command`, with the system's reason (`ENOENT`, `EACCES`, ...). */
  constructor(command: readonly string[], reason: string) {
    super(startFailureMessage("client", command, reason));
    this.name = "ClientStartError";
  }
}

/**
 * A running client under test.
 *
 * @example
 * ```ts
 * import { ClientProcess } from "./client_suite_process.ts";
 * import process from "node:process";
 * const child = ClientProcess.start([process.execPath, "--version"], "ws://127.0.0.1:1/");
 * await child.exited(5000);
 * await child.stop();
 * ```
 */
export class ClientProcess {
  /** Every complete stdout line so far. */
  readonly lines: string[] = [];
  readonly #child: ChildProcess;
  #stderr = "";
  #partial = "";
  #exit: ProcessExit | undefined;
  #startError: string | undefined;
  #leaderExited = false;
  #groupGone = false;
  readonly #waiters = new Set<() => void>();

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      const parts = (this.#partial + chunk).split("\n");
      this.#partial = parts.pop()!;
      for (const line of parts) this.lines.push(line.replace(/\r$/, ""));
      this.#signal();
    });
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      // Only the end is shown in reports; keep memory bounded for chatty clients.
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
    child.on("error", (error) => {
      // Without a process id the program was never started: keep the system's reason.
      const code = (error as { code?: unknown }).code;
      if (child.pid === undefined && typeof code === "string") this.#startError = code;
      this.#stderr += `\n${error.message}`;
      this.#exit ??= { code: null, signal: "spawn-failed" };
      this.#signal();
    });
    child.on("exit", () => this.#leaderExited = true);
    child.on("close", (code, signal) => {
      if (this.#partial !== "") this.lines.push(this.#partial);
      this.#partial = "";
      this.#exit ??= { code, signal };
      // What the client left running in its group (say, npx's child) goes with it, once.
      this.#killGroup("SIGKILL");
      this.#groupGone = true;
      this.#signal();
    });
  }

  /**
   * Starts `command` with `url` appended as its last argument, in a process group of its own
   * (not on Windows, which has none), so that stopping it reaches what it started too: a
   * client run through `sh -c`, `npx` or `npm run` is stopped as a whole.
   */
  static start(command: readonly string[], url: string): ClientProcess {
    const child = spawn(command[0], [...command.slice(1), url], {
      detached: ownGroup,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new ClientProcess(child);
  }

  /** How the process ended, or `undefined` while it runs. */
  get exit(): ProcessExit | undefined {
    return this.#exit;
  }

  /**
   * The system's error code (`ENOENT`, `EACCES`, ...) when the program could not be started at
   * all, known once {@link exit} is; else `undefined`.
   */
  get startError(): string | undefined {
    return this.#startError;
  }

  /** The last lines of stderr, for failure reports. */
  stderrTail(lines = 3): string {
    return this.#stderr.trim().split("\n").slice(-lines).join(" | ");
  }

  /**
   * Waits for the first stdout line (at index `from` or later) that `match` accepts; resolves
   * with it, or `undefined` after `timeoutMs` or when the process has ended without it.
   */
  async line(
    match: (line: string) => boolean,
    timeoutMs: number,
    from = 0,
  ): Promise<string | undefined> {
    const deadline = performance.now() + timeoutMs;
    let index = from;
    for (;;) {
      for (; index < this.lines.length; index++) {
        if (match(this.lines[index])) return this.lines[index];
      }
      const left = deadline - performance.now();
      if (this.#exit !== undefined || left <= 0) return undefined;
      await this.#sleep(left);
    }
  }

  /** Waits up to `timeoutMs` for the process to end. */
  async exited(timeoutMs: number): Promise<ProcessExit | undefined> {
    const deadline = performance.now() + timeoutMs;
    while (this.#exit === undefined) {
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      await this.#sleep(left);
    }
    return this.#exit;
  }

  /**
   * Ends the process and what it started (SIGTERM, then SIGKILL after 1 s) and waits for it:
   * it has ended once its output is closed.
   */
  async stop(): Promise<void> {
    if (this.#exit !== undefined) return;
    this.#kill("SIGTERM");
    if (await this.exited(1000) !== undefined) return;
    this.#kill("SIGKILL");
    await this.exited(1000);
  }

  /** Signals the process group, or the process itself where it has none. */
  #kill(signal: "SIGTERM" | "SIGKILL"): void {
    if (this.#killGroup(signal)) return;
    if (!this.#leaderExited) this.#child.kill(signal);
  }

  /**
   * Signals the process group while one can be its: until the output closed (the group id is
   * the client's process id, which is not given to another process while a member lives).
   */
  #killGroup(signal: "SIGTERM" | "SIGKILL"): boolean {
    const pid = this.#child.pid;
    if (!ownGroup || pid === undefined || this.#groupGone) return false;
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      return false; // every process of the group has exited
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#waiters.add(wake);
    });
  }

  #signal(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}
