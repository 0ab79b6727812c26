// A shutdown that begins after an upgrade was accepted (`beforeUpgrade` said yes, the adapter is
// upgrading) but before the socket opens: the late socket gets close 1001 at once, and like any
// socket the server closed it is dropped within `closeTimeout` when its client never answers,
// with `running.close()` resolving once it is gone, not before, nor much later.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serverShuttingDownAfterUpgrade } from "../testing/shutdown_race.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { tcpEnd, tcpStateSupported } from "../testing/tcp_state.ts";
import { LoopLateness } from "../conformance/loop_lateness.ts";

const closeTimeout = 500;
const isBun = "Bun" in globalThis;
const isDeno = "Deno" in globalThis && !isBun;
/** serveNode everywhere (on Node too: scripts/extra_suites.mjs), serveBun, serveDeno(Tcp). */
const adapters: ("runtime" | "node" | "deno-tcp")[] = [
  "node",
  ...(isBun || isDeno ? ["runtime" as const] : []),
  ...(isDeno ? ["deno-tcp" as const] : []),
];

interface Outcome {
  /** The upgrade's answer: 101, or the refusal's status line. */
  upgrade: string;
  /** The close frame's code when the socket was closed with no accept-conf before it. */
  lateClose?: number;
  /** Milliseconds from `running.close()` until it resolved (-1: not within the wait). */
  closeTook: number;
  /** Milliseconds from `running.close()` until the server's process let go of the socket. */
  heldFor: number;
  /** Whether the server still held the socket when `running.close()` resolved. */
  heldAtClose: boolean;
}

async function raceAt(adapter: (typeof adapters)[number], ticks: number): Promise<Outcome> {
  const race = await serverShuttingDownAfterUpgrade(adapter, ticks, closeTimeout);
  const closing = race.closing;
  let client: TcpClient;
  try {
    // Half open: it never answers the close frame, nor ends its side.
    client = await TcpClient.connect(race.running.url, { halfOpen: true });
  } catch (error) {
    await closing();
    return { upgrade: String(error), closeTook: 0, heldFor: 0, heldAtClose: false };
  }
  try {
    const closeFrame = await client.closeFrame(5000).catch(() => null);
    const late = closeFrame !== null && closeFrame.before.length === 0;
    const serverHeld = () => tcpEnd(client.remotePort, client.localPort)?.held === true;
    let closeTook = -1;
    let heldAtClose = false;
    let heldFor = -1;
    void closing().then(() => {
      closeTook = performance.now() - race.closeCalledAt;
      heldAtClose = serverHeld();
      if (!heldAtClose && heldFor === -1) heldFor = closeTook;
    });
    const limit = performance.now() + 8000;
    while ((heldFor === -1 || closeTook === -1) && performance.now() < limit) {
      if (heldFor === -1 && !serverHeld()) heldFor = performance.now() - race.closeCalledAt;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return {
      upgrade: "101",
      ...(late ? { lateClose: closeFrame.code } : {}),
      closeTook,
      heldFor,
      heldAtClose,
    };
  } finally {
    client.destroy();
    await closing();
  }
}

/** Generous: two shared cores, and other test files running in parallel. */
const margin = 1500;

for (const adapter of adapters) {
  test(`a socket upgraded as the shutdown begins is dropped within closeTimeout (${adapter})`, {
    skip: !tcpStateSupported() && "needs Linux's /proc/net/tcp",
    timeout: 60_000,
  }, async () => {
    const lateness = LoopLateness.start();
    const seen: string[] = [];
    try {
      // The shutdown begins 0, 1, 2, ... microtask turns after `beforeUpgrade` said yes: first
      // before the core looks again (503), then after it but before the socket opens, until the
      // socket opens first (accept-conf, then the shutdown's own close).
      for (let ticks = 0; ticks <= 20; ticks++) {
        const late = lateness.total;
        const outcome = await raceAt(adapter, ticks);
        const label = `${adapter}, shutdown ${ticks} turns after beforeUpgrade: ` +
          JSON.stringify(outcome);
        seen.push(label);
        if (outcome.upgrade !== "101") {
          // Refused as documented: 503, or on Bun (whose stop cuts what is unanswered) dropped.
          const bunCut = isBun && adapter === "runtime";
          assert.match(outcome.upgrade, bunCut ? /ended before/ : / 503 /, label);
          continue;
        }
        const limit = closeTimeout + margin + lateness.total - late;
        assert.notEqual(outcome.closeTook, -1, `${label}: running.close() never resolved`);
        assert.ok(outcome.closeTook <= limit, `${label}: running.close() took too long`);
        assert.ok(outcome.heldFor !== -1 && outcome.heldFor <= limit, `${label}: socket held`);
        assert.ok(!outcome.heldAtClose, `${label}: running.close() resolved with the socket held`);
        if (outcome.lateClose === undefined) break; // the socket opened before the shutdown
        assert.equal(outcome.lateClose, 1001, label);
      }
    } finally {
      lateness.stop();
    }
    assert.ok(seen.some((line) => line.includes('"lateClose"')), `never late:\n${seen.join("\n")}`);
  });
}
