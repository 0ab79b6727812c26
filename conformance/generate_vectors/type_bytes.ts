/**
 * Type bytes: a smallest valid message for each of the 21 known type bytes, the type byte alone
 * for each of the other 235, a few long messages of unknown types, and the empty frame.
 *
 * @example
 * ```ts
 * import { addTypeByteVectors } from "./type_bytes.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addTypeByteVectors(set);
 * console.assert(set.files.has("type-bytes/type_255.bin") && set.files.has("type-bytes/empty.bin"));
 * ```
 * @module
 */

import { cat, seq, utf16le } from "./bytes.ts";
import { type Built, encodings } from "./built_message.ts";
import { acceptConf } from "./accept_conf.ts";
import { errorReply } from "./error_reply.ts";
import { heartbeat } from "./heartbeat.ts";
import { reply } from "./reply.ts";
import { request } from "./request.ts";
import { ids } from "./samples.ts";
import { closeSession, restoreSession, sessionClosed, sessionCreated } from "./session.ts";
import { signal } from "./signal.ts";
import { specialReply } from "./special_reply.ts";
import type { VectorSet } from "./vector_set.ts";

/**
 * A smallest valid message of every known type byte; `undefined` for an unknown one.
 *
 * @example
 * ```ts
 * import { minimalOfType } from "./type_bytes.ts";
 * console.assert(minimalOfType(33)?.bytes.length === 1 && minimalOfType(34) === undefined);
 * ```
 */
export function minimalOfType(type: number): Built | undefined {
  const id = ids.first;
  switch (type) {
    case 0:
      return errorReply(id, cat("E"), cat());
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
      return specialReply(type, id);
    case 21:
      return sessionCreated(cat("{}"));
    case 22:
      return sessionClosed;
    case 23:
      return acceptConf(2, 0, 60000, 8192);
    case 31:
      return closeSession(id);
    case 32:
      return restoreSession(id, cat("k"));
    case 33:
      return heartbeat;
    case 63:
    case 64:
      return signal(type === 63 ? "binary" : "utf8", cat("s"), cat());
    case 65:
      return signal("utf16", cat(), utf16le("s"));
    case 127:
    case 128:
      return request(type === 127 ? "binary" : "utf8", id, cat("q"), cat());
    case 129:
      return request("utf16", id, cat("qq"), cat());
    case 191:
    case 192:
    case 193:
      return reply(encodings[type - 191], id, cat());
  }
  return undefined;
}

function pad3(n: number): string {
  return String(n).padStart(3, "0");
}

/**
 * Adds a vector for every type byte 0 to 255, the long unknown types and the empty frame.
 *
 * @example
 * ```ts
 * import { addTypeByteVectors } from "./type_bytes.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addTypeByteVectors(set);
 * console.assert(set.vectors.filter((v) => v.expect !== undefined).length === 21);
 * ```
 */
export function addTypeByteVectors(set: VectorSet): void {
  for (let type = 0; type < 256; type++) {
    const built = minimalOfType(type);
    if (built !== undefined) {
      set.valid(
        `type-bytes/type_${pad3(type)}`,
        `type byte ${type}: a smallest valid ${built.expect.kind}`,
        built,
      );
    } else {
      set.invalid(
        `type-bytes/type_${pad3(type)}`,
        `type byte ${type} alone: no WebWire v2 message has this type`,
        "either",
        cat(type),
        "unknown-type",
      );
    }
  }
  const extra: [number, Uint8Array, string][] = [
    [6, cat(6, ids.first), "the v1 protocol-error reply (6) with an id: gone in v2"],
    [34, cat(34, ids.first, 0), "type 34 with 9 more bytes"],
    [130, cat(130, ids.first, 1, "x", "payload"), "type 130 laid out like a request"],
    [194, cat(194, ids.first, "payload"), "type 194 laid out like a reply"],
    [255, seq(16, () => 0xff), "sixteen 0xff bytes"],
  ];
  for (const [type, bytes, what] of extra) {
    set.invalid(
      `type-bytes/unknown_${pad3(type)}_long`,
      `unknown type ${type} is rejected whatever follows: ${what}`,
      "either",
      bytes,
      "unknown-type",
    );
  }
  set.invalid("type-bytes/empty", "a frame with no bytes", "either", cat(), "empty");
}
