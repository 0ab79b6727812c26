/**
 * The demo scenario: a WebWire server (with a file session manager in a fresh temporary
 * directory) and a client in one process, going through requests in every encoding, errors,
 * signals both ways, a session that survives a dropped connection and a server restart,
 * cancellation, a timeout and a graceful shutdown. Every step checks its own result.
 *
 * @example
 * ```ts
 * import { runDemo } from "./run_demo.ts";
 * const lines: string[] = [];
 * const ok = await runDemo((line) => lines.push(line)); // about a second
 * console.assert(ok, lines.join("\n"));
 * console.assert(lines.includes("== Signals both ways"));
 * ```
 * @module
 */

import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CanceledError,
  Client,
  type DisconnectedError,
  InternalError,
  RequestError,
  ShutdownError,
  TimeoutError,
} from "../client.ts";
import { conformanceService } from "../conformance/service.ts";
import type { Connection } from "../server/connection.ts";
import type { IncomingRequest, IncomingSignal } from "../server/incoming.ts";
import type { Logger } from "../protocol/logger.ts";
import { FileSessionManager } from "../session/file_session_manager.ts";
import type { RunningServer } from "../adapters/deno.ts";
import { Server } from "../server/server.ts";
import type { ServerOptions } from "../server/options.ts";
import { clientWebSocketHere, serveHere } from "./serve_here.ts";
import { describe, runtimeName, short, show } from "./shown_values.ts";
import { Transcript } from "./transcript.ts";
import { nextEvent, outcome, sleep } from "./waiting.ts";

/** How long any single wait of the demo may take before it counts as a failure. */
const patience = 3000;

/** What the demo observes of the server, through its hooks. */
interface ServerProbe {
  /** The connection the server accepted last. */
  newestConnection: Connection | null;
  /** Called with the name of each request when its handler starts. */
  onHandlerStart: ((name: string) => void) | null;
  /** What the server logged. */
  readonly log: string[];
}

/** Everything the scenario's steps share. */
interface Stage {
  readonly t: Transcript;
  readonly client: Client;
  readonly probe: ServerProbe;
  /** The server; replaced when it restarts. */
  server: Server;
  /** Where it listens; replaced when it restarts. */
  running: RunningServer;
  /** Options for starting the server (again, on the same port). */
  readonly serverOptions: () => ServerOptions;
  readonly sessionDirectory: string;
}

/**
 * Runs the demo, writing the transcript line by line to `write`; resolves `true` when every
 * check passed.
 *
 * @example
 * ```ts
 * import { runDemo } from "./run_demo.ts";
 * let failed = 0;
 * const ok = await runDemo((line) => {
 *   if (line.startsWith("  FAIL ")) failed++;
 * });
 * console.assert(ok && failed === 0);
 * ```
 */
export async function runDemo(write: (line: string) => void): Promise<boolean> {
  const t = new Transcript(write);
  const sessionDirectory = await mkdtemp(join(tmpdir(), "webwire-demo-"));
  const service = conformanceService();
  const probe: ServerProbe = { newestConnection: null, onHandlerStart: null, log: [] };
  const serverOptions = (): ServerOptions => ({
    onRequest: (request: IncomingRequest) => {
      probe.onHandlerStart?.(request.name);
      return service.onRequest!(request);
    },
    onSignal: (signal: IncomingSignal) => {
      t.note(`server  <- signal "${signal.name}" ${show(signal.payload.text())}`);
      return service.onSignal!(signal);
    },
    onClientConnected: (connection: Connection) => probe.newestConnection = connection,
    // A new manager on every start: a restarted server finds sessions only on disk.
    sessionManager: new FileSessionManager({ directory: sessionDirectory }),
    logger: recordingLogger(probe.log),
  });
  write(`WebWire demo on ${runtimeName()}`);
  write(`session files in ${sessionDirectory}`);
  const server = new Server(serverOptions());
  const running = serveHere(server, 0);
  const client = new Client(running.url, {
    WebSocket: clientWebSocketHere(),
    requestTimeout: 2000,
    reconnect: { initialDelay: 20, maxDelay: 100 },
    // Failed reconnection attempts while the server restarts are expected; keep them quiet.
    logger: recordingLogger([]),
  });
  const stage: Stage = { t, client, probe, server, running, serverOptions, sessionDirectory };
  try {
    for (const step of steps) await step(stage);
  } catch (error) {
    t.check(false, "the demo ran to its end", `stopped by ${describe(error)}`);
  } finally {
    await client.close();
    await stage.running.close();
    await rm(sessionDirectory, { recursive: true, force: true });
  }
  t.section("Summary");
  if (t.ok) t.note(`all ${t.checks} checks passed`);
  else t.note(`${t.failures.length} of ${t.checks} checks failed: ${t.failures.join("; ")}`);
  return t.ok;
}

const steps: ((stage: Stage) => Promise<void>)[] = [
  connect,
  requestsInEachEncoding,
  errorReplies,
  signalsBothWays,
  sessionByLogin,
  forcedReconnect,
  serverRestart,
  cancellation,
  timeout,
  gracefulShutdown,
];

async function connect({ t, client, running }: Stage): Promise<void> {
  t.section("Connect");
  await client.connect();
  t.note(`client connected to ${running.url}`);
  t.check(client.status === "connected", "status is connected", client.status);
}

async function requestsInEachEncoding({ t, client }: Stage): Promise<void> {
  t.section("Request and reply in each encoding");
  const text = "héllo, wörld";
  const utf8 = await client.request("echo", text);
  t.note(`client  -> request "echo" utf8 ${show(text)}`);
  t.note(`client  <- reply ${utf8.encoding} ${show(utf8.text())}`);
  t.check(utf8.encoding === "utf8" && utf8.text() === text, "UTF-8 reply echoes the text");

  const wide = "こんにちは 🌍";
  const utf16 = await client.request("echo", wide, { encoding: "utf16" });
  t.note(`client  -> request "echo" utf16 ${show(wide)}`);
  t.note(`client  <- reply ${utf16.encoding} ${show(utf16.text())}`);
  t.check(utf16.encoding === "utf16" && utf16.text() === wide, "UTF-16 reply echoes the text");

  const bytes = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]);
  const binary = await client.request("echo", bytes);
  t.note(`client  -> request "echo" binary ${hex(bytes)}`);
  t.note(`client  <- reply ${binary.encoding} ${hex(binary.bytes)}`);
  t.check(
    binary.encoding === "binary" && hex(binary.bytes) === hex(bytes),
    "binary reply echoes the bytes",
  );
}

async function errorReplies({ t, client, probe }: Stage): Promise<void> {
  t.section("Error reply and internal error");
  const failed = await outcome(client.request("error"));
  const error = failed.error;
  t.note(`client  -> request "error"  <- ${describe(error)}`);
  t.check(
    error instanceof RequestError && error.code === "TEST_ERROR" &&
      error.message === "test error message",
    'RequestError with code "TEST_ERROR" and the handler\'s message',
  );

  const logged = probe.log.length;
  const crashed = await outcome(client.request("internal"));
  t.note(`client  -> request "internal"  <- ${describe(crashed.error)}`);
  t.check(crashed.error instanceof InternalError, "InternalError, without the server's details");
  const entry = probe.log.slice(logged).join(" | ");
  t.note(`server log: ${entry}`);
  t.check(/internal failure requested/.test(entry), "the details stayed in the server's log");
}

async function signalsBothWays({ t, client }: Stage): Promise<void> {
  t.section("Signals both ways");
  const fromServer = nextEvent(client, "signal", patience);
  await client.request("signal-me");
  t.note('client  -> request "signal-me" (the handler signals the client)');
  const signal = await fromServer;
  t.note(`client  <- signal "${signal.name}" ${show(signal.payload.text())}`);
  t.check(signal.name === "srvsig" && signal.payload.text() === "ping", "server signal arrived");

  const echoed = nextEvent(client, "signal", patience);
  t.note('client  -> signal "echo-signal" "marco"');
  client.signal("echo-signal", "marco");
  const back = await echoed;
  t.note(`client  <- signal "${back.name}" ${show(back.payload.text())}`);
  t.check(
    back.name === "echo-signal" && back.payload.text() === "marco",
    "the server received the client's signal and signalled back",
  );
}

async function sessionByLogin({ t, client, sessionDirectory }: Stage): Promise<void> {
  t.section("Session created by a login request");
  const before = await outcome(client.request("whoami"));
  t.note(`client  -> request "whoami"  <- ${describe(before.error)}`);
  t.check(before.error instanceof RequestError, "no session before the login");

  const created = nextEvent(client, "sessioncreated", patience);
  const reply = await client.request("login", "ada");
  const session = await created;
  t.note(`client  -> request "login" "ada"  <- reply ${show(reply.text())}`);
  t.note(
    `client  <- session created, key ${short(session.key)}, info ${JSON.stringify(session.info)}`,
  );
  t.check(client.session?.key === session.key, "the client holds the session");
  const files = await readdir(sessionDirectory);
  t.note(
    `session directory: ${
      files.map((name) => short(name.replace(/\.wwrsess$/, "")) + ".wwrsess").join(", ")
    }`,
  );
  t.check(files.includes(`${session.key}.wwrsess`), "the server stored it as <key>.wwrsess");
  await provesSession(t, client, session.key);
}

async function forcedReconnect(stage: Stage): Promise<void> {
  const { t, client } = stage;
  t.section("Forced reconnect: the server drops the connection");
  const key = client.session?.key ?? "";
  const dropped = nextEvent(client, "disconnected", patience);
  const back = nextEvent(client, "connected", patience);
  const connection = stage.probe.newestConnection;
  await connection?.close();
  t.note(`server drops the connection  -> client: ${closeDetail(await dropped)}`);
  await back;
  t.note("client reconnected by itself and restored its session");
  t.check(stage.probe.newestConnection !== connection, "a new connection was accepted");
  t.check(
    client.session?.key === key,
    `same session key ${short(key)}`,
    short(client.session?.key),
  );
  await provesSession(t, client, key);
}

async function serverRestart(stage: Stage): Promise<void> {
  const { t, client } = stage;
  t.section("Forced reconnect: the server restarts on the same port");
  const key = client.session?.key ?? "";
  const port = stage.running.port;
  const dropped = nextEvent(client, "disconnected", patience);
  await stage.running.close();
  t.note(`server stopped  -> client: ${closeDetail(await dropped)}`);
  const back = nextEvent(client, "connected", patience);
  stage.server = new Server(stage.serverOptions());
  stage.running = serveHere(stage.server, port);
  t.note(`server started again on port ${port} with a new session manager on the same directory`);
  await back;
  t.check(
    client.session?.key === key,
    `same session key ${short(key)}`,
    short(client.session?.key),
  );
  await provesSession(t, client, key);
}

async function cancellation({ t, client }: Stage): Promise<void> {
  t.section("Cancellation with an AbortSignal");
  const abort = new AbortController();
  const started = Date.now();
  const slow = outcome(client.request("sleep", "300", { signal: abort.signal }));
  await sleep(30);
  abort.abort();
  const { error } = await slow;
  const elapsed = Date.now() - started;
  t.note(`client  -> request "sleep" 300 ms, aborted after 30 ms  <- ${describe(error)}`);
  t.check(error instanceof CanceledError, "CanceledError");
  t.check(elapsed < 250, "rejected at once, without waiting for the reply", `${elapsed} ms`);
}

async function timeout({ t, client }: Stage): Promise<void> {
  t.section("Timeout");
  const { error } = await outcome(client.request("sleep", "300", { timeout: 50 }));
  t.note(`client  -> request "sleep" 300 ms with a 50 ms timeout  <- ${describe(error)}`);
  t.check(error instanceof TimeoutError && error.timeout === 50, "TimeoutError after 50 ms");
}

async function gracefulShutdown(stage: Stage): Promise<void> {
  const { t, client } = stage;
  t.section("Graceful shutdown with a request in flight");
  const handlerStarted = new Promise<void>((resolve) => {
    stage.probe.onHandlerStart = (name) => {
      if (name === "sleep") resolve();
    };
  });
  const inFlight = outcome(client.request("sleep", "200"));
  await handlerStarted;
  stage.probe.onHandlerStart = null;
  t.note('client  -> request "sleep" 200 ms; while its handler runs, the server shuts down');
  const dropped = nextEvent(client, "disconnected", patience);
  const shutdown = stage.running.close();
  const late = await outcome(client.request("echo", "too late"));
  t.note(`client  -> request "echo" after the shutdown began  <- ${describe(late.error)}`);
  t.check(late.error instanceof ShutdownError, "the new request gets the shutdown error");
  const first = await inFlight;
  t.note(`client  <- reply to the request in flight: ${show(first.value?.text())}`);
  t.check(first.value?.text() === "slept", "the request in flight still got its reply");
  await shutdown;
  t.note(`server stopped  -> client: ${closeDetail(await dropped)}`);
  t.check(stage.server.connectionCount === 0, "no connection left on the server");
}

async function provesSession(t: Transcript, client: Client, key: string): Promise<void> {
  const whoami = await client.request("whoami");
  const user = await client.request("user");
  t.note(
    `client  -> request "whoami"  <- ${short(whoami.text())}; "user"  <- ${show(user.text())}`,
  );
  t.check(
    whoami.text() === key && user.text() === "ada",
    "the server sees the session on this connection",
  );
}

function recordingLogger(lines: string[]): Logger {
  const record = (message: string, ...details: unknown[]): void => {
    lines.push([message, ...details.map(describe)].join(": "));
  };
  return { warn: record, error: record };
}

function closeDetail(error: DisconnectedError): string {
  const code = error.code === undefined ? "" : ` (close code ${error.code} ${show(error.reason)})`;
  return `${error.message}${code}`;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
}
