/**
 * Ports for tests that close a listener and need its port again (a server restarted on the
 * same port, a Redis paused and started) or need one nothing listens on. A port the kernel
 * picked (`listen(0)`) comes back to its pool of ephemeral ports once closed, where parallel
 * tests' listeners and outgoing connections take it; these come from below that pool.
 *
 * @example
 * ```ts
 * import { createServer } from "node:net";
 * import { stablePort } from "./stable_port.ts";
 * const port = await stablePort();
 * const server = createServer().listen(port, "127.0.0.1");
 * await new Promise((resolve) => server.once("listening", resolve));
 * server.close();
 * ```
 * @module
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** How far below the ephemeral ports the picks go. */
const spread = 12_000;
/** The lowest port handed out: above the well-known and most registered services' ports. */
const lowest = 10_000;

/**
 * A port of 127.0.0.1 that was free a moment ago and that the kernel hands out to nobody on
 * its own (Linux: below `ip_local_port_range`); elsewhere, one the kernel picked.
 *
 * @example
 * ```ts
 * import { stablePort } from "./stable_port.ts";
 * const port = await stablePort();
 * console.assert(port > 0 && port < 65_536);
 * ```
 */
export async function stablePort(): Promise<number> {
  const firstEphemeral = ephemeralPortsFrom();
  if (firstEphemeral !== undefined && firstEphemeral - lowest > 1_000) {
    const from = Math.max(lowest, firstEphemeral - spread);
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = from + Math.floor(Math.random() * (firstEphemeral - from));
      if (await listens(port)) return port;
    }
  }
  return kernelPort();
}

/** The first ephemeral port (Linux), or `undefined` where it cannot be read. */
function ephemeralPortsFrom(): number | undefined {
  try {
    const first = Number(
      readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim()
        .split(/\s+/)[0],
    );
    return Number.isInteger(first) ? first : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a listener could take `port` just now (it is closed again). */
function listens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port the kernel picked for a listener that is closed again. */
function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}
