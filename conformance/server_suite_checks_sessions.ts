/**
 * Live server suite: session checks (session-created JSON, restore on another connection,
 * restore of unknown and path-like keys, close-session by the client, logout by the server).
 *
 * @example
 * ```ts
 * import { sessionChecks } from "./server_suite_checks_sessions.ts";
 * console.assert(sessionChecks.some((check) => check.name === "session-restore"));
 * ```
 * @module
 */

import { encodeCloseSession, encodeRestoreSession } from "../protocol/encode_control_message.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import {
  type CheckContext,
  CheckFailure,
  describe,
  expect,
  hex,
  nextReply,
  randomBytes,
  type ServerCheck,
  type SuiteConnection,
} from "./server_suite_checks_support.ts";

interface CreatedSession {
  key: string;
  creation: string;
}

function parseObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new CheckFailure(`${what} is not UTF-8 JSON (${error}): ${hex(bytes)}`);
  }
  expect(
    typeof value === "object" && value !== null && !Array.isArray(value),
    `${what} is not a JSON object`,
  );
  return value as Record<string, unknown>;
}

/** Checks the session JSON shape `{k, c, l, i: {user}}` and returns key and creation. */
function checkSessionJson(bytes: Uint8Array, what: string, user: string): CreatedSession {
  const json = parseObject(bytes, what);
  const { k, c, l, i } = json;
  expect(typeof k === "string" && k.length > 0, `${what}: "k" is not a non-empty string`);
  for (const [field, value] of [["c", c], ["l", l]] as const) {
    expect(typeof value === "string", `${what}: "${field}" is not a string`);
    try {
      Timestamp.parse(value);
    } catch {
      throw new CheckFailure(`${what}: "${field}" is not RFC 3339: ${JSON.stringify(value)}`);
    }
  }
  expect(
    typeof i === "object" && i !== null && !Array.isArray(i),
    `${what}: "i" is not an object`,
  );
  const info = i as Record<string, unknown>;
  expect(info.user === user, `${what}: "i.user" is ${JSON.stringify(info.user)}, not "${user}"`);
  return { key: k, creation: c as string };
}

async function login(
  context: CheckContext,
  connection: SuiteConnection,
  user: string,
): Promise<CreatedSession> {
  const id = context.nextId();
  connection.request(id, "login", user, "utf8");
  const created = await connection.next("the session-created notification");
  expect(
    created.kind === "session-created",
    `expected session-created (type 21) before the login reply, got ${describe(created)}`,
  );
  const session = checkSessionJson(created.json, "session-created JSON", user);
  const reply = await nextReply(connection, id, "the login reply");
  expect(reply.kind === "reply", `expected the login reply, got ${describe(reply)}`);
  return session;
}

async function expectNoSession(
  context: CheckContext,
  connection: SuiteConnection,
): Promise<void> {
  const id = context.nextId();
  connection.request(id, "whoami", new Uint8Array(0), "binary");
  const reply = await nextReply(connection, id, "the whoami reply");
  expect(
    reply.kind === "error-reply" && reply.codeText === "NO_SESSION",
    `whoami: expected an error reply with code NO_SESSION, got ${describe(reply)}`,
  );
}

async function whoami(context: CheckContext, connection: SuiteConnection): Promise<string> {
  const id = context.nextId();
  connection.request(id, "whoami", new Uint8Array(0), "binary");
  const reply = await nextReply(connection, id, "the whoami reply");
  expect(reply.kind === "reply", `whoami: expected a reply with the key, got ${describe(reply)}`);
  // The service may reply in any encoding: the key is read as text in the one it chose.
  return new TextDecoder(reply.encoding === "utf16" ? "utf-16le" : "utf-8").decode(reply.payload);
}

function userName(): string {
  return `suite-${hex(randomBytes(4))}`;
}

async function sessionCreated(context: CheckContext): Promise<string> {
  const connection = await context.handshake();
  const user = userName();
  const session = await login(context, connection, user);
  const key = await whoami(context, connection);
  expect(key === session.key, `whoami says "${key}", the session key is "${session.key}"`);
  // Keys are unique: a server handing out one key twice would let one user restore another's.
  const other = await login(context, await context.handshake(), userName());
  expect(other.key !== session.key, `a second login got the same key "${session.key}"`);
  return `keys of ${session.key.length} characters, unique, k/c/l/i.user well-formed, ` +
    "then the reply";
}

async function noSession(context: CheckContext): Promise<string> {
  await expectNoSession(context, await context.handshake());
  return "error reply NO_SESSION";
}

async function restore(context: CheckContext): Promise<string> {
  const first = await context.handshake();
  const user = userName();
  const session = await login(context, first, user);
  const second = await context.handshake();
  const id = context.nextId();
  second.send(encodeRestoreSession(id, session.key));
  const reply = await nextReply(second, id, "the restore reply");
  expect(
    reply.kind === "reply" && reply.type === 192,
    `expected a UTF-8 reply (type 192) with the session JSON, got ${describe(reply)}`,
  );
  const restored = checkSessionJson(reply.payload, "restore reply JSON", user);
  expect(restored.key === session.key, `restored key "${restored.key}" is not "${session.key}"`);
  expect(
    Timestamp.parse(restored.creation).toDate().getTime() ===
      Timestamp.parse(session.creation).toDate().getTime(),
    `restored creation ${restored.creation} differs from ${session.creation}`,
  );
  const key = await whoami(context, second);
  expect(key === session.key, `whoami on the restoring connection says "${key}"`);
  return "UTF-8 reply with the same key and creation; whoami agrees";
}

async function restoreRejected(
  context: CheckContext,
  key: string,
  allowInternal: boolean,
): Promise<string> {
  const connection = await context.handshake();
  const id = context.nextId();
  connection.send(encodeRestoreSession(id, key));
  const reply = await nextReply(connection, id, "the restore reply");
  const accepted = reply.kind === "session-not-found-reply" ||
    (allowInternal && reply.kind === "internal-error-reply");
  expect(
    accepted,
    `restore of ${JSON.stringify(key)}: expected session-not-found (type 3)${
      allowInternal ? " or internal error (type 2)" : ""
    }, got ${describe(reply)}`,
  );
  expect(reply.bytes.length === 9, `${describe(reply)} is ${reply.bytes.length} bytes, not 9`);
  return `${reply.kind} (type ${reply.type})`;
}

async function restoreUnknown(context: CheckContext): Promise<string> {
  // Base64url of 48 random bytes: the shape of a real key that no server has issued.
  const key = btoa(String.fromCharCode(...randomBytes(48))).replaceAll("+", "-")
    .replaceAll("/", "_");
  return await restoreRejected(context, key, false);
}

async function restorePathLike(context: CheckContext): Promise<string> {
  const details = [];
  for (const key of ["../../etc/passwd", "../../../../../../etc/hostname"]) {
    details.push(await restoreRejected(context, key, true));
  }
  return details.join(", ");
}

/** Sends close-session (31): the answer is an empty binary reply and nothing else. */
async function closeSession(context: CheckContext, connection: SuiteConnection): Promise<void> {
  const id = context.nextId();
  connection.send(encodeCloseSession(id));
  const reply = await nextReply(connection, id, "the close-session reply");
  expect(
    reply.kind === "reply" && reply.type === 191 && reply.bytes.length === 9,
    `expected an empty binary reply (191, 9 bytes), got ${
      describe(reply)
    } of ${reply.bytes.length} bytes`,
  );
  expect(await connection.silentFor(200), "a message followed the close-session reply");
}

/** The session of `key`, closed on its last connection, is destroyed: restoring it fails. */
async function expectDestroyed(context: CheckContext, key: string, how: string): Promise<void> {
  const connection = await context.handshake();
  const id = context.nextId();
  connection.send(encodeRestoreSession(id, key));
  const reply = await nextReply(connection, id, "the restore reply");
  expect(
    reply.kind === "session-not-found-reply",
    `restore after ${how} on its last connection: expected session-not-found (type 3), got ` +
      `${describe(reply)}: the session was not destroyed`,
  );
}

async function closeByClient(context: CheckContext): Promise<string> {
  const connection = await context.handshake();
  const session = await login(context, connection, userName());
  await closeSession(context, connection);
  await expectNoSession(context, connection);
  await expectDestroyed(context, session.key, "close-session");
  return "empty binary reply of 9 bytes, no notification, whoami says NO_SESSION, " +
    "restore finds no session";
}

async function closeWithoutSession(context: CheckContext): Promise<string> {
  const connection = await context.handshake();
  await closeSession(context, connection);
  await expectNoSession(context, connection);
  return "empty binary reply of 9 bytes, no notification";
}

/**
 * Close-session on one of two connections of a session detaches that connection only; the
 * session is destroyed when its last connection closes it.
 */
async function closeShared(context: CheckContext): Promise<string> {
  const first = await context.handshake();
  const session = await login(context, first, userName());
  const second = await context.handshake();
  const id = context.nextId();
  second.send(encodeRestoreSession(id, session.key));
  const restored = await nextReply(second, id, "the restore reply");
  expect(restored.kind === "reply", `restore: expected a reply, got ${describe(restored)}`);
  await closeSession(context, first);
  await expectNoSession(context, first);
  if (!await second.silentFor(200)) {
    const sent = describe(await second.next("the notification"));
    expect(false, `close-session on the first connection sent the second ${sent}`);
  }
  const key = await whoami(context, second);
  expect(
    key === session.key,
    `after close-session on the other connection, whoami says "${key}", not "${session.key}"`,
  );
  await closeSession(context, second);
  await expectDestroyed(context, session.key, "close-session");
  return "the other connection keeps the session, without a notification, until it closes it";
}

async function logout(context: CheckContext): Promise<string> {
  const connection = await context.handshake();
  const session = await login(context, connection, userName());
  const id = context.nextId();
  connection.request(id, "logout", new Uint8Array(0), "binary");
  const closed = await connection.next("the session-closed notification");
  expect(
    closed.kind === "session-closed",
    `expected session-closed (type 22) before the logout reply, got ${describe(closed)}`,
  );
  expect(closed.bytes.length === 1, `session-closed is ${closed.bytes.length} bytes, not 1`);
  const reply = await nextReply(connection, id, "the logout reply");
  expect(reply.kind === "reply", `expected the logout reply, got ${describe(reply)}`);
  await expectNoSession(context, connection);
  await expectDestroyed(context, session.key, "logout");
  return "session-closed (type 22), then the reply; whoami says NO_SESSION, " +
    "restore finds no session";
}

/**
 * The session checks, in report order.
 *
 * @example
 * ```ts
 * import { sessionChecks } from "./server_suite_checks_sessions.ts";
 * console.assert(sessionChecks.every((check) => check.name.length > 0));
 * ```
 */
export const sessionChecks: readonly ServerCheck[] = [
  { name: "whoami-without-session", run: noSession },
  { name: "session-created", run: sessionCreated },
  { name: "session-restore", run: restore },
  { name: "session-restore-unknown-key", run: restoreUnknown },
  { name: "session-restore-path-like-key", run: restorePathLike },
  { name: "session-close-by-client", run: closeByClient },
  { name: "session-close-without-session", run: closeWithoutSession },
  { name: "session-close-shared", run: closeShared },
  { name: "session-logout", run: logout },
];
