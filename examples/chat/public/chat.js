// The chat page: one WebWire client per page. Its session key is kept in localStorage, so a
// reload (or a restart of the server) restores the session instead of asking for the name
// again; the room is kept there too, and rejoined after every connection, because rooms are
// topics and topics belong to a connection.

// "@webwire/webwire/client" is mapped to the client bundle by the import map in index.html.
import { Client, webStorageSessionStorage } from "@webwire/webwire/client";

const $ = (id) => document.getElementById(id);

const url = new URL("/ws", location.href);
url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
const client = new Client(url, {
  sessionStorage: webStorageSessionStorage(localStorage, "chat-session"),
});

let room = localStorage.getItem("chat-room") ?? "lobby";
let shownRoom = null;
let members = new Set();
// Who was in the room when this page lost its connection: when they rejoin after it (as all
// do after a server restart), that is no news, so they come back without a line.
let quiet = new Set();

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
  $("log").replaceChildren();
  showView();
});
client.addEventListener("signal", ({ detail: signal }) => {
  const data = signal.payload.json();
  if (signal.name === "message") addMessage(data);
  else if (signal.name === "presence") updatePresence(data);
});

onSubmit("login", async () => {
  await client.request("login", $("name").value);
  await join(room);
});
onSubmit("join", () => join($("room").value));
onSubmit("say", async () => {
  await client.request("say", $("text").value);
  $("text").value = "";
});
$("logout").addEventListener("click", () => run(() => client.request("logout")));

// Under autoconnect the client retries by itself until it is connected: nothing to handle.
client.connect().catch(() => {});

async function join(name) {
  const joined = (await client.request("join", name)).json();
  room = joined.room;
  localStorage.setItem("chat-room", room);
  members = new Set(joined.members);
  $("room").value = room;
  showMembers();
  if (shownRoom !== room) {
    shownRoom = room;
    $("log").replaceChildren();
    addLine("notice", `You are in #${room}.`);
  }
}

function addMessage({ name, text, time }) {
  const line = addLine("message", ` ${text}`);
  const who = document.createElement("b");
  who.textContent = name;
  line.prepend(who);
  line.title = new Date(time).toLocaleString();
}

function updatePresence({ name, event }) {
  if (event === "joined" && !members.has(name)) members.add(name);
  else if (event === "left" && members.has(name)) members.delete(name);
  else return;
  showMembers();
  const back = event === "joined" && quiet.has(name);
  quiet.delete(name);
  if (!back) addLine("presence", `${name} ${event}`);
}

function addLine(kind, text) {
  const line = document.createElement("li");
  line.className = kind;
  line.textContent = text;
  $("log").append(line);
  line.scrollIntoView({ block: "nearest" });
  return line;
}

function showView() {
  const name = client.session?.info?.name;
  const loggedIn = typeof name === "string";
  $("login").hidden = loggedIn;
  $("chat").hidden = !loggedIn;
  $("user").hidden = !loggedIn;
  $("me").textContent = loggedIn ? name : "";
}

function showMembers() {
  $("members").textContent = `In #${room}: ${[...members].sort().join(", ")}`;
}

function showStatus(text) {
  $("status").textContent = text;
  $("status").className = text === "connected" ? "connected" : "";
}

/** Runs `action` on the form's submit; a failure (such as a `RequestError`) is shown. */
function onSubmit(id, action) {
  $(id).addEventListener("submit", (event) => {
    event.preventDefault();
    run(action);
  });
}

function run(action) {
  $("error").textContent = "";
  action().catch((error) => $("error").textContent = error.message);
}
