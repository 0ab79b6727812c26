// A port in use (or an address not of this machine) on every adapter: the runtime's own error,
// with the address in its message. serveNode rejects, serveBun throws; nothing is left
// listening or half made: the same server is then served elsewhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { Server } from "../server.ts";
import { serveBun } from "./bun.ts";
import { serveDeno } from "./deno.ts";
import { serveDenoTcp } from "./deno_tcp.ts";
import type { RunningServer } from "./listening.ts";
import { serveNode } from "./node.ts";

const onDeno = "Deno" in globalThis && !("Bun" in globalThis);
const onBun = "Bun" in globalThis;

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

/** Fails as a refusal to listen on `where`, with the runtime's `code` when it has one. */
function refusal(where: string, code?: string) {
  return (error: unknown) =>
    error instanceof Error && error.message.startsWith(`cannot listen on ${where}: `) &&
    (code === undefined || (error as Error & { code?: string }).code === code);
}

/** The server takes a client's request, served on a port of its own after the failure. */
async function servesAfterwards(running: RunningServer): Promise<void> {
  const client = new Client(running.url);
  try {
    assert.equal((await client.request("echo", "hi")).text(), "hi");
  } finally {
    await client.close();
    await running.close();
  }
}

for (
  const [name, serve, skip] of [
    [
      "serveNode",
      (server: Server, port?: number, hostname?: string) => serveNode(server, { port, hostname }),
      false,
    ],
    [
      "serveBun",
      (server: Server, port?: number, hostname?: string) =>
        Promise.resolve().then(() => serveBun(server, { port, hostname })),
      !onBun,
    ],
  ] as const
) {
  test(`${name}: a port in use or an address not of this machine names it`, { skip }, async () => {
    const first = await serveNode(new Server({ sessionsEnabled: false }));
    const server = new Server({ sessionsEnabled: false, onRequest: ({ payload }) => payload });
    try {
      const where = `127.0.0.1:${first.port}`;
      await assert.rejects(serve(server, first.port), refusal(where, "EADDRINUSE"));
      // TEST-NET-3: never an address of this machine (EADDRNOTAVAIL; EINVAL on Deno's node:http).
      await assert.rejects(serve(server, 0, "203.0.113.7"), refusal("203.0.113.7:0"));
      await servesAfterwards(await serve(server));
    } finally {
      await first.close();
    }
  });
}
