/**
 * Topic names: what `connection.subscribe` and `server.publish` accept.
 *
 * @example
 * ```ts
 * import { checkTopicName } from "@webwire/webwire/server";
 * checkTopicName("room:lobby");
 * ```
 * @module
 */

/** The longest topic name, in UTF-16 code units. */
export const maxTopicNameLength = 256;

// C0 and C1 control characters, DEL, and unpaired surrogates (not valid text anywhere).
const unprintable =
  // deno-lint-ignore no-control-regex -- control characters are what it looks for
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Checks a topic name: 1 to {@link maxTopicNameLength} UTF-16 code units (its `length`) with no
 * control characters and no unpaired surrogates. Any other Unicode is taken as it is:
 * `"room:café"`.
 *
 * @throws {RangeError} saying what is wrong with the name.
 * @example
 * ```ts
 * import { checkTopicName } from "@webwire/webwire/server";
 * let refused = false;
 * try {
 *   checkTopicName("");
 * } catch (error) {
 *   refused = error instanceof RangeError;
 * }
 * console.assert(refused);
 * ```
 */
export function checkTopicName(topic: string): void {
  if (typeof topic !== "string" || topic.length === 0) {
    throw new RangeError("a topic name must be a non-empty string");
  }
  if (topic.length > maxTopicNameLength) {
    throw new RangeError(
      `a topic name has at most ${maxTopicNameLength} UTF-16 code units, got ${topic.length}`,
    );
  }
  if (unprintable.test(topic)) {
    throw new RangeError(
      `a topic name must be printable text, got ${shown(topic)}`,
    );
  }
}

/**
 * The name as a JSON string with DEL and the C1 controls escaped too (`JSON.stringify` escapes
 * the C0 controls and unpaired surrogates only): a message about them must show them.
 */
function shown(topic: string): string {
  return JSON.stringify(topic).replace(
    /[\u007f-\u009f]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
