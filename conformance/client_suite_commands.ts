/**
 * The client suite's steps that drive the client under test: command signals it acts on, the
 * lines it prints, its exit, and a connection opened with a session. The frame-level steps
 * (accept-conf, replies, waiting for a message) are in `client_suite_support.ts`.
 *
 * @example
 * ```ts
 * import { sessionJson } from "./client_suite_commands.ts";
 * console.assert(JSON.parse(sessionJson("k1")).k === "k1");
 * ```
 * @module
 */

import { encodeSessionCreated } from "../protocol/encode_control_message.ts";
import { encodeSignal } from "../protocol/encode_payload_message.ts";
import { formatSessionJson } from "../protocol/session_json.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import type { ClientProcess } from "./client_suite_process.ts";
import type { ScriptConnection } from "./client_suite_server.ts";
import {
  acceptConf,
  acceptConnection,
  type ClientCheckContext,
  ClientCheckFailure,
  exitText,
  expectRequest,
  reply,
} from "./client_suite_support.ts";

/**
 * Sends the command signal `do:<action>` with `argument` as its UTF-8 payload.
 *
 * @example
 * ```ts
 * import { command, expectLine, openSession } from "./client_suite_commands.ts";
 * import { expectRequest, reply } from "./client_suite_support.ts";
 * import { ClientProcess } from "./client_suite_process.ts";
 * import { startScriptServer } from "./client_suite_server.ts";
 * import process from "node:process";
 * import { fileURLToPath } from "node:url";
 * const program = fileURLToPath(new URL("./client_program.ts", import.meta.url));
 * const server = await startScriptServer();
 * const startClient = (scenario: string) =>
 *   ClientProcess.start([process.execPath, "run", "-A", program], server.url(scenario));
 * const { client, connection } = await openSession({ server, startClient }, "echo");
 * command(connection, "request", "echo hi"); // the client sends request "echo" with "hi"
 * reply(connection, await expectRequest(connection, "echo"), "hi");
 * await expectLine(client, "reply echo hi");
 * await client.stop();
 * await server.close();
 * ```
 */
export function command(connection: ScriptConnection, action: string, argument = ""): void {
  connection.send(encodeSignal({ name: `do:${action}`, payload: argument, encoding: "utf8" }));
}

/**
 * The session JSON of a new session with `key`, as a server would send it.
 *
 * @example
 * ```ts
 * import { sessionJson } from "./client_suite_commands.ts";
 * console.assert(JSON.parse(sessionJson("k")).k === "k");
 * ```
 */
export function sessionJson(key: string): string {
  const now = Timestamp.now();
  return formatSessionJson({ key, creation: now, lastLookup: now, info: { user: "suite" } });
}

/**
 * Sends *session created* for a new session with `key`.
 *
 * @example
 * ```ts
 * import { createSession } from "./client_suite_commands.ts";
 * import { acceptConf } from "./client_suite_support.ts";
 * import { startScriptServer } from "./client_suite_server.ts";
 * import { Client } from "../client.ts";
 * const server = await startScriptServer();
 * const client = new Client(server.url("demo"));
 * const connected = client.connect();
 * const connection = (await server.nextConnection(1000))!;
 * connection.send(acceptConf());
 * await connected;
 * const created = new Promise((resolve) => client.addEventListener("sessioncreated", resolve));
 * createSession(connection, "key-1");
 * await created;
 * console.assert(client.session?.key === "key-1");
 * await client.close();
 * await server.close();
 * ```
 */
export function createSession(connection: ScriptConnection, key: string): void {
  connection.send(encodeSessionCreated(sessionJson(key)));
}

/**
 * Waits for the stdout line `line`; fails the check with what the client printed instead.
 *
 * @example
 * ```ts
 * import { expectLine } from "./client_suite_commands.ts";
 * import { ClientProcess } from "./client_suite_process.ts";
 * import process from "node:process";
 * const program = [process.execPath, "eval", "console.log('connected')"];
 * const client = ClientProcess.start(program, "ws://127.0.0.1:1/");
 * await expectLine(client, "connected"); // throws a ClientCheckFailure when it never comes
 * await client.stop();
 * ```
 */
export async function expectLine(
  client: ClientProcess,
  line: string,
  timeoutMs = 3000,
): Promise<void> {
  if (await client.line((l) => l === line, timeoutMs) !== undefined) return;
  const printed = client.lines.slice(-4).map((l) => JSON.stringify(l)).join(", ") || "nothing";
  const exit = client.exit === undefined ? "" : `; it exited (${exitText(client)})`;
  throw new ClientCheckFailure(
    `the client did not print "${line}" within ${timeoutMs} ms (last lines: ${printed})${exit}`,
  );
}

/**
 * Accepts the client's connection, sends accept-conf, answers its `start` request with `ok`
 * and waits for it to print the reply: the common opening of most checks.
 *
 * @example
 * ```ts
 * import { command, openSession } from "./client_suite_commands.ts";
 * import { ClientProcess } from "./client_suite_process.ts";
 * import { startScriptServer } from "./client_suite_server.ts";
 * import process from "node:process";
 * import { fileURLToPath } from "node:url";
 * const program = fileURLToPath(new URL("./client_program.ts", import.meta.url));
 * const server = await startScriptServer();
 * const startClient = (scenario: string) =>
 *   ClientProcess.start([process.execPath, "run", "-A", program], server.url(scenario));
 * const { client, connection } = await openSession({ server, startClient }, "exit");
 * command(connection, "exit");
 * console.assert((await client.exited(5000))?.code === 0);
 * await server.close();
 * ```
 */
export async function openSession(
  ctx: ClientCheckContext,
  scenario: string,
  readTimeoutMs?: number,
): Promise<{ client: ClientProcess; connection: ScriptConnection }> {
  const client = ctx.startClient(scenario);
  const connection = await acceptConnection(ctx.server, client, 10_000);
  connection.send(acceptConf({ readTimeoutMs }));
  const start = await expectRequest(connection, "start");
  reply(connection, start, "ok");
  await expectLine(client, "reply start ok");
  return { client, connection };
}
