// ForgottenSessionCheck: one check of the held sessions at a time (a request during one runs
// one more after it), failed checks tried again until they pass, and nothing started or
// waited for once stopped.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { SessionManager } from "../session/session_manager.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { RegistryHolder } from "../testing/registry_holder.ts";
import { ForgottenSessionCheck } from "./forgotten_session_check.ts";
import { SessionCloses } from "./session_closes.ts";
import { SessionRegistry } from "./session_registry.ts";

/**
 * Stores nothing; `hasSession` fails while `down` and for the first `failFirst` checks, and its
 * calls wait for `gate` if set.
 */
class EmptyManager implements SessionManager {
  down = false;
  failFirst = 0;
  checks = 0;
  gate: Promise<void> | undefined;
  onSessionCreated(): void {}
  onSessionClosed(): void {}
  onSessionLookup(): null {
    return null;
  }
  async hasSession(): Promise<boolean> {
    this.checks++;
    await this.gate;
    if (this.down || this.checks <= this.failFirst) throw new Error("session store unreachable");
    return false;
  }
}

function setup(retryDelays: readonly number[] = [5, 5, 5]) {
  const manager = new EmptyManager();
  const sessions = new SessionRegistry<RegistryHolder>(0);
  const holder = new RegistryHolder(sessions);
  const { logger, errors } = recordingLogger();
  const check = new ForgottenSessionCheck(
    { sessions, sessionCloses: new SessionCloses(), sessionManager: manager, logger },
    retryDelays,
  );
  return { manager, sessions, holder, check, errors };
}

test("a request during a check runs one more check after it, not two at once", async () => {
  const { manager, sessions, holder, check } = setup();
  sessions.register("a", holder);
  let open = () => {};
  manager.gate = new Promise((resolve) => open = resolve);
  check.request();
  sessions.register("b", holder); // held after the first check read the keys
  check.request();
  check.request();
  assert.equal(manager.checks, 1, "the second check waits for the first");
  manager.gate = undefined;
  open();
  await check.idle;
  assert.deepEqual(holder.detached.sort(), ["a", "b"]);
  assert.equal(manager.checks, 2, "one more check, for both requests during the first");
});

test("checks that failed are tried again until they pass", async () => {
  const { manager, sessions, holder, check, errors } = setup([5, 5, 5]);
  sessions.register("a", holder);
  manager.failFirst = 2;
  check.request();
  await check.idle;
  assert.deepEqual(holder.detached, ["a"]);
  assert.equal(manager.checks, 3, "the check and two tries again");
  assert.equal(errors.length, 2, "each failed try logged once");
});

test("stopped: a wait for the next try ends at once and later requests do nothing", async () => {
  const { manager, sessions, holder, check } = setup([60_000]);
  sessions.register("a", holder);
  manager.down = true;
  check.request();
  while (manager.checks === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  const stoppedAt = Date.now();
  check.stop();
  await check.idle;
  assert.ok(Date.now() - stoppedAt < 30_000, "did not wait for the 60 s try");
  manager.down = false;
  check.request();
  await check.idle;
  assert.equal(manager.checks, 1);
  assert.deepEqual(holder.detached, []);
});
