// The chat example in real headless Chromium, with real processes: builds the page's bundle,
// starts examples/chat/main.ts with Deno (the command of the README) on a free port of
// 127.0.0.1 with a fresh session directory, and drives two pages, alice and bob, each in its
// own browser context (its own localStorage): login, a message across pages, a reload that
// stays logged in, presence lines, a server restart (SIGTERM, then the same port and session
// directory) that both pages come back from by themselves, and a payload the contract refuses;
// then the checks of run_chat_suite_more.mjs. Saves a screenshot of bob's page to
// examples/chat/screenshot.png. Prints PASS/FAIL per check and, as its last line,
// `N passed, N failed`; exits non-zero on any failure. Cleans up every process it started.
// Usage: node examples/chat/run_chat_suite.mjs   (Chromium as for browser/run_browser_suite.mjs)
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../scripts/chromium.mjs";
import { moreChecks } from "./run_chat_suite_more.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const screenshotPath = join(here, "screenshot.png");
// The run takes about thirty seconds; past this, something hangs.
const deadlineMs = 150_000;
// Any one step (a page update, a reconnect) waits this long at most.
const stepMs = 20_000;

let passed = 0;
let failed = 0;

function report(ok, name, detail) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${!ok && detail ? ` (${detail})` : ""}`);
}

/** Runs one check: PASS when `body` resolves, FAIL with the error's message when it throws. */
async function check(name, body) {
  try {
    await body();
    report(true, name);
  } catch (error) {
    report(false, name, error?.message?.split("\n")[0] ?? String(error));
  }
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
  report(false, "the chat test finishes in time", `still running after ${deadlineMs} ms`);
  void finish(1);
}, deadlineMs);
cleanups.push(() => clearTimeout(watchdog));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts the chat server as the README says; resolves with the child once it listens. */
function startChat(port, sessionDirectory) {
  const deno = join(root, "node_modules", ".bin", "deno");
  const args = [
    "run",
    "--allow-net",
    "--allow-env=PORT,HOST,SESSION_DIR,LOGIN_BURST,CONNECTIONS_PER_ADDRESS",
    `--allow-read=examples/chat/public,dist,${sessionDirectory}`,
    `--allow-write=${sessionDirectory}`,
    "examples/chat/main.ts",
  ];
  const child = spawn(
    deno,
    args,
    {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        ...process.env,
        NO_COLOR: "1",
        HOST: "127.0.0.1",
        PORT: String(port),
        SESSION_DIR: sessionDirectory,
        // The flood of run_chat_suite_more.mjs logs in 60 users from this one address.
        LOGIN_BURST: "100",
      },
    },
  );
  child.lines = [];
  cleanups.push(() => stopChat(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("not listening within 30 s")), 30_000);
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`the server exited with code ${code}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      console.log(`[chat server] ${line}`);
      child.lines.push(line);
      if (line !== `chat on http://127.0.0.1:${port}/`) return;
      clearTimeout(timer);
      resolve(child);
    });
  });
}

/** SIGTERM, then SIGKILL after 10 s; resolves with the exit code (null when killed). */
function stopChat(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", (code) => {
      clearTimeout(force);
      resolve(code);
    });
    child.kill("SIGTERM");
  });
}

/** A page of its own browser context (or `context`), collecting the page's errors. */
async function openPage(browser, url, errors, setup, context) {
  context ??= await browser.newContext({ viewport: { width: 560, height: 440 } });
  await setup?.(context);
  const page = await context.newPage();
  page.sent = [];
  page.received = [];
  page.on("websocket", (ws) => {
    ws.on("framesent", ({ payload }) => page.sent.push(`${payload}`));
    ws.on("framereceived", ({ payload }) => page.received.push(`${payload}`));
  });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    // While the server restarts, Chromium logs each refused connection attempt: expected.
    if (message.type() === "error" && !/WebSocket connection to .* failed/.test(message.text())) {
      errors.push(`console: ${message.text()}`);
    }
  });
  await page.goto(url);
  return page;
}

/** The texts of the lines in the page's chat log. */
const logLines = (page) => page.$$eval("#log li", (lines) => lines.map((li) => li.textContent));

/** Waits until the page's log has `count` lines of `text`. */
function waitForLine(page, text, count = 1) {
  return page.waitForFunction(
    ([text, count]) =>
      [...document.querySelectorAll("#log li")].filter((li) => li.textContent === text).length >=
        count,
    [text, count],
    { timeout: stepMs },
  );
}

/** Polls `condition` every 5 ms until it holds. */
async function until(condition, what) {
  const deadline = Date.now() + stepMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function waitForText(page, selector, text) {
  return page.waitForFunction(
    ([selector, text]) => document.querySelector(selector)?.textContent === text,
    [selector, text],
    { timeout: stepMs },
  );
}

/** Waits until the page is connected and logged in as `name`, with no login form. */
async function waitLoggedIn(page, name) {
  await waitForText(page, "#status", "connected");
  await waitForText(page, "#me", name);
  await page.waitForSelector("#chat", { state: "visible", timeout: stepMs });
  if (await page.isVisible("#login")) throw new Error("the login form is shown");
}

async function login(page, name) {
  await page.waitForSelector("#login", { state: "visible", timeout: stepMs });
  await page.fill("#name", name);
  await page.click("#login button");
  await waitLoggedIn(page, name);
  await waitForLine(page, "You are in #lobby.");
}

/** Sends a message from `from` and waits until `to` shows it. */
async function say(from, fromName, to, text) {
  await from.fill("#text", text);
  await from.press("#text", "Enter");
  await waitForLine(to, `${fromName} ${text}`);
}

/** The chat server running now (the suite restarts it). */
let server;

async function main() {
  console.log(`=== the chat example in Chromium (Node ${process.version})`);
  const build = spawnSync(process.execPath, [join(root, "scripts", "build_browser.mjs")], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
  process.stdout.write(`${build.stdout ?? ""}${build.stderr ?? ""}`);
  report(build.status === 0, "the page's bundle builds (browser-clean)");
  if (build.status !== 0) return finish(1);

  const sessionDirectory = mkdtempSync(join(tmpdir(), "webwire-chat-"));
  cleanups.push(() => rmSync(sessionDirectory, { recursive: true, force: true }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  server = await startChat(port, sessionDirectory);
  report(true, "the chat server starts (Hono on Deno, permissions as in the README)");
  await check("the page is served with its security headers (CSP, nosniff)", async () => {
    const headers = (await fetch(url)).headers;
    const policy = headers.get("content-security-policy") ?? "";
    if (!policy.includes("default-src 'self'") || !policy.includes("frame-ancestors 'none'")) {
      throw new Error(`content-security-policy: ${policy}`);
    }
    if (headers.get("x-content-type-options") !== "nosniff") throw new Error("no nosniff");
  });

  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  console.log(`Chromium ${browser.version()}, ${url}`);
  const errors = [];
  const alice = await openPage(browser, url, errors);
  const bob = await openPage(browser, url, errors);

  await check("alice logs in (a session) and is in #lobby", () => login(alice, "alice"));
  await check("bob logs in and is in #lobby", () => login(bob, "bob"));
  await check("presence: alice's page shows 'bob joined'", () => waitForLine(alice, "bob joined"));
  await check(
    "bob's page lists both members",
    () => waitForText(bob, "#members", "In #lobby: alice, bob"),
  );
  await check(
    "a message from alice's page reaches bob's page",
    () => say(alice, "alice", bob, "Hi Bob! Sessions here survive a reload."),
  );
  await check(
    "a message from bob's page reaches alice's page",
    () => say(bob, "bob", alice, "Nice. And a server restart?"),
  );

  const keyBefore = await alice.evaluate(() => localStorage.getItem("chat-session"));
  await alice.reload();
  await check("alice's reloaded page is still logged in as alice (no login form)", async () => {
    await waitLoggedIn(alice, "alice");
    await waitForLine(alice, "You are in #lobby.");
  });
  await check("the reload kept the session key (localStorage)", async () => {
    const keyAfter = await alice.evaluate(() => localStorage.getItem("chat-session"));
    if (keyBefore === null || keyAfter !== keyBefore) throw new Error(`${keyBefore} → ${keyAfter}`);
  });
  await check("presence: bob's page shows 'alice left', then 'alice joined'", async () => {
    await waitForLine(bob, "alice joined");
    const lines = await logLines(bob);
    const left = lines.indexOf("alice left");
    if (left === -1 || left > lines.indexOf("alice joined")) throw new Error(lines.join(" | "));
  });
  await check("the session directory holds the two sessions", () => {
    const files = readdirSync(sessionDirectory).filter((name) => name.endsWith(".wwrsess"));
    if (files.length !== 2) throw new Error(`files: ${files.join(", ")}`);
  });

  const exitCode = await stopChat(server);
  report(
    exitCode === 0 && server.lines.includes("chat stopped"),
    "the server shuts down gracefully on SIGTERM",
    `exit code ${exitCode}`,
  );
  await check("both pages notice the lost connection", async () => {
    await waitForText(alice, "#status", "reconnecting…");
    await waitForText(bob, "#status", "reconnecting…");
  });
  server = await startChat(port, sessionDirectory);
  report(true, "the server starts again on the same port with the same session directory");
  await check("both pages reconnect by themselves, still logged in", async () => {
    await waitLoggedIn(alice, "alice");
    await waitLoggedIn(bob, "bob");
    await waitForText(bob, "#members", "In #lobby: alice, bob");
  });
  await check(
    "after the restart a message from alice reaches bob",
    () => say(alice, "alice", bob, "Back by ourselves: same names, same room."),
  );
  await check(
    "after the restart a message from bob reaches alice",
    () => say(bob, "bob", alice, "No login form in sight."),
  );
  await check("the restart added no presence lines on bob's page", async () => {
    const presence = await bob.$$eval("#log li.presence", (lines) => lines.length);
    if (presence !== 2) {
      throw new Error(`${presence} presence lines: ${(await logLines(bob)).join(" | ")}`);
    }
  });

  await check("a screenshot of bob's page is saved (examples/chat/screenshot.png)", async () => {
    await bob.evaluate(() => document.activeElement?.blur());
    await bob.screenshot({ path: screenshotPath, animations: "disabled", caret: "hide" });
    console.log(`screenshot: ${(statSync(screenshotPath).size / 1024).toFixed(1)} KiB`);
  });

  await check("bob logs out: his page shows the login form, his key is gone", async () => {
    await bob.click("#logout");
    await bob.waitForSelector("#login", { state: "visible", timeout: stepMs });
    if (await bob.isVisible("#chat")) throw new Error("the chat is still shown");
    const key = await bob.evaluate(() => localStorage.getItem("chat-session"));
    if (key !== null) throw new Error(`the key is still stored: ${key}`);
  });
  await check("presence: alice's page shows 'bob left'", () => waitForLine(alice, "bob left"));
  await check("the logout removed bob's session file", () => {
    const files = readdirSync(sessionDirectory).filter((name) => name.endsWith(".wwrsess"));
    if (files.length !== 1) throw new Error(`files: ${files.join(", ")}`);
  });
  await check("a bad room name is refused by the contract's schema, with its message", async () => {
    await alice.fill("#room", "no spaces");
    await alice.click("#join button");
    await waitForText(alice, "#error", "a room name has 1 to 32 letters, digits, _ or -");
    await waitForText(alice, "#members", "In #lobby: alice");
  });
  await check(
    "a message of one 500-letter word wraps: the log does not scroll sideways",
    async () => {
      await say(alice, "alice", alice, "w".repeat(500));
      const log = await alice.$eval("#log", (log) => [log.scrollWidth, log.clientWidth]);
      if (log[0] > log[1]) throw new Error(`the log is ${log[0]} px wide in ${log[1]} px`);
    },
  );
  await check("a room name too long to send is refused on the page; Join still works", async () => {
    await alice.fill("#room", "a".repeat(1001));
    await alice.click("#join button");
    await waitForText(alice, "#error", "that is too long (1001 characters)");
    if (await alice.isDisabled("#join button")) throw new Error("the Join button stays disabled");
  });
  await check("alice moves to another room", async () => {
    await alice.fill("#room", "Random");
    await alice.click("#join button");
    await waitForLine(alice, "You are in #random.");
    await waitForText(alice, "#members", "In #random: alice");
  });
  await moreChecks({ browser, url, errors, alice, bob }, {
    check,
    openPage,
    waitForLine,
    waitForText,
    waitLoggedIn,
    login,
    say,
    logLines,
    until,
    stepMs,
    sessionDirectory,
    stopServer: () => stopChat(server),
    startServer: async () => server = await startChat(port, sessionDirectory),
  });
  const distinctErrors = [...new Set(errors)];
  report(
    distinctErrors.length === 0,
    "no errors on the pages",
    distinctErrors.slice(0, 3).join("; "),
  );
  return finish();
}

main().catch((error) => {
  report(false, "the chat test runs", error?.stack ?? String(error));
  return finish(1);
});
