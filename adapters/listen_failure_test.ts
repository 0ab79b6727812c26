// A port in use on the Deno adapters: Deno's own error, with the address in its message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Server } from "../server.ts";
import { serveDeno } from "./deno.ts";
import { serveDenoTcp } from "./deno_tcp.ts";

const onDeno = "Deno" in globalThis && !("Bun" in globalThis);

test(
  "a port in use names the address, on serveDeno and serveDenoTcp",
  { skip: !onDeno },
  async () => {
    const first = serveDeno(new Server({ sessionsEnabled: false }));
    try {
      const where = `127.0.0.1:${first.port}`;
      assert.throws(
        () => serveDeno(new Server({ sessionsEnabled: false }), { port: first.port }),
        (error) =>
          error instanceof Deno.errors.AddrInUse &&
          error.message.startsWith(`cannot listen on ${where}: `),
      );
      await assert.rejects(
        serveDenoTcp(new Server({ sessionsEnabled: false }), { port: first.port }),
        (error) =>
          error instanceof Deno.errors.AddrInUse &&
          error.message.startsWith(`cannot listen on ${where}: `),
      );
    } finally {
      await first.close();
    }
  },
);
