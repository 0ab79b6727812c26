/**
 * Reading and writing a `Deno.Conn` for `DenoWebSocket`: whole writes, and the head of the
 * server's answer to the upgrade request.
 *
 * @example
 * ```ts
 * import { writeAll } from "./deno_conn_io.ts";
 * console.assert(typeof writeAll === "function");
 * ```
 * @module
 */

/** The longest answer head to the upgrade request that is read. */
const maxAnswerHead = 16 * 1024;

/**
 * Writes all of `bytes` (one `write` may take only part of them).
 *
 * @example
 * ```ts
 * import { writeAll } from "./deno_conn_io.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * await writeAll(conn, new Uint8Array(100_000));
 * conn.close();
 * listener.close();
 * ```
 */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

/**
 * Reads the answer head up to its blank line (at most 16 KiB); `rest` is what came after it.
 *
 * @throws {Error} when the connection ends first, or the head is longer.
 * @example
 * ```ts
 * import { readHead } from "./deno_conn_io.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const server = await listener.accept();
 * const head = new TextEncoder().encode("HTTP/1.1 101 OK\r\nx: 1\r\n\r\n");
 * await server.write(new Uint8Array([...head, 0x82, 0x00])); // and a first frame
 * const { head: text, rest } = await readHead(conn);
 * console.assert(text === "HTTP/1.1 101 OK\r\nx: 1" && rest.join() === "130,0");
 * server.close();
 * conn.close();
 * listener.close();
 * ```
 */
export async function readHead(conn: Deno.Conn): Promise<{ head: string; rest: Uint8Array }> {
  const buffer = new Uint8Array(maxAnswerHead);
  let filled = 0;
  for (;;) {
    const count = await conn.read(buffer.subarray(filled));
    if (count === null) throw new Error("the server closed the connection during the handshake");
    const searchFrom = Math.max(0, filled - 3);
    filled += count;
    for (let i = searchFrom; i + 3 < filled; i++) {
      if (
        buffer[i] === 13 && buffer[i + 1] === 10 && buffer[i + 2] === 13 && buffer[i + 3] === 10
      ) {
        const head = new TextDecoder("latin1").decode(buffer.subarray(0, i));
        return { head, rest: buffer.slice(i + 4, filled) };
      }
    }
    if (filled === buffer.length) throw new Error("an answer head over 16 KiB");
  }
}
