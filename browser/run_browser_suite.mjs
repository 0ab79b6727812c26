// The browser test of the client bundles, in real headless Chromium: builds
// dist/webwire-client.js and dist/webwire-typed.js, starts our WebWire server
// (browser/test_server.ts on Deno) and a static file server for the page, both on 127.0.0.1,
// drives the page with playwright-core and prints PASS/FAIL per check and, as its last line,
// `N passed, N failed`. Exits non-zero on any failure, including a missing Chromium. Cleans up
// every process it started.
// Usage: node browser/run_browser_suite.mjs   (Node 20; Chromium from the npm package
// @sparticuz/chromium, or the binary at $CHROMIUM_PATH)
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromiumArgs, findChromium } from "../scripts/chromium.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// The whole run normally takes a few seconds; past this, something hangs.
const deadlineMs = 90_000;

let passed = 0;
let failed = 0;

function report(ok, name, detail) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${!ok && detail ? ` (${detail})` : ""}`);
}

const cleanups = [];
let finished = false;
async function finish(code) {
  if (finished) return;
  finished = true;
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.log(`(cleanup: ${error.message})`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code ?? (failed === 0 ? 0 : 1));
}

const watchdog = setTimeout(() => {
  report(false, "the browser test finishes in time", `still running after ${deadlineMs} ms`);
  void finish(1);
}, deadlineMs);
cleanups.push(() => clearTimeout(watchdog));

function buildBundle() {
  const result = spawnSync(process.execPath, [join(root, "scripts", "build_browser.mjs")], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
  process.stdout.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
  return result.status === 0;
}

/**
 * Starts browser/test_server.ts with Deno and resolves with the URLs it prints: the WebWire
 * server's and the closing peer's.
 */
function startWebwireServer() {
  const deno = join(root, "node_modules", ".bin", "deno");
  const child = spawn(deno, ["run", "-A", "browser/test_server.ts"], {
    cwd: root,
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  cleanups.push(() => stopChild(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no URL within 30 s")), 30_000);
    child.on("error", (error) => reject(error));
    child.on("exit", (code) => reject(new Error(`the server exited with code ${code}`)));
    let webwire = "";
    createInterface({ input: child.stdout }).on("line", (line) => {
      const url = /^(closing )?(ws:\/\/127\.0\.0\.1:\d+\/)$/.exec(line);
      if (url === null) return;
      if (url[1] === undefined) webwire = url[2];
      else if (webwire !== "") {
        clearTimeout(timer);
        resolve({ webwireUrl: webwire, closingUrl: url[2] });
      }
    });
  });
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

const staticFiles = {
  "/": ["browser/index.html", "text/html; charset=utf-8"],
  "/page.mjs": ["browser/page.mjs", "text/javascript; charset=utf-8"],
  "/webwire-client.js": ["dist/webwire-client.js", "text/javascript; charset=utf-8"],
  "/webwire-client.js.map": ["dist/webwire-client.js.map", "application/json"],
  "/typed_page.mjs": ["browser/typed_page.mjs", "text/javascript; charset=utf-8"],
  "/webwire-typed.js": ["dist/webwire-typed.js", "text/javascript; charset=utf-8"],
  "/webwire-typed.js.map": ["dist/webwire-typed.js.map", "application/json"],
};

/** Serves the page and the bundle on 127.0.0.1; resolves with the page's URL. */
function startStaticServer() {
  const server = createServer((request, response) => {
    const path = new URL(request.url, "http://127.0.0.1").pathname;
    const file = staticFiles[path];
    if (path === "/favicon.ico") {
      // Asked for by every page; a 404 would show up as a console error of the page.
      response.writeHead(204).end();
      return;
    }
    if (file === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": file[1], "cache-control": "no-store" });
    response.end(readFileSync(join(root, file[0])));
  });
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}/`));
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function reportPhase(phase, { results }) {
  for (const { name, ok, detail } of results) report(ok, `${phase}: ${name}`, detail);
}

async function main() {
  console.log(`=== browser test of the client bundles (Node ${process.version})`);
  let chromiumPath;
  try {
    chromiumPath = await findChromium();
  } catch (error) {
    chromiumPath = `(${error.message})`;
  }
  if (!existsSync(chromiumPath)) {
    report(
      false,
      "Chromium is there",
      `no Chromium at ${chromiumPath}: run npm install (it brings @sparticuz/chromium) or set ` +
        "CHROMIUM_PATH to a Chromium binary",
    );
    return finish(1);
  }
  const built = buildBundle();
  report(built, "the client bundles build (scripts/build_browser.mjs)");
  if (!built) return finish(1);

  const { chromium } = await import("playwright-core");
  const [{ webwireUrl, closingUrl }, pageUrl] = await Promise.all([
    startWebwireServer(),
    startStaticServer(),
  ]);
  console.log(`WebWire server ${webwireUrl}, page ${pageUrl}`);

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
  });
  cleanups.push(() => browser.close());
  console.log(`Chromium ${browser.version()}`);
  const page = await browser.newPage();
  const pageErrors = [];
  // A port where nothing listens, for the reconnection check; set before that check runs.
  const dead = { port: undefined };
  page.on("pageerror", (error) => pageErrors.push(error.message));
  const debugLines = [];
  page.on("console", (message) => {
    if (message.type() === "debug") debugLines.push(message.text());
    if (message.type() !== "error") return;
    // Chromium itself logs each refused connection of the reconnection check: not the page's.
    if (dead.port !== undefined && message.text().includes(`127.0.0.1:${dead.port}/`)) return;
    // And the attempt made while the browser is offline.
    if (message.text().includes("net::ERR_INTERNET_DISCONNECTED")) return;
    pageErrors.push(`console: ${message.text()}`);
  });

  const ready = () =>
    page.waitForFunction(() =>
      globalThis.webwireBrowserTest !== undefined &&
      globalThis.webwireTypedBrowserTest !== undefined
    );
  await page.goto(pageUrl);
  await withTimeout(ready(), 10_000, "loading the page");
  report(true, "the page loads the bundles as ES modules");
  const first = await withTimeout(
    page.evaluate((url) => globalThis.webwireBrowserTest.phaseOne(url), webwireUrl),
    30_000,
    "phase one",
  );
  reportPhase("page", first);
  reportPhase(
    "typed",
    await withTimeout(
      page.evaluate((url) => globalThis.webwireTypedBrowserTest.typedRequests(url), webwireUrl),
      10_000,
      "typed requests",
    ),
  );
  const errors = await withTimeout(
    page.evaluate(() => globalThis.webwireBrowserTest.errorClasses()),
    10_000,
    "error classes",
  );
  reportPhase("error class", errors);
  // A port on 127.0.0.1 where nothing listens: the static server's, closed again.
  dead.port = await new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const reconnecting = await withTimeout(
    page.evaluate(
      (url) => globalThis.webwireBrowserTest.reconnection(url),
      `ws://127.0.0.1:${dead.port}/`,
    ),
    10_000,
    "reconnection",
  );
  reportPhase("reconnection", reconnecting);
  reportPhase(
    "closing socket",
    await withTimeout(
      page.evaluate((url) => globalThis.webwireBrowserTest.closingSocket(url), closingUrl),
      10_000,
      "closing socket",
    ),
  );

  await page.context().setOffline(true);
  const offline = await withTimeout(
    page.evaluate((url) => globalThis.webwireBrowserTest.goneOffline(url), webwireUrl),
    10_000,
    "going offline",
  );
  report(
    offline.failures === 1 && offline.onLine === false && offline.retryDelay >= 10_000,
    "offline: the first attempt fails and a retry waits",
    JSON.stringify(offline),
  );
  await page.context().setOffline(false);
  reportPhase(
    "online",
    await withTimeout(
      page.evaluate(() => globalThis.webwireBrowserTest.backOnline()),
      10_000,
      "online",
    ),
  );

  await page.reload();
  await withTimeout(ready(), 10_000, "reloading the page");
  const second = await withTimeout(
    page.evaluate(([url, key]) => globalThis.webwireBrowserTest.phaseTwo(url, key), [
      webwireUrl,
      first.key,
    ]),
    30_000,
    "phase two",
  );
  reportPhase("reloaded page", second);

  debugLines.length = 0;
  const tracing = await withTimeout(
    page.evaluate((url) => globalThis.webwireBrowserTest.tracing(url), webwireUrl),
    30_000,
    "tracing",
  );
  reportPhase("trace", tracing);
  const traced = (text) => debugLines.includes(`webwire:client ${webwireUrl} ${text}`);
  report(
    traced('→ request id=1 name="echo" 2 B') && traced("← reply id=1 2 B") &&
      traced("← accept-conf v2.0 11 B"),
    'trace: "1" writes console.debug lines for the accept-conf, the request and the reply',
    debugLines.slice(0, 4).join("; "),
  );
  report(
    traced('→ request id=1 name="echo" 3 B utf8 "abc"') && traced('← reply id=1 3 B utf8 "abc"'),
    'trace: "payloads" adds the payloads to the lines',
    debugLines.join("; "),
  );
  report(
    !debugLines.some((line) => line.includes(" 7 B")),
    "trace: no lines without localStorage.webwireTrace",
    debugLines.join("; "),
  );
  const distinctErrors = [...new Set(pageErrors)];
  report(
    distinctErrors.length === 0,
    "no errors on the page",
    distinctErrors.slice(0, 3).join("; "),
  );
  return finish();
}

main().catch((error) => {
  report(false, "the browser test runs", error?.stack ?? String(error));
  return finish(1);
});
