/**
 * The chat example: one Deno process serves the page, its script (bundled with the client) and
 * the WebWire endpoint (`/ws`) on one port, with Hono. Sessions are files in `SESSION_DIR`, so a
 * logged-in page stays logged in across a restart of this server. SIGTERM or SIGINT (Ctrl-C)
 * shut it down gracefully.
 *
 * ```sh
 * npm run build:browser   # dist/chat.js, the page's script bundled with the client
 * deno run --allow-net --allow-env=PORT,HOST,SESSION_DIR,LOGIN_BURST,CONNECTIONS_PER_ADDRESS \
 *   --allow-read=examples/chat/public,dist,chat-sessions --allow-write=chat-sessions \
 *   examples/chat/main.ts
 * ```
 *
 * The permissions say all it does: listen, read five settings, read the page and its script,
 * read and write the session files.
 *
 * Environment: `PORT` (default 8000; anything but a port number exits with 2), `HOST` (default
 * 127.0.0.1), `SESSION_DIR` (default `chat-sessions`, in the working directory), `LOGIN_BURST`
 * (default 20: how many logins one address may make at once, then one every 10 seconds; raise
 * it when many users share an address, behind a NAT or a proxy), `CONNECTIONS_PER_ADDRESS`
 * (default 50: how many WebSocket connections one address may hold open; past it an upgrade
 * gets 429; raise it likewise behind a NAT or a proxy).
 *
 * @module
 */

// With Hono from npm (`deno add npm:hono`) or JSR (`deno add jsr:@hono/hono`).
import { Hono } from "hono";
import { getConnInfo, upgradeWebSocket } from "hono/deno";
// JSR: import { honoHandler } from "@webwire/webwire/adapters/hono";
import { honoHandler } from "../../adapters/hono.ts";
import { createChatServer } from "./chat_server.ts";
import { ConnectionLimit, refuseOverLimit } from "./connection_limit.ts";

const port = portFrom(Deno.env.get("PORT") ?? "8000");
const hostname = Deno.env.get("HOST") ?? "127.0.0.1";
const sessionDirectory = Deno.env.get("SESSION_DIR") ?? "chat-sessions";
const loginBurst = countFrom("LOGIN_BURST", "20");
const connectionLimit = new ConnectionLimit(countFrom("CONNECTIONS_PER_ADDRESS", "50"));

// The page's script is page.ts bundled for browsers (with the client) as an ES module. In this
// repository `npm run build:browser` builds it with esbuild; in an app, any bundler does.
const script = new URL("../../dist/chat.js", import.meta.url);
try {
  await Deno.stat(script);
} catch {
  console.error(`no page script at ${script.pathname}: run \`npm run build:browser\` first`);
  Deno.exit(1);
}

const server = createChatServer({
  sessionDirectory,
  loginRateLimit: { burst: loginBurst, perSecond: 0.1 },
  connectionLimit,
});
const app = new Hono();
app.get(
  "/ws",
  refuseOverLimit(connectionLimit, getConnInfo),
  honoHandler(server, upgradeWebSocket, { getConnInfo }),
);
// The page and what it loads: URL path, file, content type.
const files: [string, URL, string][] = [
  ["/", new URL("./public/index.html", import.meta.url), "text/html"],
  ["/chat.js", script, "text/javascript"],
  ["/chat.js.map", new URL("../../dist/chat.js.map", import.meta.url), "application/json"],
  ["/style.css", new URL("./public/style.css", import.meta.url), "text/css"],
];
for (const [path, file, type] of files) app.get(path, serveFile(file, type));

const http = Deno.serve({
  port,
  hostname,
  onListen: ({ hostname, port }) => console.log(`chat on http://${hostname}:${port}/`),
}, app.fetch);

/** The port in `text`, or one line on stderr and exit 2 (bad usage). */
function portFrom(text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535) {
    console.error(`PORT must be a port number from 0 to 65535, not ${JSON.stringify(text)}`);
    Deno.exit(2);
  }
  return port;
}

/** The count in setting `name` (else `fallback`), or one line on stderr and exit 2. */
function countFrom(name: string, fallback: string): number {
  const text = Deno.env.get(name) ?? fallback;
  if (!/^[1-9]\d{0,5}$/.test(text)) {
    console.error(`${name} must be a number from 1 to 999999, not ${JSON.stringify(text)}`);
    Deno.exit(2);
  }
  return Number(text);
}

/**
 * What every file is sent with besides its type: the page runs only its own script and style
 * and talks only to its own origin (a second line of defence for the session key kept in
 * `localStorage`, should some text ever reach the page as markup), is never framed, and its
 * files are never sniffed as another type.
 */
const securityHeaders = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; " +
    "form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** A route handler that answers with the file at `url`. */
function serveFile(url: URL, type: string): () => Promise<Response> {
  return async () =>
    new Response(await Deno.readFile(url), {
      headers: {
        "content-type": `${type}; charset=utf-8`,
        "cache-control": "no-cache",
        ...securityHeaders,
      },
    });
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Running requests finish and get their replies, then every connection closes.
  await server.shutdown();
  await http.shutdown();
  console.log("chat stopped");
}
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
