/**
 * Generated vectors: messages of 1 MiB and more that the manifest describes by a rule (a hex
 * prefix and an `i mod 251` payload) instead of a stored file.
 *
 * @example
 * ```ts
 * import { addGeneratedVectors } from "./generated.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addGeneratedVectors(set);
 * console.assert(set.files.size === 0 && set.vectors.length === 3);
 * ```
 * @module
 */

import { toHex } from "../manifest.ts";
import { cat, seq } from "./bytes.ts";
import { reply } from "./reply.ts";
import { request } from "./request.ts";
import { ids } from "./samples.ts";
import { signal } from "./signal.ts";
import type { VectorSet } from "./vector_set.ts";

const mebibyte = 1048576;

/**
 * Adds the generated vectors to `set`; each is checked against its rule as it is added.
 *
 * @example
 * ```ts
 * import { addGeneratedVectors } from "./generated.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addGeneratedVectors(set);
 * console.assert(set.vectors.every((v) => v.generate !== undefined));
 * ```
 */
export function addGeneratedVectors(set: VectorSet): void {
  const payload = { pattern: "i mod 251", length: mebibyte } as const;
  const pattern = seq(mebibyte, (i) => i % 251);
  const replyPrefix = cat(191, ids.first);
  set.generated(
    "generated/reply_binary_1mib",
    "binary reply with a 1 MiB payload",
    reply("binary", ids.first, pattern),
    { prefixHex: toHex(replyPrefix), payload },
  );
  const requestPrefix = cat(129, ids.answer, 3, "big", 0);
  set.generated(
    "generated/request_utf16_1mib",
    "UTF-16 request, 3-byte name and padding, 1 MiB payload",
    request("utf16", ids.answer, cat("big"), pattern),
    { prefixHex: toHex(requestPrefix), payload },
  );
  const oddPattern = seq(mebibyte + 1, (i) => i % 251);
  const signalPrefix = cat(63, 4, "bulk");
  set.generated(
    "generated/signal_binary_1mib_plus_1",
    "binary signal, 4-byte name, payload of 1 MiB + 1 bytes",
    signal("binary", cat("bulk"), oddPattern),
    { prefixHex: toHex(signalPrefix), payload: { pattern: "i mod 251", length: mebibyte + 1 } },
  );
}
