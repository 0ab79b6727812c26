/**
 * RFC 3339 timestamps with nanosecond precision, as Go's `time.Time` writes them into session
 * JSON: a parsed timestamp formats back to the very same text.
 *
 * @example
 * ```ts
 * import { Timestamp } from "./timestamp.ts";
 * const t = Timestamp.parse("2018-05-13T17:34:02.123456789+02:00");
 * console.assert(t.toString() === "2018-05-13T17:34:02.123456789+02:00");
 * ```
 * @module
 */

const rfc3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * An instant with nanosecond precision and the UTC offset it was written with.
 *
 * @example
 * ```ts
 * import { Timestamp } from "./timestamp.ts";
 * const t = Timestamp.fromDate(new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 600)));
 * console.assert(t.toString() === "2020-01-02T03:04:05.6Z");
 * ```
 */
export class Timestamp {
  /** Whole seconds since the Unix epoch (UTC). */
  readonly epochSeconds: number;
  /** Nanoseconds within the second, 0 to 999 999 999. */
  readonly nanoseconds: number;
  /** The UTC offset the time is written in, in minutes (0 writes `Z`). */
  readonly offsetMinutes: number;

  /** Creates a timestamp; see {@link Timestamp.parse} and {@link Timestamp.now}. */
  constructor(epochSeconds: number, nanoseconds = 0, offsetMinutes = 0) {
    if (!Number.isSafeInteger(epochSeconds)) {
      throw new RangeError(`expected whole epoch seconds, got ${epochSeconds}`);
    }
    if (!Number.isInteger(nanoseconds) || nanoseconds < 0 || nanoseconds > 999_999_999) {
      throw new RangeError(`expected nanoseconds from 0 to 999999999, got ${nanoseconds}`);
    }
    this.epochSeconds = epochSeconds;
    this.nanoseconds = nanoseconds;
    this.offsetMinutes = offsetMinutes;
  }

  /** The current time in UTC, to the millisecond. */
  static now(): Timestamp {
    return Timestamp.fromDate(new Date());
  }

  /** A UTC timestamp of a `Date`. */
  static fromDate(date: Date): Timestamp {
    const ms = date.getTime();
    const seconds = Math.floor(ms / 1000);
    return new Timestamp(seconds, (ms - seconds * 1000) * 1_000_000, 0);
  }

  /**
   * Parses RFC 3339 text (`2006-01-02T15:04:05.999999999Z07:00`).
   *
   * @throws {SyntaxError} for anything else.
   */
  static parse(text: string): Timestamp {
    const m = rfc3339.exec(text);
    if (m === null) {
      throw new SyntaxError(`expected an RFC 3339 timestamp, got ${JSON.stringify(text)}`);
    }
    const [, y, mo, d, h, mi, s, fraction, zulu, sign, oh, om] = m;
    const offsetMinutes = zulu !== undefined
      ? 0
      : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
    const localMs = Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h),
      Number(mi),
      Number(s),
    );
    if (Number.isNaN(localMs)) throw new SyntaxError(`invalid date in ${JSON.stringify(text)}`);
    const nanoseconds = fraction === undefined ? 0 : Number(fraction.padEnd(9, "0"));
    return new Timestamp(localMs / 1000 - offsetMinutes * 60, nanoseconds, offsetMinutes);
  }

  /** The instant as a `Date` (milliseconds; finer digits are cut). */
  toDate(): Date {
    return new Date(this.epochSeconds * 1000 + Math.floor(this.nanoseconds / 1_000_000));
  }

  /** RFC 3339 with trailing fraction zeros removed, as Go's `time.RFC3339Nano`. */
  toString(): string {
    const local = new Date((this.epochSeconds + this.offsetMinutes * 60) * 1000);
    const pad = (n: number, width = 2) => String(n).padStart(width, "0");
    let text = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${
      pad(local.getUTCDate())
    }T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
    if (this.nanoseconds !== 0) {
      text += "." + String(this.nanoseconds).padStart(9, "0").replace(/0+$/, "");
    }
    if (this.offsetMinutes === 0) return text + "Z";
    const abs = Math.abs(this.offsetMinutes);
    return `${text}${this.offsetMinutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${
      pad(abs % 60)
    }`;
  }

  /** The JSON form is the RFC 3339 text. */
  toJSON(): string {
    return this.toString();
  }
}
