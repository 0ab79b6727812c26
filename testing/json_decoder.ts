/**
 * A decoder program for `webwire conformance vectors --decoder`, used by the CLI tests: it
 * reads the message file named by its last argument, decodes it with this library's codec and
 * prints the manifest fields (or `{"invalid": reason}`) as JSON. An outside implementation
 * writes the same small program in its own language.
 *
 * @example
 * ```ts
 * import { decodeToJson } from "./json_decoder.ts";
 * console.assert(decodeToJson(new Uint8Array([33])) === '{"type":33,"kind":"heartbeat"}');
 * ```
 * @module
 */

import { readFileSync } from "node:fs";
import process from "node:process";
import { webwireCodec } from "../conformance/webwire_codec.ts";

/**
 * The JSON line the decoder prints for `bytes`.
 *
 * @example
 * ```ts
 * import { decodeToJson } from "./json_decoder.ts";
 * console.assert(decodeToJson(new Uint8Array()) === '{"invalid":"empty"}');
 * ```
 */
export function decodeToJson(bytes: Uint8Array): string {
  return JSON.stringify(webwireCodec.decode(bytes));
}

if (import.meta.main) {
  const path = process.argv[process.argv.length - 1];
  process.stdout.write(`${decodeToJson(new Uint8Array(readFileSync(path)))}\n`);
}
