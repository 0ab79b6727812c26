// The chat example's robustness checks in Chromium, run by run_chat_suite.mjs after its own
// (with its pages, alice in #random and bob logged out, and its helpers): double clicks, two
// users of one name, presence while a join is answered, what is asked for while the server is
// away, who does not come back after a restart, a flood of lines, and what was said in a room
// before a page was back in it after a restart, a session the server lost, and a logout asked
// for while the server was away.

import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/** Runs the checks; `helpers` are run_chat_suite.mjs's, with a way to restart the server. */
export async function moreChecks({ browser, url, errors, alice, bob }, helpers) {
  const { check, openPage, waitForLine, waitForText, waitLoggedIn, login, say } = helpers;
  const { logLines, until, stepMs, stopServer, startServer, sessionDirectory } = helpers;
  // How many frames with `name` the page sends from now on.
  const sent = (page, name) => {
    const from = page.sent.length;
    return () => page.sent.slice(from).filter((frame) => frame.includes(name)).length;
  };
  const logins = sent(bob, "login");
  const logouts = sent(bob, "logout");
  await check("a double click on Log in sends one login, and shows no error", async () => {
    await bob.fill("#name", "bob");
    await bob.dblclick("#login button");
    await waitLoggedIn(bob, "bob");
    await say(bob, "bob", bob, "Logged in once.");
    if (logins() !== 1 || await bob.textContent("#error")) throw new Error(`${logins()} logins`);
  });
  const other = await openPage(browser, url, errors);
  await check("two users named bob are two members; one leaving leaves the other", async () => {
    await login(other, "bob");
    await waitForText(bob, "#members", "In #lobby: bob, bob");
    await other.context().close();
    await waitForLine(bob, "bob left");
    await waitForText(bob, "#members", "In #lobby: bob");
  });
  // Dave's page, with its join of #games held back until bob's presence in #lobby reached it.
  const hold = { release: null, heardBob: false };
  const dave = await openPage(browser, url, errors, async (context) => {
    await context.routeWebSocket(/\/ws$/, (ws) => {
      const chat = ws.connectToServer();
      ws.onMessage((frame) => {
        if (`${frame}`.includes('"games"')) hold.release = () => chat.send(frame);
        else chat.send(frame);
      });
      chat.onMessage((frame) => {
        if (/"name":"bob".*"joined"/.test(`${frame}`)) hold.heardBob = true;
        ws.send(frame);
      });
    });
  });
  await check("presence from the room being left is not applied to the room entered", async () => {
    await login(dave, "dave");
    await bob.fill("#room", "elsewhere");
    await bob.click("#join button");
    await waitForLine(dave, "bob left");
    await dave.fill("#room", "games");
    await dave.click("#join button");
    await bob.fill("#room", "lobby");
    await bob.click("#join button");
    await until(() => hold.release !== null && hold.heardBob, "bob's presence at dave's");
    hold.release();
    await waitForLine(dave, "You are in #games.");
    await waitForText(dave, "#members", "In #games: dave");
  });
  await dave.context().close();
  await check("a double click on Log out shows the login form without an error", async () => {
    await bob.dblclick("#logout");
    await bob.waitForSelector("#login", { state: "visible", timeout: stepMs });
    if (logouts() !== 1 || await bob.textContent("#error")) throw new Error(`${logouts()}`);
  });
  await login(bob, "bob");
  const carol = await openPage(browser, url, errors);
  await login(carol, "carol");
  await carol.fill("#room", "random");
  await carol.click("#join button");
  await waitForLine(alice, "carol joined");
  await stopServer();
  await waitForText(alice, "#status", "reconnecting…");
  await waitForText(bob, "#status", "reconnecting…");
  await alice.fill("#text", "Said while the server was away.");
  await alice.press("#text", "Enter");
  await bob.fill("#room", "Random");
  await bob.click("#join button");
  await carol.close();
  await startServer();
  await check("a message sent while the server was away reaches the room after it", async () => {
    await waitForLine(alice, "alice Said while the server was away.");
    if (await alice.textContent("#error")) throw new Error(await alice.textContent("#error"));
  });
  await check("a room change asked for while the server was away is made after it", async () => {
    await waitForLine(bob, "You are in #random.");
    await waitForText(bob, "#members", "In #random: alice, bob");
    if (await bob.evaluate(() => localStorage.getItem("chat-room")) !== "random") throw new Error();
  });
  await check("who did not come back after a restart has left; back later, joined", async () => {
    await waitForLine(alice, "carol left");
    const back = await openPage(browser, url, errors, undefined, carol.context());
    await waitLoggedIn(back, "carol");
    await waitForLine(alice, "carol joined", 2);
  });
  await check("the page keeps the last 500 lines of a flood", async () => {
    const { Client } = await import("../../dist/webwire-client.js");
    const { WebSocket } = await import("ws");
    for (let i = 0; i < 60; i++) {
      const client = new Client(`${url.replace("http", "ws")}ws`, {
        WebSocket,
        autoconnect: false,
      });
      await client.connect();
      await client.request("login", `"f${i}"`);
      for (let j = 0; j < 10; j++) await client.request("join", j % 2 ? '"x"' : '"random"');
      await client.close();
    }
    // f59's last line is its fifth "left" (its first is its second line of ten).
    await waitForLine(alice, "f59 left", 5);
    const lines = await logLines(alice);
    // The flood's 600 lines, of which the log keeps the last ones in order, none twice. A line
    // of an earlier check that arrives late may sit among them on a loaded machine (seen once).
    const flood = Array.from(
      { length: 600 },
      (_, n) => `f${n / 10 | 0} ${n % 2 ? "left" : "joined"}`,
    );
    const kept = lines.filter((line) => /^f\d+ (joined|left)$/.test(line));
    const suffix = flood.slice(-kept.length);
    if (
      lines.length !== 500 || kept.length < 498 || kept.some((line, i) => line !== suffix[i])
    ) {
      throw new Error(`${lines.length} lines, from ${JSON.stringify(lines.slice(0, 3))}`);
    }
  });
  // Bob's page is offline while the server restarts: alice is back first and says something
  // before bob's page has rejoined the room.
  await stopServer();
  await waitForText(bob, "#status", "reconnecting…");
  await bob.context().setOffline(true);
  await startServer();
  await check(
    "a message said before another page is back reaches it once, when it is",
    async () => {
      await waitForText(alice, "#status", "connected");
      await say(alice, "alice", alice, "Said before bob was back.");
      await bob.context().setOffline(false);
      await waitForLine(bob, "alice Said before bob was back.");
      await waitForText(bob, "#status", "connected");
      const shown = (await logLines(bob)).filter((line) => line.includes("before bob was back"));
      if (shown.length !== 1) throw new Error(`shown ${shown.length} times`);
    },
  );
  // The sessions are gone when the server is back (their files deleted meanwhile).
  await stopServer();
  await waitForText(alice, "#status", "reconnecting…");
  for (const name of readdirSync(sessionDirectory)) rmSync(join(sessionDirectory, name));
  await startServer();
  await check(
    "a page whose session the server lost shows the login form and says why",
    async () => {
      await alice.waitForSelector("#login", { state: "visible", timeout: stepMs });
      const signedOut =
        "You were signed out (in another tab, or your session ended): log in again.";
      await waitForText(alice, "#error", signedOut);
    },
  );
  await alice.fill("#name", "alice");
  await alice.click("#login button");
  await waitLoggedIn(alice, "alice");
  await waitForLine(alice, "You are in #random.");
  await stopServer();
  await waitForText(alice, "#status", "reconnecting…");
  const joins = sent(alice, "join");
  const refusals = alice.received.length;
  const refused = () =>
    alice.received.slice(refusals).some((frame) => frame.includes("LOGGED_OUT"));
  await alice.click("#logout");
  await startServer();
  await check(
    "a logout asked for while the server was away shows the login form, no error",
    async () => {
      await alice.waitForSelector("#login", { state: "visible", timeout: stepMs });
      await until(() => joins() === 1, "the page's rejoin on connected");
      await until(refused, "the server's refusal of the rejoin (LOGGED_OUT)");
      await alice.waitForTimeout(200); // the page's turn to handle it
      const error = await alice.textContent("#error");
      if (error) throw new Error(`it says: ${error}`);
    },
  );
}
