/**
 * The load of the graceful-shutdown benchmark (bench/reliability/shutdown_under_load.mjs), run
 * by Bun: N WebSocket connections, each keeping M `echo` requests in flight until the server
 * closes it. A connection stops sending once it gets a shutdown reply (as our client does: the
 * server said it is going away). Every request's send time is kept until its reply (a normal
 * reply or the shutdown reply) arrives; it is taken when `send()` returns.
 *
 * A send time is only as good as this process's next turn: the bytes of `send()` may leave at
 * the end of the event-loop turn, and a process that is not scheduled then (a shared machine)
 * sends them later. A timer ticking every 5 ms shows such stalls: an unanswered request whose
 * next tick came more than 25 ms after its send time is reported apart, as sent in a stall.
 *
 * Prints `LOADED` once every connection has had M replies, then, when every connection has
 * closed, `RESULT <json>`: per connection its close code, counts, and the send times (ms since
 * the epoch) of the requests that never got a reply; the runner compares those with the moment
 * the server began its shutdown.
 *
 * Usage: bun bench/reliability/shutdown_load_client.ts <url> [connections] [inflight]
 *
 * @module
 */

import process from "node:process";
import {
  decodeMessage,
  encodeRequest,
  requestIdFromNumber,
  requestIdKey,
} from "../../protocol/mod.ts";

interface ConnectionResult {
  code: number | null;
  sent: number;
  replies: number;
  shutdownReplies: number;
  /** Error replies: none expected. */
  otherReplies: number;
  unansweredSentAt: number[];
  /** Unanswered requests sent just before a stall of this process: their bytes left later. */
  unansweredInStallSentAt: number[];
  /** When the last reply arrived and when the socket closed (ms since the epoch). */
  lastReplyAt: number | null;
  closedAt: number | null;
}

const [url, connectionsArg = "16", inflightArg = "64"] = process.argv.slice(2);
const connections = Number(connectionsArg);
const inflight = Number(inflightArg);
const now = () => performance.timeOrigin + performance.now();
const payload = new Uint8Array(16).fill(120);
let loaded = 0;

/** The ticks of a 5 ms timer: a longer gap is a stall of this process. */
const ticks: number[] = [];
const ticker = setInterval(() => ticks.push(now()), 5);
const stallMs = 25;

/** The first tick after `at` (now, if none came yet: this code runs, so the loop does). */
function nextTick(at: number): number {
  let low = 0;
  let high = ticks.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (ticks[mid] <= at) low = mid + 1;
    else high = mid;
  }
  return low < ticks.length ? ticks[low] : now();
}

function loadConnection(): Promise<ConnectionResult> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.binaryType = "arraybuffer";
    const sentAt = new Map<number, number>();
    const result: ConnectionResult = {
      code: null,
      sent: 0,
      replies: 0,
      shutdownReplies: 0,
      otherReplies: 0,
      unansweredSentAt: [],
      unansweredInStallSentAt: [],
      lastReplyAt: null,
      closedAt: null,
    };
    let next = 1;
    let stopped = false;
    let counted = false;
    const send = () => {
      const id = next++;
      result.sent++;
      const request = encodeRequest({ id: requestIdFromNumber(id), name: "echo", payload });
      socket.send(request as Uint8Array<ArrayBuffer>);
      // After send(): a stall of this process between taking the time and handing the request
      // to the socket would date it before bytes that leave after.
      sentAt.set(id, now());
    };
    socket.onmessage = (event) => {
      const message = decodeMessage(new Uint8Array(event.data as ArrayBuffer));
      if (message.kind === "accept-conf") {
        for (let i = 0; i < inflight; i++) send();
        return;
      }
      if (message.kind !== "reply" && !message.kind.endsWith("-reply")) return;
      sentAt.delete(requestIdKey((message as { id: Uint8Array }).id));
      result.lastReplyAt = now();
      if (message.kind === "shutdown-reply") {
        result.shutdownReplies++;
        stopped = true;
      } else if (message.kind === "reply") result.replies++;
      else result.otherReplies++;
      if (!counted && result.replies >= inflight) {
        counted = true;
        if (++loaded === connections) console.log("LOADED");
      }
      if (!stopped && socket.readyState === WebSocket.OPEN) send();
    };
    socket.onerror = () => {};
    socket.onclose = (event) => {
      result.code = event.code;
      result.closedAt = now();
      for (const at of sentAt.values()) {
        if (nextTick(at) - at > stallMs) result.unansweredInStallSentAt.push(at);
        else result.unansweredSentAt.push(at);
      }
      resolve(result);
    };
  });
}

const results = await Promise.all(Array.from({ length: connections }, loadConnection));
clearInterval(ticker);
console.log(`RESULT ${JSON.stringify(results)}`);
process.exit(0);
