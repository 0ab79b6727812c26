/**
 * The measurement of the client benchmark, the same in every runtime: one `Client` and one
 * {@link RawClient} connected to the same reply server, measured in alternating windows (raw
 * first in odd rounds, the client first in even ones) so that both see the same machine load.
 * Each window keeps `inflight` requests outstanding (1: one after another; more: pipelined) and
 * counts the replies resolved. Used by `load_client.ts` (Deno, Bun, Node) and the page that
 * `measure.mjs` opens in Chromium.
 *
 * @module
 */

import { Client } from "../../client/client.ts";
import type { WebSocketConstructor } from "../../client/websocket_like.ts";
import { RawClient } from "./raw_client.ts";

/** What to measure. */
export interface RoundTripOptions {
  /** The WebSocket implementation (the global one, or `ws` on Node). */
  WebSocket: WebSocketConstructor;
  /** The reply server. */
  url: string;
  /** Requests outstanding at once, one point each (1 = sequential). */
  inflights: number[];
  /** Payload bytes of each request (echoed back in the reply). */
  payload: number;
  /** Seconds of window pairs measured per point. */
  seconds: number;
  /** Seconds of unmeasured window pairs before them. */
  warmup: number;
}

/** One point: `inflight`, and per window pair the time of each client, in milliseconds. */
export interface RoundTripPoint {
  inflight: number;
  /** Requests in one window. */
  requests: number;
  raw: number[];
  client: number[];
}

/** The request name both clients send. */
const requestName = "users.get";

type Request = () => Promise<number>;

/**
 * Makes `count` requests with `inflight` of them outstanding at any time and returns the
 * milliseconds until the last reply was resolved.
 */
async function window(request: Request, inflight: number, count: number): Promise<number> {
  const started = performance.now();
  const worker = async () => {
    for (let i = 0; i < count / inflight; i++) await request();
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  return performance.now() - started;
}

/**
 * Measures every point and closes both clients. A window is short (about 64 sequential round
 * trips, or 32 rounds of a pipeline): on a shared machine the load changes within a second,
 * and short alternating windows see the same load far more often than long ones.
 */
export async function measureRoundTrips(options: RoundTripOptions): Promise<RoundTripPoint[]> {
  const payload = new Uint8Array(options.payload).fill(7);
  const name = new TextEncoder().encode(requestName);
  const raw = await RawClient.open(options.WebSocket, options.url);
  const client = new Client(options.url, { WebSocket: options.WebSocket, autoconnect: false });
  await client.connect();
  const expected = options.payload;
  const check = (length: number): number => {
    if (length !== expected) throw new Error(`expected ${expected} payload bytes, got ${length}`);
    return length;
  };
  const rawRequest = () => raw.request(name, payload).then((reply) => check(reply.length));
  const clientRequest = () =>
    client.request(requestName, payload).then((reply) => check(reply.bytes.length));
  const points: RoundTripPoint[] = [];
  try {
    for (const inflight of options.inflights) {
      const requests = inflight * (inflight === 1 ? 64 : 32);
      const point: RoundTripPoint = { inflight, requests, raw: [], client: [] };
      for (const [seconds, measured] of [[options.warmup, false], [options.seconds, true]]) {
        const until = performance.now() + (seconds as number) * 1000;
        for (let pair = 0; performance.now() < until; pair++) {
          // Alternate which goes first, so that neither always follows the other.
          const rawFirst = pair % 2 === 0;
          const first = await window(rawFirst ? rawRequest : clientRequest, inflight, requests);
          const second = await window(rawFirst ? clientRequest : rawRequest, inflight, requests);
          if (!measured) continue;
          point.raw.push(rawFirst ? first : second);
          point.client.push(rawFirst ? second : first);
        }
      }
      points.push(point);
    }
  } finally {
    raw.close();
    await client.close();
  }
  return points;
}
