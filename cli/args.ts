/**
 * Command-line parsing for the `webwire` commands, on `node:util`'s `parseArgs` (present in
 * Deno, Bun and Node): unknown options and bad values become a {@link CliError} with the usage
 * exit code.
 *
 * @example
 * ```ts
 * import { parseCommandArgs } from "./args.ts";
 * const parsed = parseCommandArgs(["--port", "80", "x"], { port: { type: "string" } });
 * console.assert(parsed.values.port === "80" && parsed.positionals[0] === "x");
 * ```
 * @module
 */

import { parseArgs } from "node:util";
import { CliError, ExitCode } from "./exit_codes.ts";

/**
 * The options a command accepts: each a string-valued or a boolean flag.
 *
 * @example
 * ```ts
 * import type { OptionSpecs } from "./args.ts";
 * const specs: OptionSpecs = { json: { type: "boolean" }, timeout: { type: "string" } };
 * console.assert(specs.json.type === "boolean");
 * ```
 */
export type OptionSpecs = Record<
  string,
  { type: "string" | "boolean"; multiple?: boolean; short?: string }
>;

/**
 * Parsed arguments: option values by name, and the positionals in order.
 *
 * @example
 * ```ts
 * import type { ParsedArgs } from "./args.ts";
 * const parsed: ParsedArgs = { values: { help: true }, positionals: [] };
 * console.assert(parsed.values.help === true);
 * ```
 */
export interface ParsedArgs {
  /** Option values: a string, a boolean, or a list for `multiple` options. */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** The arguments that are not options. */
  positionals: string[];
}

/**
 * Parses `args` strictly; `--help`/`-h` is always accepted.
 *
 * @throws {CliError} with the usage exit code for an unknown option or a missing value.
 * @example
 * ```ts
 * import { parseCommandArgs } from "./args.ts";
 * console.assert(parseCommandArgs(["-h"], {}).values.help === true);
 * ```
 */
export function parseCommandArgs(args: readonly string[], options: OptionSpecs): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: joinStringValues(args, options),
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs["values"], positionals };
  } catch (error) {
    throw new CliError(ExitCode.Usage, (error as Error).message);
  }
}

/**
 * A string option's value, or `undefined`.
 *
 * @example
 * ```ts
 * import { stringOption } from "./args.ts";
 * console.assert(stringOption({ values: { host: "::1" }, positionals: [] }, "host") === "::1");
 * ```
 */
export function stringOption(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * An integer option within `[min, max]`, or `fallback` when absent.
 *
 * @throws {CliError} with the usage exit code for anything but such an integer.
 * @example
 * ```ts
 * import { integerOption } from "./args.ts";
 * const parsed = { values: { port: "8080" }, positionals: [] };
 * console.assert(integerOption(parsed, "port", 0, 0, 65535) === 8080);
 * ```
 */
export function integerOption(
  parsed: ParsedArgs,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = stringOption(parsed, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new CliError(
      ExitCode.Usage,
      `--${name} takes a whole number from ${min} to ${max}, got "${text}"`,
    );
  }
  return value;
}

/**
 * A string option restricted to `choices`, or `fallback` when absent.
 *
 * @throws {CliError} with the usage exit code for another value.
 * @example
 * ```ts
 * import { choiceOption } from "./args.ts";
 * const parsed = { values: {}, positionals: [] };
 * console.assert(choiceOption(parsed, "encoding", ["utf8", "utf16"], "utf8") === "utf8");
 * ```
 */
export function choiceOption<T extends string>(
  parsed: ParsedArgs,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const text = stringOption(parsed, name);
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) {
    throw new CliError(
      ExitCode.Usage,
      `--${name} takes one of ${choices.join(", ")}, got "${text}"`,
    );
  }
  return text as T;
}

/**
 * `--name value` as `--name=value` for string options, so that a value starting with a dash
 * (a session key can: base64url) is taken as the value, as a user means it, instead of being
 * refused as an ambiguous option.
 */
function joinStringValues(args: readonly string[], options: OptionSpecs): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    // After `--` every argument is a positional, passed on as it is.
    if (arg === "--") return [...joined, ...args.slice(i)];
    const name = arg.startsWith("--") ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === "string" && i + 1 < args.length) {
      joined.push(`${arg}=${args[++i]}`);
    } else {
      joined.push(arg);
    }
  }
  return joined;
}
