/**
 * Well-behaved clients beside the hostile ones of a fault benchmark: a neighbour that keeps
 * asking the conformance service's `echo` for random payloads, one request at a time, and
 * checks every reply byte by byte; and a probe, a fresh connection that must get its
 * accept-conf and one echo reply within a deadline (otherwise the server hangs).
 *
 * @module
 */

import { encodeRequest, requestIdFromNumber } from "../../protocol/mod.ts";
import { TcpClient } from "../../testing/tcp_client.ts";
import { maskedFrame, Opcode, type ServerFrame } from "../../testing/ws_frame.ts";
import type { SeededRandom } from "./seeded_random.ts";

/** What the neighbours saw, summed over them. */
export interface NeighbourStats {
  /** Requests answered correctly. */
  requests: number;
  /** Lost, late (past the deadline) or wrong replies, and connections the server ended. */
  errors: number;
  /** The first few errors, described. */
  readonly samples: string[];
  /** When they happened (wall clock, ms), in the order of `samples`. */
  readonly sampleTimes: number[];
}

/** A fresh {@link NeighbourStats}. */
export function neighbourStats(): NeighbourStats {
  return { requests: 0, errors: 0, samples: [], sampleTimes: [] };
}

function fail(stats: NeighbourStats, what: string): void {
  stats.errors++;
  if (stats.samples.length >= 10) return;
  stats.samples.push(what);
  stats.sampleTimes.push(performance.timeOrigin + performance.now());
}

/** Connects and reads the accept-conf; throws when either fails within `deadlineMs`. */
async function handshake(url: string, deadlineMs: number): Promise<TcpClient> {
  const client = await withDeadline(TcpClient.connect(url), deadlineMs, "upgrade");
  const first = await client.next(deadlineMs).catch((error) => {
    client.destroy();
    throw error;
  });
  if (first.opcode !== Opcode.Binary || first.payload[0] !== 23) {
    client.destroy();
    throw new Error(`expected accept-conf, got opcode ${first.opcode} type ${first.payload[0]}`);
  }
  return client;
}

/** Sends one echo request and checks its reply; returns a description of what was wrong. */
async function echo(
  client: TcpClient,
  id: number,
  payload: Uint8Array,
  deadlineMs: number,
): Promise<string | null> {
  const request = encodeRequest({ id: requestIdFromNumber(id), name: "echo", payload });
  client.write(maskedFrame(request));
  let reply: ServerFrame;
  try {
    reply = await client.next(deadlineMs);
  } catch (error) {
    return `request ${id}: ${(error as Error).message}`;
  }
  const bytes = reply.payload;
  if (reply.opcode !== Opcode.Binary) return `request ${id}: a frame of opcode ${reply.opcode}`;
  if (bytes[0] !== 191) return `request ${id}: a reply of type ${bytes[0]}`;
  for (let i = 1; i < 9; i++) {
    if (bytes[i] !== request[i]) return `request ${id}: the reply of another id`;
  }
  if (bytes.length !== 9 + payload.length) {
    return `request ${id}: ${bytes.length - 9} bytes back for ${payload.length}`;
  }
  for (let i = 0; i < payload.length; i++) {
    if (bytes[9 + i] !== payload[i]) return `request ${id}: payload byte ${i} differs`;
  }
  return null;
}

/**
 * Runs one neighbour until `running()` is false: echo requests with 0 to 512 random bytes, each
 * reply checked within `deadlineMs`. A lost connection counts as an error and is reopened.
 */
export async function runNeighbour(
  url: string,
  random: SeededRandom,
  stats: NeighbourStats,
  running: () => boolean,
  deadlineMs = 5000,
): Promise<void> {
  let id = 0;
  while (running()) {
    let client: TcpClient;
    try {
      client = await handshake(url, deadlineMs);
    } catch (error) {
      fail(stats, `connect: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    let ended = false;
    void client.ended.then(() => ended = true);
    while (running() && !ended) {
      const problem = await echo(client, ++id, random.bytes(random.below(513)), deadlineMs);
      if (problem === null) stats.requests++;
      else {
        fail(stats, problem);
        break;
      }
    }
    client.destroy();
  }
}

/**
 * A fresh connection's handshake and one echo round trip; resolves to the time it took in ms,
 * or to `null` when it did not complete within `deadlineMs` (a hang, or a server gone).
 */
export async function probe(url: string, deadlineMs: number): Promise<number | null> {
  const started = performance.now();
  let client: TcpClient | undefined;
  try {
    client = await handshake(url, deadlineMs);
    const left = Math.max(1, deadlineMs - (performance.now() - started));
    const problem = await echo(client, 1, new Uint8Array([1, 2, 3]), left);
    return problem === null ? performance.now() - started : null;
  } catch {
    return null;
  } finally {
    client?.destroy();
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
