/**
 * The demo's transcript: sections, notes and self-checks written as readable lines, with a
 * tally of the checks that failed so that the demo can exit non-zero.
 *
 * @example
 * ```ts
 * import { Transcript } from "./transcript.ts";
 * const lines: string[] = [];
 * const transcript = new Transcript((line) => lines.push(line));
 * transcript.section("Requests");
 * transcript.check(1 + 1 === 2, "arithmetic works");
 * console.assert(transcript.ok && lines.at(-1) === "  ok    arithmetic works");
 * ```
 * @module
 */

/**
 * Writes the transcript and counts its checks.
 *
 * @example
 * ```ts
 * import { Transcript } from "./transcript.ts";
 * const transcript = new Transcript(() => {});
 * transcript.check(false, "this fails", "expected true");
 * console.assert(!transcript.ok && transcript.failures.length === 1);
 * ```
 */
export class Transcript {
  readonly #write: (line: string) => void;
  readonly #failures: string[] = [];
  #checks = 0;

  /** Creates a transcript that hands each line to `write`. */
  constructor(write: (line: string) => void) {
    this.#write = write;
  }

  /** Whether every check so far passed. */
  get ok(): boolean {
    return this.#failures.length === 0;
  }

  /** How many checks were made. */
  get checks(): number {
    return this.#checks;
  }

  /** The descriptions of the checks that failed. */
  get failures(): readonly string[] {
    return this.#failures;
  }

  /** Starts a section with a heading. */
  section(title: string): void {
    this.#write("");
    this.#write(`== ${title}`);
  }

  /** Writes a line of narration (what the demo does or observed). */
  note(text: string): void {
    this.#write(`        ${text}`);
  }

  /** Records a check: `ok` lines for what held, `FAIL` lines (with the detail) for what not. */
  check(passed: boolean, description: string, detail?: string): void {
    this.#checks++;
    if (passed) {
      this.#write(`  ok    ${description}`);
      return;
    }
    this.#failures.push(description);
    this.#write(`  FAIL  ${description}${detail === undefined ? "" : ` (${detail})`}`);
  }
}
