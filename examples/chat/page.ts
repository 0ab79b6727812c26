/**
 * The chat page's script, bundled for the browser into `dist/chat.js` by
 * `npm run build:browser`. One WebWire client per page, typed by the chat's contract: a wrong
 * request name or payload, or a wrong use of a reply or signal, fails `deno check`.
 *
 * The session key is kept in localStorage, so a reload (or a restart of the server) restores
 * the session instead of asking for the name again; the room is kept there too, and rejoined
 * after every connection, because rooms are topics and topics belong to a connection. The
 * client sends the requests made while it was away before it says `connected`, so the page
 * does not leave a room change or a message to it: it records the room asked for and joins it
 * on `connected`, and a message waits until the page is in its room again.
 *
 * @module
 */

// JSR: import { Client, RequestError, webStorageSessionStorage } from "@webwire/webwire/client";
import { Client, RequestError, webStorageSessionStorage } from "../../client.ts";
// JSR: import { TypedClient } from "@webwire/webwire/typed";
import { TypedClient } from "../../typed/mod.ts";
// Types only: the schemas stay on the server, the page gets none of their code.
import type { Chat, ChatMessage, Joined, Presence } from "./contract.ts";

/** The log keeps the last this many lines. */
const logLimit = 500;
/** How long after a rejoin the users missing from it may come back without a line. */
const quietMs = 10_000;
/** Longer input is refused here: far above the contract's limits, below the socket's. */
const inputLimit = 1000;

const element = (id: string): HTMLElement => document.getElementById(id)!;
const input = (id: string): HTMLInputElement => element(id) as HTMLInputElement;

const url = new URL("/ws", location.href);
url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
const client = new Client(url, {
  sessionStorage: webStorageSessionStorage(localStorage, "chat-session"),
});
const api = new TypedClient<Chat>(client);

/** The room the user asked for last: joined on every connection, stored once joined. */
let target = storedRoom();
/** The room this connection is in (its join was answered), or `null`. */
let room: string | null = null;
/** The room the log and the member list are of; kept while the page reconnects. */
let shownRoom: string | null = null;
/** The users in the shown room: names by id. */
let members = new Map<string, string>();
// Who was in the room when this page lost its connection: when they rejoin after it (as all
// do after a server restart, each page in its own time), that is no news, so they come back
// without a line; those still missing `quietMs` after the rejoin have left.
const quiet = new Map<string, string>();
let quietTimer: ReturnType<typeof setTimeout> | undefined;
/** Presence heard while a join request waits for its reply (see `joinTarget`), or `null`. */
let held: Presence[] | null = null;
/** The joins, one after the other. */
let joins: Promise<void> = Promise.resolve();
/** Messages waiting until the page is in its room (see `inRoom`). */
const waiting: { resolve(): void; reject(error: Error): void }[] = [];
/** Why a wait ended without its request: the user logged out. Shown as no error. */
const loggedOut = new Error("logged out");
let scrollPending = false;
/** Whether this page asked to log out (its session's end is then no news). */
let loggingOut = false;
/** The ids of the messages shown (or known when the room was entered), at most `logLimit`. */
const seen = new Set<string>();

client.addEventListener("disconnected", () => {
  showStatus("reconnecting…");
  room = null;
  clearTimeout(quietTimer);
  for (const [id, name] of members) quiet.set(id, name);
});
client.addEventListener("connectfailed", (event) => {
  // No retry follows (a server that now speaks another sub-protocol, after a deploy, say).
  if (event.detail.retryDelay === null) {
    showStatus(`disconnected: reload the page (${event.detail.error.message})`);
  }
});
client.addEventListener("connected", () => {
  showStatus("connected");
  showView();
  // The session is restored before `connected` fires; the room is rejoined here.
  if (client.session !== null) enter().catch(showError);
});
client.addEventListener("sessioncreated", showView);
client.addEventListener("sessionclosed", () => {
  room = shownRoom = null;
  members = new Map();
  quiet.clear();
  clearTimeout(quietTimer);
  for (const { reject } of waiting.splice(0)) reject(loggedOut);
  element("log").replaceChildren();
  // Signed out by someone else: another tab's logout, or a session the server no longer has.
  element("error").textContent = loggingOut
    ? ""
    : "You were signed out (in another tab, or your session ended): log in again.";
  loggingOut = false;
  showView();
});
api.on("message", addMessage);
api.on("presence", (presence) => {
  // While a join is answered, presence can come from the room being left (it was sent before
  // the server took the join) or from the room entered (newer than the member list the reply
  // brings: applied after it). The reply says which room is which.
  if (held !== null) held.push(presence);
  else if (presence.room === room) updatePresence(presence);
});

onSubmit("login", async () => {
  await api.request("login", checked(input("name").value));
  await enter();
});
// Async: a name too long to send rejects (shown), rather than throwing past `run`, which would
// leave the button disabled.
onSubmit("join", async () => {
  target = checked(input("room").value);
  await enter();
});
onSubmit("say", async () => {
  const text = checked(input("text").value);
  await inRoom();
  await api.request("say", text);
  if (input("text").value === text) input("text").value = "";
});
element("logout").addEventListener("click", (event) => {
  run(async () => {
    loggingOut = true;
    try {
      await api.request("logout");
    } catch (error) {
      // Logged out already (by another tab): that is what was asked.
      if (error instanceof RequestError && error.code === "LOGGED_OUT") return;
      loggingOut = false;
      throw error;
    }
  }, event.currentTarget as HTMLButtonElement);
});

// Under autoconnect the client retries by itself until it is connected: nothing to handle.
client.connect().catch(() => {});

/** Joins the target room, after the joins asked for before. */
function enter(): Promise<void> {
  const next = joins.then(joinTarget);
  joins = next.catch(() => {});
  return next;
}

async function joinTarget(): Promise<void> {
  // Rooms belong to a connection: without one, `connected` joins the target.
  if (client.status !== "connected" || client.session === null || room === target) return;
  const asked = target;
  const heard: Presence[] = held = [];
  try {
    entered(await api.request("join", asked), asked, heard);
  } catch (error) {
    if (error instanceof RequestError && target === asked) {
      // Refused: back to the room the page is in, or else the one it was in last.
      target = room ?? storedRoom();
      input("room").value = target;
      if (room === null && target !== asked) enter().catch(showError);
    }
    for (const presence of heard) if (presence.room === room) updatePresence(presence);
    // Logged out meanwhile (a logout asked for while away goes out before the rejoin on
    // `connected`): `sessionclosed` has said what there is to say.
    const gone = error instanceof RequestError && error.code === "LOGGED_OUT";
    throw gone && client.session === null ? loggedOut : error;
  } finally {
    held = null;
    wake();
  }
}

function entered(joined: Joined, asked: string, heard: Presence[]): void {
  room = joined.room;
  localStorage.setItem("chat-room", room);
  if (target === asked) input("room").value = target = room;
  members = new Map(joined.members.map(({ id, name }) => [id, name]));
  if (shownRoom === room) {
    // Back in the room after a lost connection: see `quiet`.
    for (const id of members.keys()) quiet.delete(id);
    clearTimeout(quietTimer);
    if (quiet.size > 0) quietTimer = setTimeout(endQuiet, quietMs);
    // What was said while this page was away (after a server restart, before it was back).
    for (const message of joined.recent) addMessage(message);
  } else {
    shownRoom = room;
    quiet.clear();
    clearTimeout(quietTimer);
    element("log").replaceChildren();
    addLine("notice", "You are in #", isolated(room), ".");
    for (const { id } of joined.recent) remember(id);
  }
  showMembers();
  for (const presence of heard) if (presence.room === room) updatePresence(presence);
}

function endQuiet(): void {
  for (const [id, name] of quiet) {
    if (!members.has(id)) addLine("presence", isolated(name), " left");
  }
  quiet.clear();
}

/** Resolves once the page is in the room asked for, its join answered. */
function inRoom(): Promise<void> {
  if (ready()) return Promise.resolve();
  return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
}

function ready(): boolean {
  return room !== null && room === target && held === null;
}

function wake(): void {
  if (ready()) { for (const { resolve } of waiting.splice(0)) resolve(); }
}

function addMessage({ id, name, text, time }: ChatMessage): void {
  if (seen.has(id)) return;
  remember(id);
  const who = document.createElement("b");
  who.append(isolated(name));
  // The text in its own direction too: a message in Hebrew keeps its "!" at its end.
  addLine("message", who, " ", isolated(text)).title = new Date(time).toLocaleString();
}

function remember(id: string): void {
  seen.add(id);
  if (seen.size > logLimit) seen.delete(seen.values().next().value!);
}

function updatePresence({ id, name, event }: Presence): void {
  if (event === "joined" && !members.has(id)) members.set(id, name);
  else if (event === "left" && members.has(id)) members.delete(id);
  else return;
  showMembers();
  const back = event === "joined" && quiet.has(id);
  quiet.delete(id);
  if (!back) addLine("presence", isolated(name), ` ${event}`);
}

/** Adds a line to the log, drops the oldest past `logLimit`, scrolls once per frame. */
function addLine(kind: string, ...parts: (string | Node)[]): HTMLLIElement {
  const log = element("log");
  const line = document.createElement("li");
  line.className = kind;
  line.append(...parts);
  log.append(line);
  while (log.childElementCount > logLimit) log.firstElementChild!.remove();
  // Scrolling now would lay the page out for every line: a flood of lines would freeze it.
  if (!scrollPending) {
    scrollPending = true;
    requestAnimationFrame(() => {
      scrollPending = false;
      log.scrollTop = log.scrollHeight;
    });
  }
  return line;
}

/** Text in its own direction: a name written right to left does not turn the line around. */
function isolated(text: string): HTMLElement {
  const bdi = document.createElement("bdi");
  bdi.textContent = text;
  return bdi;
}

function showView(): void {
  const name = client.session?.info?.name;
  const loggedIn = typeof name === "string";
  element("login").hidden = loggedIn;
  element("chat").hidden = !loggedIn;
  element("user").hidden = !loggedIn;
  element("me").replaceChildren(loggedIn ? isolated(name) : "");
}

function showMembers(): void {
  const names = [...members.values()].sort();
  const parts = names.flatMap((name, i) => i === 0 ? [isolated(name)] : [", ", isolated(name)]);
  element("members").replaceChildren("In #", isolated(shownRoom ?? target), ": ", ...parts);
}

function showStatus(text: string): void {
  element("status").textContent = text;
  element("status").className = text === "connected" ? "connected" : "";
}

/** The room stored at the last join, or `lobby`. */
function storedRoom(): string {
  return localStorage.getItem("chat-room") ?? "lobby";
}

/** `text`, unless it is too long to send (the server's rules have their own messages). */
function checked(text: string): string {
  if (text.length > inputLimit) throw new Error(`that is too long (${text.length} characters)`);
  return text;
}

/** Runs `action` on the form's submit, its button disabled until it is done. */
function onSubmit(id: string, action: () => Promise<void>): void {
  const form = element(id);
  const button = form.querySelector("button")!;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!button.disabled) run(action, button);
  });
}

/** Runs `action`, `button` disabled meanwhile; a failure (such as a `RequestError`) is shown. */
function run(action: () => Promise<unknown>, button: HTMLButtonElement): void {
  element("error").textContent = "";
  button.disabled = true;
  action().catch(showError).finally(() => button.disabled = false);
}

function showError(error: Error): void {
  if (error !== loggedOut) element("error").textContent = error.message;
}
