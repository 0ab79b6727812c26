/**
 * What the client suite's checks are written with: the check context (a fresh scripted server
 * and the client under test), the failure type, and frame-level steps that send a message or
 * wait for one and fail the check with a one-line reason when the client does something else.
 * The steps that drive the client program (commands, its lines, sessions) are in
 * `client_suite_commands.ts`.
 *
 * @example
 * ```ts
 * import { ClientCheckFailure } from "./client_suite_support.ts";
 * console.assert(new ClientCheckFailure("no reply").message === "no reply");
 * ```
 * @module
 */

import { encodeAcceptConf, encodeErrorReply } from "../protocol/encode_control_message.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import type { PayloadEncoding } from "../protocol/message_type.ts";
import type { Message, RequestMessage } from "../protocol/message.ts";
import { WebwireError } from "../protocol/webwire_error.ts";
import type { ClientProcess } from "./client_suite_process.ts";
import type { ClientFrame, ScriptConnection, ScriptServer } from "./client_suite_server.ts";

/**
 * A check found the client misbehaving; `message` is the reason shown in the report.
 *
 * @example
 * ```ts
 * import { ClientCheckFailure } from "./client_suite_support.ts";
 * console.assert(new ClientCheckFailure("x").name === "ClientCheckFailure");
 * ```
 */
export class ClientCheckFailure extends WebwireError {
  /** Creates the failure with its reason. */
  constructor(reason: string) {
    super(reason);
    this.name = "ClientCheckFailure";
  }
}

/**
 * What a check gets: the scripted server of this check, and a way to start the client under
 * test on one of its scenario URLs (stopped by the suite after the check).
 *
 * @example
 * ```ts
 * import type { ClientCheckContext } from "./client_suite_support.ts";
 * import { openSession } from "./client_suite_commands.ts";
 * import { ClientProcess } from "./client_suite_process.ts";
 * import { startScriptServer } from "./client_suite_server.ts";
 * import process from "node:process";
 * import { fileURLToPath } from "node:url";
 * const program = fileURLToPath(new URL("./client_program.ts", import.meta.url));
 * const command = [process.execPath, "run", "-A", program];
 * const server = await startScriptServer();
 * const started: ClientProcess[] = [];
 * const ctx: ClientCheckContext = {
 *   server,
 *   startClient(scenario) {
 *     const client = ClientProcess.start(command, server.url(scenario));
 *     started.push(client);
 *     return client;
 *   },
 * };
 * const { client } = await openSession(ctx, "my-check");
 * console.assert(client.lines.includes("reply start ok"));
 * await Promise.all(started.map((c) => c.stop()));
 * await server.close();
 * ```
 */
export interface ClientCheckContext {
  /** The scripted server, fresh for each check. */
  readonly server: ScriptServer;
  /** Starts the client under test with `server.url(scenario)` as its last argument. */
  startClient(scenario: string): ClientProcess;
}

/**
 * One check of the client suite.
 *
 * @example
 * ```ts
 * import type { ClientCheck } from "./client_suite_support.ts";
 * const check: ClientCheck = { name: "noop", description: "does nothing", run: async () => {} };
 * console.assert(check.name === "noop");
 * ```
 */
export interface ClientCheck {
  /** Short kebab-case name, also the scenario path. */
  name: string;
  /** What it checks, one sentence. */
  description: string;
  /** Runs the check; throws a {@link ClientCheckFailure} when the client misbehaves. */
  run(ctx: ClientCheckContext): Promise<void>;
}

/**
 * Fails the check with `reason` unless `condition` holds.
 *
 * @example
 * ```ts
 * import { expect } from "./client_suite_support.ts";
 * expect(1 + 1 === 2, "arithmetic is broken");
 * ```
 */
export function expect(condition: boolean, reason: string): asserts condition {
  if (!condition) throw new ClientCheckFailure(reason);
}

/**
 * A message for reports: its kind, and the name of a request or signal.
 *
 * @example
 * ```ts
 * import { describeFrame } from "./client_suite_support.ts";
 * console.assert(describeFrame({ at: 0, invalid: "a text frame" }) === "a text frame");
 * ```
 */
export function describeFrame(frame: ClientFrame): string {
  const message = frame.message;
  if (message === undefined) return frame.invalid ?? "nothing";
  if (message.kind === "request" || message.kind === "signal") {
    return `${message.kind} "${message.nameText}"`;
  }
  return message.kind;
}

/**
 * The accept-conf the suite sends: version 2.0, no sub-protocol, buffer 8192, and the given
 * read timeout (default 60 s, so that no heartbeat disturbs the checks that are not about it);
 * `major` and `subProtocol` override the version and the sub-protocol.
 *
 * @example
 * ```ts
 * import { acceptConf } from "./client_suite_support.ts";
 * console.assert(acceptConf({ major: 3 })[1] === 3);
 * ```
 */
export function acceptConf(
  fields: { major?: number; readTimeoutMs?: number; subProtocol?: string } = {},
): Uint8Array {
  return encodeAcceptConf({
    major: fields.major ?? 2,
    minor: 0,
    readTimeoutMs: fields.readTimeoutMs ?? 60_000,
    messageBufferSize: 8192,
    subProtocol: fields.subProtocol,
  });
}

/**
 * The connection the client under test opens; fails the check if none comes.
 *
 * @example
 * ```ts
 * import { acceptConnection } from "./client_suite_support.ts";
 * import { ClientProcess } from "./client_suite_process.ts";
 * import { startScriptServer } from "./client_suite_server.ts";
 * import process from "node:process";
 * import { fileURLToPath } from "node:url";
 * const program = fileURLToPath(new URL("./client_program.ts", import.meta.url));
 * const server = await startScriptServer();
 * const client = ClientProcess.start([process.execPath, "run", "-A", program], server.url("hi"));
 * const connection = await acceptConnection(server, client, 10_000);
 * console.assert(connection.path === "/hi");
 * await client.stop();
 * await server.close();
 * ```
 */
export async function acceptConnection(
  server: ScriptServer,
  client: ClientProcess,
  timeoutMs: number,
  what = "the client did not connect",
): Promise<ScriptConnection> {
  const deadline = performance.now() + timeoutMs;
  // Polls so that a client that exits at once fails the check at once, not after the timeout.
  while (performance.now() < deadline) {
    const connection = await server.nextConnection(Math.min(100, deadline - performance.now()));
    if (connection !== undefined) return connection;
    if (client.exit !== undefined) {
      throw new ClientCheckFailure(`${what}: it exited (${exitText(client)})`);
    }
  }
  throw new ClientCheckFailure(`${what} within ${timeoutMs} ms`);
}

/**
 * The next message other than a heartbeat; fails the check on silence, a closed connection or
 * a malformed frame.
 *
 * @example
 * ```ts
 * import { acceptConf, nextMessage } from "./client_suite_support.ts";
 * import { startScriptServer } from "./client_suite_server.ts";
 * import { Client } from "../client.ts";
 * const server = await startScriptServer();
 * const client = new Client(server.url("demo"));
 * const connected = client.connect();
 * const connection = (await server.nextConnection(1000))!;
 * connection.send(acceptConf());
 * await connected;
 * client.signal("hello", "world");
 * const message = await nextMessage(connection, 1000, "a signal");
 * console.assert(message.kind === "signal" && message.nameText === "hello");
 * await client.close();
 * await server.close();
 * ```
 */
export async function nextMessage(
  connection: ScriptConnection,
  timeoutMs: number,
  waitingFor: string,
): Promise<Message> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const frame = await connection.next(Math.max(0, deadline - performance.now()));
    if (frame === undefined) {
      const state = connection.isClosed
        ? "the connection closed"
        : `nothing within ${timeoutMs} ms`;
      throw new ClientCheckFailure(`expected ${waitingFor}, ${state}`);
    }
    expect(frame.message !== undefined, `expected ${waitingFor}, got ${frame.invalid}`);
    if (frame.message.kind !== "heartbeat") return frame.message;
  }
}

/**
 * Waits for the request `name` (heartbeats are skipped); fails on anything else.
 *
 * @example
 * ```ts
 * import { acceptConf, expectRequest, reply } from "./client_suite_support.ts";
 * import { startScriptServer } from "./client_suite_server.ts";
 * import { Client } from "../client.ts";
 * const server = await startScriptServer();
 * const client = new Client(server.url("demo"));
 * const connected = client.connect();
 * const connection = (await server.nextConnection(1000))!;
 * connection.send(acceptConf());
 * await connected;
 * const answer = client.request("start", "payload");
 * const request = await expectRequest(connection, "start", 1000);
 * console.assert(request.payload.length === 7);
 * reply(connection, request, "ok");
 * console.assert((await answer).text() === "ok");
 * await client.close();
 * await server.close();
 * ```
 */
export async function expectRequest(
  connection: ScriptConnection,
  name: string,
  timeoutMs = 3000,
): Promise<RequestMessage> {
  const message = await nextMessage(connection, timeoutMs, `request "${name}"`);
  expect(
    message.kind === "request" && message.nameText === name,
    `expected request "${name}", got ${describeFrame({ at: 0, message })}`,
  );
  return message;
}

/**
 * Sends a reply with `text` in `encoding` (default UTF-8) to `request`.
 *
 * @example
 * ```ts
 * import { acceptConf, expectRequest, reply } from "./client_suite_support.ts";
 * import { startScriptServer } from "./client_suite_server.ts";
 * import { Client } from "../client.ts";
 * const server = await startScriptServer();
 * const client = new Client(server.url("demo"));
 * const connected = client.connect();
 * const connection = (await server.nextConnection(1000))!;
 * connection.send(acceptConf());
 * await connected;
 * const answer = client.request("greet");
 * reply(connection, await expectRequest(connection, "greet"), "héllo", "utf16");
 * const payload = await answer;
 * console.assert(payload.encoding === "utf16" && payload.text() === "héllo");
 * await client.close();
 * await server.close();
 * ```
 */
export function reply(
  connection: ScriptConnection,
  request: RequestMessage,
  text: string,
  encoding: PayloadEncoding = "utf8",
): void {
  connection.send(encodeReply({ id: request.id, payload: text, encoding }));
}

/**
 * Sends an error reply with `code` and `message` to `request`.
 *
 * @example
 * ```ts
 * import { acceptConf, expectRequest, replyError } from "./client_suite_support.ts";
 * import { startScriptServer } from "./client_suite_server.ts";
 * import { Client } from "../client.ts";
 * const server = await startScriptServer();
 * const client = new Client(server.url("demo"));
 * const connected = client.connect();
 * const connection = (await server.nextConnection(1000))!;
 * connection.send(acceptConf());
 * await connected;
 * const answer = client.request("start").catch((error) => error);
 * replyError(connection, await expectRequest(connection, "start"), "DENIED", "not today");
 * const error = await answer;
 * console.assert(error.code === "DENIED" && error.message === "not today");
 * await client.close();
 * await server.close();
 * ```
 */
export function replyError(
  connection: ScriptConnection,
  request: RequestMessage,
  code: string,
  message: string,
): void {
  connection.send(encodeErrorReply({ id: request.id, code, message }));
}

/**
 * How the client process ended, with the end of its stderr.
 *
 * @example
 * ```ts
 * import { exitText } from "./client_suite_support.ts";
 * import { ClientProcess } from "./client_suite_process.ts";
 * import process from "node:process";
 * const program = [process.execPath, "eval", "console.error('no server'); Deno.exit(3)"];
 * const client = ClientProcess.start(program, "ws://127.0.0.1:1/");
 * await client.exited(10_000);
 * console.assert(exitText(client) === "code 3, stderr: no server");
 * ```
 */
export function exitText(client: ClientProcess): string {
  const exit = client.exit;
  if (exit === undefined) return "still running";
  const how = exit.code !== null ? `code ${exit.code}` : `signal ${exit.signal}`;
  const stderr = client.stderrTail();
  return stderr === "" ? how : `${how}, stderr: ${stderr}`;
}
