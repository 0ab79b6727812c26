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
  // Per user: another user (another session) has their own.
  const other = await user(url);
  await other.api.request("login", "alice2");
  assert.equal(await codeOf(other.api.request("join", "lobby")), "none");
});

test("names with format characters are refused; joiners are not", async () => {
  const { url } = await startChat();
  for (const name of ["\u202enhoj", "a\u200bb", "x\u2066y", "bob\u200e", "\u3164", "a\u2028b"]) {
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

test("logins past the limit of their address get RATE_LIMITED, saying when to retry", async () => {
  const { url, sessionDirectory } = await startChat();
  // By default an address may log in 20 times at once: each login leaves a session file for a
  // day, even when its connection goes at once.
  for (let i = 0; i < 20; i++) await (await loggedIn(url, `u${i}`)).client.close();
  const late = await user(url);
  const error = await late.api.request("login", "late").catch((error) => error);
  assert.ok(error instanceof RequestError, String(error));
  assert.equal(error.code, "RATE_LIMITED");
  assert.match(error.message, /^too many logins from your address: try again in \d+ s$/);
  assert.equal(late.client.status, "connected");
  assert.equal((await readdir(sessionDirectory)).length, 20);
  // A session made before is restored, not created: no login, no limit.
  const key = (await readdir(sessionDirectory))[0].replace(/\.wwrsess$/, "");
  await late.client.restoreSession(key);
  assert.equal(typeof late.client.session?.info?.name, "string");
});

test("one connection logging in and out in a loop is limited as well", async () => {
  const { url } = await startChat({ loginRateLimit: { burst: 3, perSecond: 0.001 } });
  const mallory = await user(url);
  for (let i = 0; i < 3; i++) {
    await mallory.api.request("login", "mallory");
    await mallory.api.request("logout");
  }
  assert.equal(await codeOf(mallory.api.request("login", "mallory")), "RATE_LIMITED");
});

test("messages with bidi or other invisible format characters are refused", async () => {
  const { url } = await startChat({ rateLimit: { burst: 100, perSecond: 1 } });
  const alice = await loggedIn(url, "alice", "lobby");
  const refused = [
    ..."\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    "\u200b", // zero width space
    "\u2060", // word joiner
    "\ufeff", // byte order mark, inside the text
    "\u00ad", // soft hyphen
    "\u{e0041}", // a tag character: invisible ASCII
    "\u061c", // Arabic letter mark
    "\u200e", // left-to-right mark
    "\u2029", // paragraph separator
    "\u3164", // Hangul filler: a letter that draws nothing
  ];
  for (const character of refused) {
    const error = await alice.api.request("say", `look${character}here`).catch((e) => e);
    assert.ok(error instanceof RequestError, JSON.stringify(character));
    assert.equal(error.code, "INVALID_PAYLOAD");
    assert.match(error.message, /a message has no control or invisible characters/);
  }
  const heard: string[] = [];
  alice.api.on("message", (message) => heard.push(message.text));
  // Joiners (scripts, emoji) and a flag's tag sequence are text, not tricks.
  const fine = [
    "\u{1F468}\u200d\u{1F469}\u200d\u{1F467}",
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
  ];
  for (const text of fine) await alice.api.request("say", text);
  await until(() => heard.length === fine.length, "alice hears her messages");
  assert.deepEqual(heard, fine);
});

test("more than 8 marks on a character are refused; real text's few are not", async () => {
  const { url } = await startChat();
  const alice = await loggedIn(url, "alice", "lobby");
  // "Zalgo": the marks are drawn above and below, over the lines around this one.
  const zalgo = "Z" + "\u0336\u0353\u035b".repeat(20);
  const error = await alice.api.request("say", zalgo).catch((e) => e);
  assert.ok(error instanceof RequestError);
  assert.equal(error.message, "a message has at most 8 marks on one character");
  assert.equal(await codeOf((await user(url)).api.request("login", zalgo)), "INVALID_PAYLOAD");
  // Tibetan stacks, Hebrew with points and a cantillation mark, Vietnamese (NFD), 8 marks.
  for (
    const text of [
      "\u0f67\u0fa8\u0fb1\u0f71\u0f7e",
      "\u05e9\u05c1\u05bc\u05b8\u0591",
      "e\u0302\u0301",
      "a" + "\u0301".repeat(8),
    ]
  ) {
    assert.equal(await codeOf(alice.api.request("say", text)), "none", text);
  }
});

test("the say limit is the user's: more tabs of one session do not say more", async () => {
  const { url } = await startChat({ rateLimit: { burst: 3, perSecond: 0.001 } });
  const alice = await loggedIn(url, "alice", "lobby");
  const key = alice.client.session!.key;
  let said = 0;
  for (const tab of [alice, await user(url), await user(url)]) {
    if (tab !== alice) await tab.client.restoreSession(key);
    if (tab !== alice) await tab.api.request("join", "lobby").catch(() => {});
    for (let i = 0; i < 3; i++) {
      if (await codeOf(tab.api.request("say", `m${i}`)) === "none") said++;
    }
  }
  // alice's own join took one of her 3.
  assert.equal(said, 2);
});
