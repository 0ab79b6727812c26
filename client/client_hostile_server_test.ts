// A seeded fuzz test of the client against a hostile or broken server. testing/hostile_peer.ts
// sends a bad, missing or split accept-conf, then random and mutated frames in answer to every
// request, restore and close-session (replies of every type, unknown ids, duplicates, late
// replies, truncations, bad session JSON, huge info, text frames, garbage, bursts, closes);
// testing/hostile_ws_peer.ts breaks the WebSocket framing itself (fragments, huge length fields,
// reserved opcodes and bits, invalid UTF-8, bad close frames, TCP writes cut anywhere). For every
// case: nothing is thrown or left unhandled, every call settles within its timeout with a
// documented error, close() resolves, events, client.session and the session storage agree with
// docs/client.md, and the log stays short however much the server sends. Then: many bad replies
// leave no pending request and no heap behind. Deterministic inputs (a fixed seed), real sockets.
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { Client } from "./client.ts";
import {
  CanceledError,
  DialTimeoutError,
  DisconnectedError,
  IncompatibleProtocolVersionError,
  InternalError,
  MaxSessionConnectionsError,
  MessageTooLargeError,
  SessionActiveError,
  SessionNotFoundError,
  SessionsDisabledError,
  ShutdownError,
  SubProtocolMismatchError,
  TimeoutError,
} from "./errors.ts";
import type { ClientEventMap } from "./events.ts";
import { memorySessionStorage } from "./session_storage.ts";
import { Payload } from "../protocol/payload.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { RequestError } from "../protocol/request_error.ts";
import { silentLogger } from "../protocol/logger.ts";
import { heapAfterGc } from "../testing/heap_after_gc.ts";
import { hostileFrame, properReply, Rng } from "../testing/hostile_frames.ts";
import { type HostilePeer, startHostilePeer } from "../testing/hostile_peer.ts";
import { type HostileWsPeer, startHostileWsPeer } from "../testing/hostile_ws_peer.ts";
import { acceptConf, startScriptedPeer } from "../testing/scripted_peer.ts";
import { until } from "../testing/until.ts";

const seed = 0x5eed_2026;
const caseCount = 2000;
const parallel = 16;
const requestTimeout = 250;
/**
 * Long enough that a dial whose server does answer is not timed out on a loaded machine (200 ms
 * was, under a parallel test run), which would hide how a bad accept-conf fails.
 */
const dialTimeout = 1_000;
/** Timers run late on a busy shared machine: how much later than its timeout a call may end. */
const slack = 1_500;
/** Log lines one case may cause, however many frames its server sends. */
const maxLogLines = 12;

/** Everything a request may reject with when the server misbehaves (docs/client.md, Errors). */
const documented = [
  RequestError,
  InternalError,
  ShutdownError,
  SessionNotFoundError,
  MaxSessionConnectionsError,
  SessionsDisabledError,
  DisconnectedError,
  TimeoutError,
  CanceledError,
  ProtocolError,
  MessageTooLargeError,
  SessionActiveError,
  // A request waiting for a connection gets the error of the attempt that gave up.
  DialTimeoutError,
  IncompatibleProtocolVersionError,
  SubProtocolMismatchError,
];

const eventTypes: (keyof ClientEventMap)[] = [
  "connecting",
  "connectfailed",
  "connected",
  "disconnected",
  "signal",
  "sessioncreated",
  "sessionclosed",
];

interface Seen {
  type: keyof ClientEventMap;
  status: string;
  detail: unknown;
}

/** Runs one call and returns a problem, or `null` when it settled in time as documented. */
async function settles(
  what: string,
  call: () => Promise<unknown>,
  limit: number,
): Promise<string | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`${what} did not settle within ${limit} ms`), limit);
  });
  const outcome = call().then(
    (value) =>
      value === undefined || value instanceof Payload ? null : `${what} gave ${String(value)}`,
    (error: unknown) =>
      documented.some((type) => error instanceof type)
        ? null
        : `${what} rejected with an undocumented ${String(error)}`,
  );
  try {
    return await Promise.race([outcome, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** The problems with the order of `events` (docs/client.md, Event order). */
function eventProblems(events: readonly Seen[]): string[] {
  const problems: string[] = [];
  let up = false;
  for (const [i, { type, status, detail }] of events.entries()) {
    const at = `event ${i} (${type}, status ${status})`;
    if (type === "connected") {
      if (up) problems.push(`${at}: connected twice`);
      if (status !== "connected") problems.push(`${at}: status is not connected`);
      up = true;
    } else if (type === "disconnected") {
      if (!up) problems.push(`${at}: disconnected without connected`);
      if (!(detail instanceof DisconnectedError)) problems.push(`${at}: detail ${detail}`);
      up = false;
    } else if (type === "signal" && !up) {
      problems.push(`${at}: a signal outside a connection`);
    } else if ((type === "connecting" || type === "connectfailed") && up) {
      problems.push(`${at}: while connected`);
    }
  }
  return problems;
}

/** One fuzz case against case `index` of `peer`; returns its problems. */
async function runCase(peer: HostilePeer, index: number): Promise<string[]> {
  const rng = new Rng((seed * 31 + index) >>> 0);
  const problems: string[] = [];
  const lines: string[] = [];
  const logger = {
    warn: (message: string) => void lines.push(message),
    error: (message: string) => void lines.push(message),
  };
  const stored = rng.chance(0.3) ? rng.pick(["k".repeat(64), "stored"]) : null;
  const storage = stored === null ? undefined : memorySessionStorage(stored);
  const autoconnect = rng.chance(0.8);
  const client = new Client(peer.url(index), {
    logger,
    autoconnect,
    requestTimeout,
    dialTimeout,
    reconnect: { initialDelay: 5, maxDelay: 25 },
    sessionStorage: storage,
  });
  const events: Seen[] = [];
  for (const type of eventTypes) {
    client.addEventListener(type, (event) => {
      events.push({ type, status: client.status, detail: (event as CustomEvent).detail });
    });
  }
  const calls: Promise<string | null>[] = [];
  if (rng.chance(0.6)) {
    calls.push(
      settles("connect()", () => client.connect().catch(() => {}), 2 * dialTimeout + slack),
    );
  }
  const count = rng.int(6);
  for (let i = 0; i < count; i++) {
    const kind = rng.int(10);
    if (kind < 5) {
      const encoding = rng.pick(["utf8", "utf16", undefined] as const);
      const timeout = rng.pick([undefined, 100, 300]);
      const abort = rng.chance(0.15) ? AbortSignal.timeout(rng.int(50) + 1) : undefined;
      const limit = (timeout ?? requestTimeout) + slack;
      const payload = rng.chance(0.1) ? "x".repeat(100) : "hi";
      const options = { encoding, timeout, signal: abort };
      calls.push(settles(`request ${i}`, () => client.request("q", payload, options), limit));
    } else if (kind < 7) {
      const key = "r".repeat(64);
      calls.push(
        settles("restoreSession", () => client.restoreSession(key), requestTimeout + slack),
      );
    } else if (kind < 9) {
      calls.push(settles("closeSession", () => client.closeSession(), requestTimeout + slack));
    } else {
      try {
        client.signal("s", "x");
      } catch (error) {
        if (!(error instanceof DisconnectedError || error instanceof MessageTooLargeError)) {
          problems.push(`signal threw an undocumented ${String(error)}`);
        }
      }
    }
    if (rng.chance(0.3)) await new Promise((resolve) => setTimeout(resolve, rng.int(20)));
  }
  for (const problem of await Promise.all(calls)) if (problem !== null) problems.push(problem);
  const record = peer.record(index);
  if (record.fatalSent) {
    // A protocol violation after the handshake: the client drops that connection and, under
    // autoconnect, dials again.
    await until(() => record.closed[0], "the client closed the violating connection", 3_000)
      .catch(() => problems.push("the connection with a malformed frame stayed open"));
    if (autoconnect) {
      await until(() => record.connections >= 2, "a reconnect", 3_000)
        .catch(() => problems.push("no reconnect after a protocol violation"));
    }
  }
  if (record.greeting === "fatal") {
    const failed = events.find((seen) => seen.type === "connectfailed");
    if (failed !== undefined) {
      const { error, retryDelay } = failed.detail as ClientEventMap["connectfailed"]["detail"];
      const handshake = error instanceof ProtocolError ||
        error instanceof IncompatibleProtocolVersionError ||
        error instanceof SubProtocolMismatchError;
      if (!handshake || retryDelay !== null) {
        problems.push(`a bad accept-conf failed with ${error} and retry ${retryDelay}`);
      }
    }
  }
  const closing = settles("close()", () => client.close(), 2_000 + slack);
  const afterClose = events.length;
  const closeProblem = await closing;
  if (closeProblem !== null) problems.push(closeProblem);
  await new Promise((resolve) => setTimeout(resolve, 30));
  if (client.status !== "closed") problems.push(`status ${client.status} after close()`);
  if (client.pendingRequests !== 0) problems.push(`${client.pendingRequests} pending after close`);
  // The session events, client.session and the storage agree.
  let told: string | null = null;
  for (const { type, detail } of events) {
    if (type === "sessioncreated") told = (detail as { key: string }).key;
    if (type === "sessionclosed") told = null;
  }
  const key = client.session?.key ?? null;
  if (told !== key) problems.push(`session ${key} but the events say ${told}`);
  if (
    storage !== undefined && storage.get() !== key && !(key === null && storage.get() === stored)
  ) {
    problems.push(`session ${key} but the storage holds ${storage.get()}`);
  }
  const connected = events.filter((seen) => seen.type === "connected").length;
  if (connected > record.connections) problems.push(`${connected} connected events`);
  // A session change of an attempt that close() ended may still fire (docs: "A session change it
  // brought still fires"), nothing else.
  const late = events.slice(afterClose).filter((seen) => !seen.type.startsWith("session"));
  if (late.length > 0) problems.push(`events after close(): ${late.map((s) => s.type)}`);
  problems.push(...eventProblems(events));
  if (lines.length > maxLogLines) {
    problems.push(`${lines.length} log lines, first: ${lines.slice(0, 3).join(" | ")}`);
  }
  return problems;
}

/**
 * Runs `run(first)` to `run(first + count - 1)`, `parallel` at a time, and fails with the first
 * problems they report, or any exception or rejection the process saw unhandled meanwhile.
 */
async function fuzz(
  first: number,
  count: number,
  run: (index: number) => Promise<string[]>,
): Promise<void> {
  const problems: string[] = [];
  const onUnhandled = (reason: unknown) => void problems.push(`unhandled rejection: ${reason}`);
  const onUncaught = (error: unknown) => void problems.push(`uncaught exception: ${error}`);
  process.on("unhandledRejection", onUnhandled);
  process.on("uncaughtException", onUncaught);
  try {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const index = first + next++;
        for (const problem of await run(index)) problems.push(`case ${index}: ${problem}`);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  } finally {
    process.off("unhandledRejection", onUnhandled);
    process.off("uncaughtException", onUncaught);
  }
  assert.deepEqual(problems.slice(0, 30), [], `${problems.length} problems`);
}

// In parts, so that each test stays well within a runner's per-test timeout.
const part = 500;
for (let from = 0; from < caseCount; from += part) {
  test(`seeded hostile-server cases ${from} to ${from + part - 1} keep the promises`, async () => {
    const peer = startHostilePeer(seed);
    try {
      await fuzz(from, part, (index) => runCase(peer, index));
    } finally {
      await peer.close();
    }
  });
}

/** One case against a peer that breaks the WebSocket framing itself. */
async function runWsCase(peer: HostileWsPeer, index: number): Promise<string[]> {
  const rng = new Rng((seed * 17 + index) >>> 0);
  const lines: string[] = [];
  const log = (message: string) => void lines.push(message);
  const client = new Client(peer.url(index), {
    logger: { warn: log, error: log },
    autoconnect: rng.chance(0.7),
    requestTimeout,
    dialTimeout: 300,
    reconnect: { initialDelay: 5, maxDelay: 25 },
  });
  const events: Seen[] = [];
  for (const type of eventTypes) {
    client.addEventListener(type, (event) => {
      events.push({ type, status: client.status, detail: (event as CustomEvent).detail });
    });
  }
  // Without autoconnect a request waits only for a connect() under way.
  const calls = [settles("connect()", () => client.connect().catch(() => {}), 300 + slack)];
  for (let i = rng.int(4); i >= 0; i--) {
    calls.push(settles(`request ${i}`, () => client.request("q", "hi"), requestTimeout + slack));
  }
  const problems = (await Promise.all(calls)).filter((problem) => problem !== null);
  const closeProblem = await settles("close()", () => client.close(), 2_000 + slack);
  if (closeProblem !== null) problems.push(closeProblem);
  if (client.status !== "closed") problems.push(`status ${client.status} after close()`);
  if (client.pendingRequests !== 0) problems.push(`${client.pendingRequests} still pending`);
  problems.push(...eventProblems(events));
  if (lines.length > maxLogLines) problems.push(`${lines.length} log lines: ${lines[0]}`);
  return problems;
}

test("200 seeded cases of broken WebSocket framing settle every call and close", async () => {
  const peer = await startHostileWsPeer(seed);
  try {
    await fuzz(0, 200, (index) => runWsCase(peer, index));
  } finally {
    await peer.close();
  }
});

test("6 000 requests answered with bad replies leave nothing behind", async () => {
  const rng = new Rng(seed);
  const peer = await startScriptedPeer({
    onOpen: (socket) => socket.send(acceptConf({ messageBufferSize: 0 })),
    onMessage: (socket, data) => {
      if (typeof data === "string") return;
      // Unknown ids, duplicates, wrong types, replies to other requests; a third never answered.
      for (let i = 0; i < 3; i++) {
        const frame = hostileFrame(rng, [data.slice(1, 9)]);
        if (!frame.fatal) socket.send(frame.data);
      }
      const proper = properReply(data);
      if (proper === null || !rng.chance(0.6)) return;
      socket.send(proper);
      socket.send(proper); // a duplicate
    },
  });
  const client = new Client(peer.url, { logger: silentLogger, requestTimeout: 100 });
  const round = () =>
    Promise.all(Array.from({ length: 1_500 }, () => client.request("q", "x").catch(() => {})));
  try {
    await client.connect();
    await round();
    const before = heapAfterGc();
    for (let i = 0; i < 3; i++) await round();
    const grown = heapAfterGc() - before;
    assert.equal(client.pendingRequests, 0);
    assert.equal(client.status, "connected");
    assert.ok(grown < 4_000_000, `the heap grew by ${grown} bytes`);
  } finally {
    await client.close();
    await peer.close();
  }
});
