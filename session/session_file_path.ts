/**
 * Where a session's file is: `<directory>/<key>.wwrsess`, for keys that may become a file name.
 * Keys come from clients (restore requests) and are untrusted: this is the rule that keeps
 * every one of them inside the directory.
 *
 * @example
 * ```ts
 * import { sessionFilePath } from "./session_file_path.ts";
 * const any = () => true;
 * console.assert(sessionFilePath("/srv/sessions", "abc", any) === "/srv/sessions/abc.wwrsess");
 * console.assert(sessionFilePath("/srv/sessions", "../etc/passwd", any) === null);
 * ```
 * @module
 */

import { basename, dirname, join } from "node:path";

/**
 * How session file names end.
 *
 * @example
 * ```ts
 * import { sessionFileSuffix } from "./session_file_path.ts";
 * console.assert("abc.wwrsess".endsWith(sessionFileSuffix));
 * ```
 */
export const sessionFileSuffix = ".wwrsess";

/**
 * Whatever `isValidKey` says, a key becomes a file name only if it is 1 to 200 characters of
 * `A-Z a-z 0-9 _ - = .` not starting with a dot: no separators, no `..`, no NUL, no drive
 * letters, nothing a file system treats specially, and short enough for any name limit.
 */
const safeFileKey = /^[A-Za-z0-9_=-][A-Za-z0-9_=.-]{0,199}$/;

/**
 * The file of a key in `directory` (an absolute, resolved path), or `null` when the key must
 * not reach the file system: `isValidKey` refuses it, or it is not a safe file name.
 *
 * @example
 * ```ts
 * import { sessionFilePath } from "./session_file_path.ts";
 * const hex = (key: string) => /^[a-f0-9]+$/.test(key);
 * console.assert(sessionFilePath("/srv/sessions", "c0ffee", hex) === "/srv/sessions/c0ffee.wwrsess");
 * console.assert(sessionFilePath("/srv/sessions", "Ada", hex) === null);
 * ```
 */
export function sessionFilePath(
  directory: string,
  key: string,
  isValidKey: (key: string) => boolean,
): string | null {
  if (typeof key !== "string" || !safeFileKey.test(key) || !isValidKey(key)) return null;
  const path = join(directory, key + sessionFileSuffix);
  // Redundant with the pattern above; kept so that a future change to it cannot open a hole.
  if (dirname(path) !== directory || basename(path) !== key + sessionFileSuffix) return null;
  return path;
}

/**
 * The session keys among the names of a directory's entries, sorted.
 *
 * @example
 * ```ts
 * import { sessionKeysOf } from "./session_file_path.ts";
 * const keys = sessionKeysOf(["b.wwrsess", ".b.wwrsess.00ff.tmp", "a.wwrsess", "notes.txt"]);
 * console.assert(keys.join() === "a,b");
 * ```
 */
export function sessionKeysOf(names: readonly string[]): string[] {
  return names.filter((name) => name.endsWith(sessionFileSuffix))
    .map((name) => name.slice(0, -sessionFileSuffix.length))
    .sort();
}
