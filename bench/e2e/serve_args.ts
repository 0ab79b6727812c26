/**
 * What every benchmark server shares: it listens on an ephemeral port of 127.0.0.1, prints
 * `READY <url> <pid>` once it does (the runner reads the pid for `/proc/<pid>/stat`), and ends
 * itself after `--lifetime` seconds (default 900) so that no server outlives a broken run.
 *
 * @module
 */

import process from "node:process";

/** The loopback interface every benchmark server binds. */
export const hostname = "127.0.0.1";

/** The accept-conf of a default reference server: version 2.0, 60 s, 8192 bytes. */
export const acceptConf: Uint8Array = new Uint8Array([23, 2, 0, 0x60, 0xea, 0, 0, 0, 0x20, 0, 0]);

/**
 * Announces the server and arms its lifetime limit. `path` is where the WebSocket endpoint
 * is mounted (the load generator connects to the announced URL as is).
 */
export function announce(port: number, path = "/"): void {
  const index = process.argv.indexOf("--lifetime");
  const lifetime = index < 0 ? 900 : Number(process.argv[index + 1]);
  setTimeout(() => process.exit(3), lifetime * 1000);
  console.log(`READY ws://${hostname}:${port}${path} ${process.pid}`);
}
