/**
 * The shape of a `webwire` command, and the help it prints.
 *
 * @example
 * ```ts
 * import type { Command } from "./command.ts";
 * const hello: Command = {
 *   name: "hello",
 *   summary: "says hello",
 *   help: "usage: webwire hello",
 *   run: () => Promise.resolve(0),
 * };
 * console.assert(hello.name === "hello");
 * ```
 * @module
 */

/**
 * One command of the `webwire` tool.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { callCommand } from "./call.ts";
 * import type { Command } from "./command.ts";
 * const running = serveDeno(new Server({ sessionsEnabled: false, onRequest: (r) => r.payload }));
 * const command: Command = callCommand;
 * // `webwire call <url> echo hi`: prints "hi", resolves with exit code 0.
 * console.assert(command.name === "call");
 * console.assert((await command.run([running.url, "echo", "hi"])) === 0);
 * await running.close();
 * ```
 */
export interface Command {
  /** What is typed after `webwire`. */
  readonly name: string;
  /** One line for the overview. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  /** Runs the command with the arguments after its name; resolves with the exit code. */
  run(args: readonly string[]): Promise<number>;
}
