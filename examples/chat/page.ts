/**
 * The chat page's script, bundled for the browser into `dist/chat.js` by
 * `npm run build:browser`. One WebWire client per page, typed by the chat's contract: a wrong
 * request name or payload, or a wrong use of a reply or signal, fails `deno check`.
 *
 * The session key is kept in localStorage, so a reload (or a restart of the server) restores
 * the session instead of asking for the name again; the room is kept there too, and rejoined
 * after every connection, because rooms are topics and topics belong to a connection.
 *
 * @module
 */

// JSR: import { Client, webStorageSessionStorage } from "@webwire/webwire/client";
import { Client, webStorageSessionStorage } from "../../client.ts";
// JSR: import { TypedClient } from "@webwire/webwire/typed";
import { TypedClient } from "../../typed/mod.ts";
// Types only: the schemas stay on the server, the page gets none of their code.
import type { Chat, ChatMessage, Presence } from "./contract.ts";

const element = (id: string): HTMLElement => document.getElementById(id)!;
const input = (id: string): HTMLInputElement => element(id) as HTMLInputElement;

const url = new URL("/ws", location.href);
url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
const client = new Client(url, {
  sessionStorage: webStorageSessionStorage(localStorage, "chat-session"),
});
const api = new TypedClient<Chat>(client);

let room = localStorage.getItem("chat-room") ?? "lobby";
let shownRoom: string | null = null;
let members = new Set<string>();
// Who was in the room when this page lost its connection: when they rejoin after it (as all
// do after a server restart), that is no news, so they come back without a line.
let quiet = new Set<string>();
/** Presence heard while a join request waits for its reply (see `join`), or `null`. */
let joining: Presence[] | null = null;

client.addEventListener("disconnected", () => {
  showStatus("reconnecting…");
  quiet = new Set(members);
});
client.addEventListener("connected", () => {
  showStatus("connected");
  showView();
  // The session is restored before `connected` fires; the room is rejoined here.
  if (client.session !== null) run(() => join(room));
});
client.addEventListener("sessioncreated", showView);
client.addEventListener("sessionclosed", () => {
  shownRoom = null;
  element("log").replaceChildren();
  showView();
});
api.on("message", addMessage);
api.on("presence", (presence) => {
  // While a join is answered, presence comes from the room just entered and is newer than the
  // member list its reply brings: applied after it (on a busy server it can arrive first).
  if (joining !== null) joining.push(presence);
  else updatePresence(presence);
});

onSubmit("login", async () => {
  await api.request("login", input("name").value);
  await join(room);
});
onSubmit("join", () => join(input("room").value));
onSubmit("say", async () => {
  await api.request("say", input("text").value);
  input("text").value = "";
});
element("logout").addEventListener("click", () => run(() => api.request("logout")));

// Under autoconnect the client retries by itself until it is connected: nothing to handle.
client.connect().catch(() => {});

async function join(name: string): Promise<void> {
  const held: Presence[] = joining = [];
  let joined;
  try {
    joined = await api.request("join", name);
  } finally {
    if (joining === held) joining = null;
  }
  room = joined.room;
  localStorage.setItem("chat-room", room);
  members = new Set(joined.members);
  input("room").value = room;
  showMembers();
  if (shownRoom !== room) {
    shownRoom = room;
    element("log").replaceChildren();
    addLine("notice", `You are in #${room}.`);
  }
  for (const presence of held) updatePresence(presence);
}

function addMessage({ name, text, time }: ChatMessage): void {
  const line = addLine("message", ` ${text}`);
  const who = document.createElement("b");
  who.textContent = name;
  line.prepend(who);
  line.title = new Date(time).toLocaleString();
}

function updatePresence({ name, event }: Presence): void {
  if (event === "joined" && !members.has(name)) members.add(name);
  else if (event === "left" && members.has(name)) members.delete(name);
  else return;
  showMembers();
  const back = event === "joined" && quiet.has(name);
  quiet.delete(name);
  if (!back) addLine("presence", `${name} ${event}`);
}

function addLine(kind: string, text: string): HTMLLIElement {
  const line = document.createElement("li");
  line.className = kind;
  line.textContent = text;
  element("log").append(line);
  line.scrollIntoView({ block: "nearest" });
  return line;
}

function showView(): void {
  const name = client.session?.info?.name;
  const loggedIn = typeof name === "string";
  element("login").hidden = loggedIn;
  element("chat").hidden = !loggedIn;
  element("user").hidden = !loggedIn;
  element("me").textContent = loggedIn ? name : "";
}

function showMembers(): void {
  element("members").textContent = `In #${room}: ${[...members].sort().join(", ")}`;
}

function showStatus(text: string): void {
  element("status").textContent = text;
  element("status").className = text === "connected" ? "connected" : "";
}

/** Runs `action` on the form's submit; a failure (such as a `RequestError`) is shown. */
function onSubmit(id: string, action: () => Promise<void>): void {
  element(id).addEventListener("submit", (event) => {
    event.preventDefault();
    run(action);
  });
}

function run(action: () => Promise<unknown>): void {
  element("error").textContent = "";
  action().catch((error: Error) => element("error").textContent = error.message);
}
