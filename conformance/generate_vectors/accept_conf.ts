/**
 * Accept-conf (type 23), the server's first message: its layout and every accept-conf vector
 * (versions, little-endian u32 fields, with and without a sub-protocol).
 *
 * @example
 * ```ts
 * import { addAcceptConfVectors } from "./accept_conf.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addAcceptConfVectors(set);
 * console.assert(set.vectors.every((v) => v.sender === "server"));
 * ```
 * @module
 */

import { toHex } from "../manifest.ts";
import { cat, isPrintable, latin1, printableName, u32le } from "./bytes.ts";
import type { Built } from "./built_message.ts";
import type { VectorSet } from "./vector_set.ts";

/**
 * Accept-conf: `23, major, minor, readTimeoutMs u32le, messageBufferSize u32le, subProtocol`.
 *
 * @example
 * ```ts
 * import { acceptConf } from "./accept_conf.ts";
 * console.assert(acceptConf(2, 0, 60000, 8192).bytes.length === 11);
 * ```
 */
export function acceptConf(
  major: number,
  minor: number,
  readTimeoutMs: number,
  messageBufferSize: number,
  subProtocol: Uint8Array = cat(),
): Built {
  return {
    bytes: cat(23, major, minor, u32le(readTimeoutMs), u32le(messageBufferSize), subProtocol),
    sender: "server",
    expect: {
      type: 23,
      kind: "accept-conf",
      major,
      minor,
      readTimeoutMs,
      messageBufferSize,
      ...(isPrintable(subProtocol) ? { subProtocol: latin1(subProtocol) } : {}),
      subProtocolHex: toHex(subProtocol),
    },
  };
}

/**
 * Adds every accept-conf vector to `set`.
 *
 * @example
 * ```ts
 * import { addAcceptConfVectors } from "./accept_conf.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addAcceptConfVectors(set);
 * console.assert(set.files.has("accept-conf/reference_default.bin"));
 * ```
 */
export function addAcceptConfVectors(set: VectorSet): void {
  set.valid(
    "accept-conf/reference_default",
    "the reference server's default: 2.0, 60000 ms, 8192 bytes, no sub-protocol",
    acceptConf(2, 0, 60000, 8192),
  );
  set.invalid("accept-conf/len1", "the type byte alone", "server", cat(23), "too-short");
  set.invalid(
    "accept-conf/len10",
    "10 bytes: buffer size cut short",
    "server",
    cat(23, 2, 0, u32le(60000), 0x00, 0x20, 0x00),
    "too-short",
  );
  set.valid("accept-conf/len11", "11 bytes, all zero fields", acceptConf(0, 0, 0, 0));
  set.valid(
    "accept-conf/len12",
    "12 bytes: 1-byte sub-protocol",
    acceptConf(2, 0, 60000, 8192, cat("x")),
  );
  set.valid(
    "accept-conf/subprotocol",
    "with sub-protocol chat.v1",
    acceptConf(2, 0, 60000, 8192, cat("chat.v1")),
  );
  set.valid(
    "accept-conf/subprotocol_long",
    "with a 300-byte sub-protocol: no length limit",
    acceptConf(2, 1, 30000, 65536, printableName(300)),
  );
  set.valid(
    "accept-conf/max_values",
    "read timeout and buffer size 2^32 - 1",
    acceptConf(2, 255, 0xffffffff, 0xffffffff),
  );
  set.valid("accept-conf/one_second", "1000 ms, 1 MiB buffer", acceptConf(2, 0, 1000, 1048576));
  set.valid(
    "accept-conf/major1",
    "major version 1: decodes (the client then refuses the version)",
    acceptConf(1, 0, 60000, 8192),
  );
  set.valid("accept-conf/major3_minor7", "version 3.7 decodes", acceptConf(3, 7, 60000, 8192));
  set.valid(
    "accept-conf/byte_order",
    "u32 fields are little-endian: 0x01020304 and 0xa0b0c0d0",
    acceptConf(2, 0, 0x01020304, 0xa0b0c0d0),
  );
}
