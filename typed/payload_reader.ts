/**
 * How a typed router turns the payload of a request or client signal into its handler's value:
 * decoded, refused where it does not fit the contract, validated by its payload schema. What
 * does not fit is a `RequestError` (the error reply, or what `onRejectedSignal` is given);
 * what the server's operator should know of is logged. Internal to the typed layer.
 *
 * @example
 * ```ts
 * import { Payload, RequestError } from "@webwire/webwire/protocol";
 * import { PayloadReader } from "./payload_reader.ts";
 * const reader = new PayloadReader(console);
 * const value = await reader.read(Payload.from('{"text":"hi"}'), undefined, "request", "say");
 * console.assert((value as { text: string }).text === "hi");
 * const refused = await reader.read(Payload.from("{"), undefined, "request", "say")
 *   .catch((error: RequestError) => error.code);
 * console.assert(refused === "BAD_PAYLOAD");
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import type { Payload } from "../protocol/payload.ts";
import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
import { RequestError } from "../protocol/request_error.ts";
import { BadPayloadError, TypedErrorCode } from "./errors.ts";
import { summarizeIssues } from "./issue_summary.ts";
import { decodeValue } from "./payload_codec.ts";
import { quotedName } from "./quoted_name.ts";
import type { StandardSchemaV1, StandardSchemaV1Issue } from "./standard_schema.ts";

/**
 * The check of a request that a schema-built contract gives no payload schema: it takes no
 * payload.
 *
 * @example
 * ```ts
 * import { Payload } from "@webwire/webwire/protocol";
 * import { noPayload, PayloadReader } from "./payload_reader.ts";
 * const none = await new PayloadReader(console).read(Payload.from(""), noPayload, "request", "n");
 * console.assert(none === undefined);
 * ```
 */
export const noPayload: unique symbol = Symbol("no payload");

/**
 * What checks a payload: its schema, {@link noPayload}, or `undefined` for a contract declared
 * as a type (JSON only, not checked further).
 *
 * @example
 * ```ts
 * import { noPayload, type PayloadCheck } from "./payload_reader.ts";
 * const checks: PayloadCheck[] = [undefined, noPayload];
 * console.assert(checks.length === 2);
 * ```
 */
export type PayloadCheck = StandardSchemaV1 | typeof noPayload | undefined;

/**
 * What a payload came with, for messages and log lines.
 *
 * @example
 * ```ts
 * import type { PayloadSource } from "./payload_reader.ts";
 * const source: PayloadSource = "signal";
 * console.assert(source === "signal");
 * ```
 */
export type PayloadSource = "request" | "signal";

const binaryHint = " (a binary payload is raw bytes: send JSON as UTF-8)";
/** The shortest issue summary (`summarizeIssues` keeps at least this much). */
const minIssueSummary = 20;

/**
 * Reads payloads for one router, and remembers what it logged: a binary payload to a contract
 * declared as a type is warned of once per name, a schema that throws at its 1st, 10th, 100th,
 * ... time per name (clients cause both at will).
 *
 * @example
 * ```ts
 * import { Payload, RequestError } from "@webwire/webwire/protocol";
 * import { PayloadReader } from "./payload_reader.ts";
 * const lines: string[] = [];
 * const reader = new PayloadReader({ warn: (m) => void lines.push(m), error: () => {} });
 * const bytes = Payload.from(new Uint8Array([1]));
 * for (let i = 0; i < 2; i++) {
 *   const code = await reader.read(bytes, undefined, "signal", "typing")
 *     .catch((error: RequestError) => error.code);
 *   console.assert(code === "BAD_PAYLOAD");
 * }
 * console.assert(lines.length === 1 && lines[0].startsWith('binary payload to signal "typing"'));
 * ```
 */
export class PayloadReader {
  readonly #logger: Logger;
  readonly #summaryLength: number;
  readonly #binaryWarned = new Set<string>();
  readonly #schemaFailures = new Map<string, PowersOfTenLog>();

  /**
   * Logs to `logger`; an `INVALID_PAYLOAD` summary has at most `maxIssueSummary` characters
   * (at least 20).
   *
   * @throws {RangeError} when `maxIssueSummary` is not a number.
   */
  constructor(logger: Logger, maxIssueSummary = 200) {
    if (typeof maxIssueSummary !== "number" || Number.isNaN(maxIssueSummary)) {
      throw new RangeError(`maxIssueSummary must be a number, got ${String(maxIssueSummary)}`);
    }
    this.#logger = logger;
    this.#summaryLength = Math.max(minIssueSummary, maxIssueSummary);
  }

  /**
   * The handler's value of `payload`, which came with the request or signal `name`.
   *
   * @throws {RequestError} `BAD_PAYLOAD` for what is not JSON where JSON is due (a binary
   * payload included, where `check` is `undefined`); `INVALID_PAYLOAD` for what the schema
   * refused or could not check (it threw), or a payload where {@link noPayload} takes none.
   */
  async read(
    payload: Payload,
    check: PayloadCheck,
    source: PayloadSource,
    name: string,
  ): Promise<unknown> {
    if (check === noPayload) {
      if (payload.bytes.length === 0) return undefined;
      throw new RequestError(
        TypedErrorCode.InvalidPayload,
        `the request takes no payload (${bytesText(payload.bytes.length)} sent)`,
      );
    }
    // A contract declared as a type cannot tell which payloads are bytes: bytes would reach
    // a handler typed for JSON. Empty is no payload here (an untyped client's default).
    if (check === undefined && payload.encoding === "binary") {
      if (payload.bytes.length === 0) return undefined;
      this.#binaryRefused(source, name);
      throw new RequestError(
        TypedErrorCode.BadPayload,
        "the payload is binary (raw bytes): send JSON as UTF-8",
      );
    }
    let value: unknown;
    try {
      value = decodeValue(payload);
    } catch (error) {
      if (error instanceof BadPayloadError) {
        throw new RequestError(TypedErrorCode.BadPayload, error.message);
      }
      throw error;
    }
    if (check === undefined) return value;
    let summary: string;
    try {
      let result = await check["~standard"].validate(value);
      // An empty binary payload is what untyped and Go clients send for none: bytes to a
      // schema that takes them (an empty upload), else no payload, as the typed client reads
      // an empty binary reply (an optional payload's schema refused an empty Uint8Array).
      if (
        result.issues !== undefined && payload.encoding === "binary" && payload.bytes.length === 0
      ) {
        result = await check["~standard"].validate(undefined);
      }
      if (result.issues === undefined) return result.value;
      summary = this.#summary(result.issues, payload);
    } catch (error) {
      // A Standard Schema returns issues, it does not throw: a bug on the server's side, in
      // the schema, not the handler's (so are issues that are not a list of issues). Its
      // message may quote the payload or the server's code: the client hears only that the
      // payload could not be checked.
      this.#schemaFailed(check, source, name, error);
      throw new RequestError(
        TypedErrorCode.InvalidPayload,
        "the payload could not be checked: its schema failed",
      );
    }
    throw new RequestError(TypedErrorCode.InvalidPayload, summary);
  }

  /** The issues' summary, with a hint where bytes came for JSON and it leaves room. */
  #summary(issues: ReadonlyArray<StandardSchemaV1Issue>, payload: Payload): string {
    // The hint only where it leaves room for a summary: the whole stays within the limit.
    const room = this.#summaryLength - binaryHint.length;
    // An empty payload is an untyped client's default, not bytes sent for JSON.
    const hinted = payload.encoding === "binary" && payload.bytes.length > 0 &&
      room >= minIssueSummary;
    return hinted
      ? summarizeIssues(issues, room) + binaryHint
      : summarizeIssues(issues, this.#summaryLength);
  }

  #binaryRefused(source: PayloadSource, name: string): void {
    const key = `${source} ${name}`;
    if (this.#binaryWarned.has(key)) return;
    this.#binaryWarned.add(key);
    try {
      this.#logger.warn(
        `binary payload to ${source} ${quotedName(name)} refused: a contract declared as a ` +
          "type takes JSON only (to take bytes, define it with a payload schema); logged once " +
          "per name",
      );
    } catch {
      // The answer is BAD_PAYLOAD whatever the logger does: a throwing one is not the handler's.
    }
  }

  #schemaFailed(
    check: StandardSchemaV1,
    source: PayloadSource,
    name: string,
    error: unknown,
  ): void {
    const key = `${source} ${name}`;
    let failures = this.#schemaFailures.get(key);
    if (failures === undefined) this.#schemaFailures.set(key, failures = new PowersOfTenLog());
    if (!failures.tally()) return;
    // The answer is INVALID_PAYLOAD whatever happens here: a schema's odd vendor or a logger
    // that throws must not turn it into a handler failure.
    try {
      const vendor = (check as { "~standard"?: { vendor?: unknown } })["~standard"]?.vendor;
      const named = typeof vendor === "string" ? vendor : typeof vendor;
      const outcome = source === "request" ? "answered" : "signal dropped as";
      this.#logger.error(
        `payload schema of ${source} ${quotedName(name)} (vendor ${quotedName(named)}) ` +
          `threw instead of returning issues; ${outcome} INVALID_PAYLOAD ` +
          `(${failures.count} so far)`,
        error,
      );
    } catch {
      // Nothing more to do: the log is the operator's, the answer the client's.
    }
  }
}

function bytesText(length: number): string {
  return length === 1 ? "1 byte" : `${length} bytes`;
}
