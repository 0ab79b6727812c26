/**
 * The dropped offline signal that the `onOfflineSignalDropped` hook gets, read back from the
 * encoded signal the server kept.
 *
 * @example
 * ```ts
 * import { droppedSignal } from "./dropped_signal.ts";
 * import { encodeSignal } from "../protocol/mod.ts";
 * const signal = droppedSignal(encodeSignal({ name: "news", payload: "hello" }));
 * console.assert(signal.name === "news" && signal.payload.text() === "hello");
 * ```
 * @module
 */

import { decodeMessage } from "../protocol/decode.ts";
import { Payload } from "../protocol/payload.ts";
import type { DroppedSignal } from "./options.ts";

/**
 * The name and payload of `bytes`, a signal the server encoded (a bug if it is not one).
 *
 * @example
 * ```ts
 * import { droppedSignal } from "./dropped_signal.ts";
 * import { encodeSignal } from "../protocol/mod.ts";
 * const bytes = encodeSignal({ name: "", payload: new Uint8Array([1, 2]) });
 * console.assert(droppedSignal(bytes).payload.encoding === "binary");
 * ```
 */
export function droppedSignal(bytes: Uint8Array): DroppedSignal {
  const message = decodeMessage(bytes);
  if (message.kind !== "signal") throw new TypeError(`a kept signal is a ${message.kind}`);
  return { name: message.nameText, payload: new Payload(message.payload, message.encoding) };
}
