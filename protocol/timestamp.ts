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

/** The local time 0000-01-01T00:00:00 in seconds since the Unix epoch. */
const minLocalSeconds = -62_167_219_200;
/** The local time 9999-12-31T23:59:59 in seconds since the Unix epoch. */
const maxLocalSeconds = 253_402_300_799;
/** ±23:59, the widest offset RFC 3339 text can carry (and Go reads). */
const maxOffsetMinutes = 23 * 60 + 59;

/** The days of `month` (1 to 12) in `year` of the proleptic Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

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

  /**
   * Creates a timestamp; see {@link Timestamp.parse} and {@link Timestamp.now}.
   *
   * Only what RFC 3339 can write is taken, as Go refuses to marshal anything else: a local time
   * (the instant moved by the offset) in the years 0000 to 9999, and an offset of whole minutes
   * within ±23:59.
   *
   * @example
   * ```ts
   * import { Timestamp } from "./timestamp.ts";
   * console.assert(new Timestamp(0, 5, 90).toString() === "1970-01-01T01:30:00.000000005+01:30");
   * try {
   *   new Timestamp(253_402_300_800); // 10000-01-01T00:00:00Z
   * } catch (error) {
   *   console.assert(error instanceof RangeError);
   * }
   * ```
   *
   * @throws {RangeError} for epoch seconds that are not a safe integer, nanoseconds outside
   * 0 to 999 999 999, an offset that is not a whole number of minutes within ±1439, or a local
   * time before the year 0000 or after 9999.
   */
  constructor(epochSeconds: number, nanoseconds = 0, offsetMinutes = 0) {
    if (!Number.isSafeInteger(epochSeconds)) {
      throw new RangeError(`expected whole epoch seconds, got ${epochSeconds}`);
    }
    if (!Number.isInteger(nanoseconds) || nanoseconds < 0 || nanoseconds > 999_999_999) {
      throw new RangeError(`expected nanoseconds from 0 to 999999999, got ${nanoseconds}`);
    }
    if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > maxOffsetMinutes) {
      throw new RangeError(
        `expected an offset of whole minutes from -1439 to 1439, got ${offsetMinutes}`,
      );
    }
    const localSeconds = epochSeconds + offsetMinutes * 60;
    if (localSeconds < minLocalSeconds || localSeconds > maxLocalSeconds) {
      throw new RangeError(
        `expected a time in the years 0000 to 9999, got ${epochSeconds} epoch seconds ` +
          `at offset ${offsetMinutes} minutes`,
      );
    }
    this.epochSeconds = epochSeconds;
    this.nanoseconds = nanoseconds;
    this.offsetMinutes = offsetMinutes;
  }

  /** The current time in UTC, to the millisecond. */
  static now(): Timestamp {
    return Timestamp.fromDate(new Date());
  }

  /**
   * A UTC timestamp of a `Date`.
   *
   * @throws {RangeError} for an invalid `Date` or one outside the years 0000 to 9999.
   */
  static fromDate(date: Date): Timestamp {
    const ms = date.getTime();
    const seconds = Math.floor(ms / 1000);
    return new Timestamp(seconds, (ms - seconds * 1000) * 1_000_000, 0);
  }

  /**
   * Parses RFC 3339 text (`2006-01-02T15:04:05.999999999Z07:00`).
   *
   * @throws {SyntaxError} for anything else, also for fields out of range (February 30th,
   * hour 24, second 60, offset +24:00), which Go refuses too.
   */
  static parse(text: string): Timestamp {
    const m = rfc3339.exec(text);
    if (m === null) {
      throw new SyntaxError(`expected an RFC 3339 timestamp, got ${JSON.stringify(text)}`);
    }
    const [, y, mo, d, h, mi, s, fraction, zulu, sign, oh, om] = m;
    const year = Number(y), month = Number(mo), day = Number(d);
    const hour = Number(h), minute = Number(mi), second = Number(s);
    const offsetHours = zulu !== undefined ? 0 : Number(oh);
    const offsetMins = zulu !== undefined ? 0 : Number(om);
    // Go's time.Time UnmarshalJSON refuses these; Date.UTC would roll them over instead.
    const outOfRange = (field: string) =>
      new SyntaxError(`${field} out of range in ${JSON.stringify(text)}`);
    if (month < 1 || month > 12) throw outOfRange("month");
    if (day < 1 || day > daysInMonth(year, month)) throw outOfRange("day");
    if (hour > 23 || minute > 59 || second > 59) throw outOfRange("time of day");
    if (offsetHours > 23 || offsetMins > 59) throw outOfRange("UTC offset");
    const offsetMinutes = (sign === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins);
    // Not Date.UTC: it takes the years 0 to 99 for 1900 to 1999.
    const local = new Date(0);
    local.setUTCFullYear(year, month - 1, day);
    local.setUTCHours(hour, minute, second, 0);
    const nanoseconds = fraction === undefined ? 0 : Number(fraction.padEnd(9, "0"));
    return new Timestamp(local.getTime() / 1000 - offsetMinutes * 60, nanoseconds, offsetMinutes);
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

  /**
   * Whether `other` is the same instant, whatever offset either is written in.
   *
   * @example
   * ```ts
   * import { Timestamp } from "./timestamp.ts";
   * const utc = Timestamp.parse("2020-01-02T03:04:05.5Z");
   * console.assert(utc.isSameInstant(Timestamp.parse("2020-01-02T04:04:05.5+01:00")));
   * console.assert(!utc.isSameInstant(Timestamp.parse("2020-01-02T03:04:05.500000001Z")));
   * ```
   */
  isSameInstant(other: Timestamp): boolean {
    return this.epochSeconds === other.epochSeconds && this.nanoseconds === other.nanoseconds;
  }

  /** The JSON form is the RFC 3339 text. */
  toJSON(): string {
    return this.toString();
  }
}
