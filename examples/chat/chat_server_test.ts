// The chat server over real sockets (Deno's adapter under Deno, Bun's under Bun), with typed
// clients as the page uses them: names, rooms, presence, logins at once, the rate limit, expiry.
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveBun } from "../../adapters/bun.ts";
import { serveDeno } from "../../adapters/deno.ts";
import { Client } from "../../client.ts";
import { RequestError } from "../../server.ts";
import { MemorySessionManager } from "../../session/mod.ts";
import type { Session } from "../../protocol/session_json.ts";
import { TypedClient } from "../../typed/mod.ts";
import { until } from "../../testing/until.ts";
import { type ChatServerOptions, createChatServer } from "./chat_server.ts";
import { chat, type Presence } from "./contract.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts a chat server on a free port with a fresh session directory. */
async function startChat(options: Partial<ChatServerOptions> = {}) {
  const sessionDirectory = await mkdtemp(join(tmpdir(), "chat-test-"));
  cleanups.push(() => rm(sessionDirectory, { recursive: true, force: true }));
  const server = createChatServer({ sessionDirectory, ...options });
  const listen = { port: 0, hostname: "127.0.0.1" };
  const running = "Bun" in globalThis ? serveBun(server, listen) : serveDeno(server, listen);
  cleanups.push(() => running.close());
  return { server, url: running.url, sessionDirectory };
}

/** A connected typed client that records the presence lines it hears. */
async function user(url: string) {
  const client = new Client(url, { autoconnect: false });
  cleanups.push(() => client.close());
  await client.connect();
  const api = new TypedClient(client, chat);
  const presence: Presence[] = [];
  api.on("presence", (line) => presence.push(line));
  return { client, api, presence };
}

/** A client logged in as `name`, in `room` when one is given. */
async function loggedIn(url: string, name: string, room?: string) {
  const u = await user(url);
  await u.api.request("login", name);
  if (room !== undefined) await u.api.request("join", room);
  return u;
}

/** The error code a request fails with, or "none". */
function codeOf(request: Promise<unknown>): Promise<string> {
  return request.then(
    () => "none",
    (error) => error instanceof RequestError ? error.code : String(error),
  );
}

/** Sessions in memory, whose creation waits until the test releases it. */
class HeldCreates extends MemorySessionManager {
  waiting = 0;
  #release = Promise.withResolvers<void>();
  release = this.#release.resolve;
  override async onSessionCreated(session: Session): Promise<void> {
    this.waiting++;
    await this.#release.promise;
    super.onSessionCreated(session);
  }
}

test("two logins of one connection at once: one session, the other gets LOGGED_IN", async () => {
  const sessionManager = new HeldCreates();
  const { url } = await startChat({ sessionManager });
  const alice = await user(url);
  const first = codeOf(alice.api.request("login", "alice"));
  await until(() => sessionManager.waiting === 1, "the first login is creating its session");
  const second = codeOf(alice.api.request("login", "alice"));
  // Answered after the second login has checked that the connection has no session yet.
  assert.equal(await codeOf(alice.api.request("say", "hi")), "LOGGED_OUT");
  sessionManager.release();
  assert.deepEqual([await first, await second], ["none", "LOGGED_IN"]);
  assert.equal(sessionManager.waiting, 1);
});

test("presence names its room", async () => {
  const { url } = await startChat();
  const alice = await loggedIn(url, "alice", "lobby");
  const bob = await loggedIn(url, "bob", "elsewhere");
  await bob.api.request("join", "lobby");
  await until(() => alice.presence.length === 1, "alice hears bob");
  assert.equal(alice.presence[0].room, "lobby");
  assert.equal(alice.presence[0].name, "bob");
  assert.equal(alice.presence[0].event, "joined");
});

test("two users of one name are two members: one leaving leaves the other", async () => {
  const { url } = await startChat();
  const watcher = await loggedIn(url, "watcher", "lobby");
  const sam1 = await loggedIn(url, "sam", "lobby");
  await loggedIn(url, "sam", "lobby");
  const joined = await watcher.api.request("join", "elsewhere").then(() =>
    watcher.api.request("join", "lobby")
  );
  const sams = joined.members.filter((member) => member.name === "sam");
  assert.equal(sams.length, 2);
  assert.notEqual(sams[0].id, sams[1].id);
  watcher.presence.length = 0;
  await sam1.client.close();
  await until(() => watcher.presence.length === 1, "the watcher hears one sam leave");
  const [left] = watcher.presence;
  assert.equal(left.event, "left");
  const { members } = await (await loggedIn(url, "fresh")).api.request("join", "lobby");
  assert.deepEqual(members.filter((member) => member.name === "sam"), [
    sams.find((sam) => sam.id !== left.id),
  ]);
});

test("join and say past the rate limit get RATE_LIMITED; the connection stays", async () => {
  const { url } = await startChat({ rateLimit: { burst: 3, perSecond: 0.001 } });
  const alice = await loggedIn(url, "alice", "lobby");
  await alice.api.request("say", "one");
  await alice.api.request("join", "other");
  assert.equal(await codeOf(alice.api.request("say", "four")), "RATE_LIMITED");
  assert.equal(await codeOf(alice.api.request("join", "lobby")), "RATE_LIMITED");
  assert.equal(alice.client.status, "connected");
  // Per connection: another one of the same user has its own.
  const other = await user(url);
  await other.api.request("login", "alice2");
  assert.equal(await codeOf(other.api.request("join", "lobby")), "none");
});

test("names with format characters are refused; joiners are not", async () => {
  const { url } = await startChat();
  for (const name of ["\u202enhoj", "a\u200bb", "x\u2066y", "bob\u200e"]) {
    const code = await codeOf((await user(url)).api.request("login", name));
    assert.equal(code, "INVALID_PAYLOAD", JSON.stringify(name));
  }
  const family = "\u{1F468}\u200d\u{1F469}\u200d\u{1F467}";
  assert.equal(await codeOf((await user(url)).api.request("login", family)), "none");
  const alice = await loggedIn(url, "alice");
  assert.equal(await codeOf(alice.api.request("join", "\u202elobby")), "INVALID_PAYLOAD");
});

test("room names of letters with marks are taken, in NFC; lengths count code points", async () => {
  const { url } = await startChat({ rateLimit: { burst: 100, perSecond: 1 } });
  const alice = await loggedIn(url, "alice");
  const rooms: [string, string][] = [
    ["नमस्ते", "नमस्ते"],
    ["İstanbul", "i\u0307stanbul"],
    ["cafe\u0301", "caf\u00e9"],
    ["Ελλάδα", "ελλάδα"],
    ["\u{1D49C}".repeat(32), "\u{1D49C}".repeat(32)],
  ];
  for (const [asked, room] of rooms) {
    assert.equal((await alice.api.request("join", asked)).room, room, asked);
  }
  for (const refused of ["\u{1D49C}".repeat(33), "\u0301x", "a b", ""]) {
    const code = await codeOf(alice.api.request("join", refused));
    assert.equal(code, "INVALID_PAYLOAD", JSON.stringify(refused));
  }
  assert.equal(
    await codeOf((await user(url)).api.request("login", "\u{1D49C}".repeat(24))),
    "none",
  );
  assert.equal(
    await codeOf((await user(url)).api.request("login", "\u{1D49C}".repeat(25))),
    "INVALID_PAYLOAD",
  );
});

test("a session nobody holds expires after sessionIdleTimeout (its file goes)", async () => {
  const { url, sessionDirectory } = await startChat({ sessionIdleTimeout: 200 });
  const alice = await loggedIn(url, "alice");
  assert.equal((await readdir(sessionDirectory)).length, 1);
  await alice.client.close();
  await until(
    async () => (await readdir(sessionDirectory)).length === 0,
    "the session file is removed",
  );
});

test("a join brings back the room's last 100 messages, oldest first, each with its own id", async () => {
  const { url } = await startChat({ rateLimit: { burst: 1000, perSecond: 1000 } });
  const alice = await loggedIn(url, "alice", "lobby");
  const bob = await loggedIn(url, "bob", "elsewhere");
  for (let i = 0; i <= 100; i++) await alice.api.request("say", `m${i}`);
  await bob.api.request("say", "not in the lobby");
  const carol = await loggedIn(url, "carol");
  const { recent } = await carol.api.request("join", "lobby");
  assert.deepEqual(
    recent.map(({ text }) => text),
    Array.from({ length: 100 }, (_, i) => `m${i + 1}`),
  );
  assert.ok(recent.every(({ name }) => name === "alice"));
  assert.equal(new Set(recent.map(({ id }) => id)).size, 100);
});

test("a client that closes its session itself leaves its room, and hears it no more", async () => {
  const { url } = await startChat();
  const watcher = await loggedIn(url, "watcher", "lobby");
  const alice = await loggedIn(url, "alice", "lobby");
  const heard: string[] = [];
  alice.api.on("message", (message) => heard.push(message.text));
  await until(() => watcher.presence.length === 1, "watcher hears alice join");
  await alice.client.closeSession(); // not the chat's logout: the library's own
  await until(() => watcher.presence.length === 2, "watcher hears alice leave");
  assert.deepEqual(watcher.presence[1], { ...watcher.presence[0], event: "left" });
  await watcher.api.request("say", "after alice left");
  // Logged in again as someone else, the connection is in no room until it joins one.
  await alice.api.request("login", "mallory");
  assert.equal(await codeOf(alice.api.request("say", "hi")), "NO_ROOM");
  await watcher.api.request("say", "still there?");
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(heard, []);
});
