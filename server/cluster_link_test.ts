// ClusterLink's relays: a close of a session that could not be relayed is tried again until
// the cluster takes it (reported once), given up after its tries (logged), and dropped when
// the server leaves; other messages are never tried again (pushes are at most once).
import { test } from "node:test";
import assert from "node:assert/strict";
import { recordingLogger } from "../testing/recording_logger.ts";
import { until } from "../testing/until.ts";
import { encodeSignal } from "../protocol/encode_payload_message.ts";
import type { Cluster, ClusterMessage } from "./cluster.ts";
import { ClusterLink } from "./cluster_link.ts";

/** A cluster whose publish fails while `failing` is above 0 (counting down). */
class FlakyCluster implements Cluster {
  failing = 0;
  readonly published: ClusterMessage[] = [];
  attempts = 0;
  join(): void {}
  publish(message: ClusterMessage): Promise<void> {
    this.attempts++;
    if (this.failing > 0) {
      this.failing--;
      return Promise.reject(new Error("publish refused"));
    }
    this.published.push(message);
    return Promise.resolve();
  }
  acquireSession(): boolean {
    return true;
  }
  releaseSession(): void {}
  kept: Uint8Array[] = [];
  takeOfflineSignals(): Uint8Array[] {
    return this.kept;
  }
  sessionConnectionCount(): number {
    return 0;
  }
  leave(): void {}
}

const close: ClusterMessage = { kind: "close-session", key: "k" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("a close that failed is tried again until the cluster takes it, and reported once", async () => {
  const cluster = new FlakyCluster();
  const reported: ClusterMessage[] = [];
  const { logger, errors } = recordingLogger();
  const link = new ClusterLink(cluster, logger, (_e, m) => reported.push(m), [1, 1, 1, 1]);
  cluster.failing = 3;
  link.relay(close);
  await until(() => cluster.published.length === 1, "published at the 4th try");
  assert.equal(cluster.attempts, 4);
  assert.deepEqual(reported, [close]);
  assert.equal(link.failures, 1);
  assert.equal(errors.length, 1, "the first failure is logged");
  assert.equal(link.retrying, 0);
});

test("a close is given up after its tries, with one more log line", async () => {
  const cluster = new FlakyCluster();
  const { logger, errors } = recordingLogger();
  const link = new ClusterLink(cluster, logger, undefined, [1, 1]);
  cluster.failing = 100;
  link.relay(close);
  await until(() => errors.length === 2, "given up");
  assert.equal(cluster.attempts, 3, "the first try and two more");
  assert.match(errors[1].message, /gave up relaying a close of a session .* after 3 tries/);
  await sleep(20);
  assert.equal(cluster.attempts, 3, "no more tries");
  assert.equal(link.retrying, 0);
});

test("leaving drops the closes waiting to be tried again", async () => {
  const cluster = new FlakyCluster();
  const link = new ClusterLink(cluster, recordingLogger().logger, undefined, [30, 30]);
  cluster.failing = 100;
  link.relay(close);
  await until(() => link.retrying === 1, "a try again is waiting");
  await link.leave();
  assert.equal(link.retrying, 0);
  await sleep(80);
  assert.equal(cluster.attempts, 1, "nothing tried after leaving");
});

test("pushes that failed are not tried again", async () => {
  const cluster = new FlakyCluster();
  const link = new ClusterLink(cluster, recordingLogger().logger, undefined, [1, 1]);
  cluster.failing = 3;
  const signal = new Uint8Array([64, 0]);
  link.relay({ kind: "broadcast", signal });
  link.relay({ kind: "publish", topic: "t", signal });
  link.relay({ kind: "signal-session", key: "k", signal });
  await until(() => link.failures === 3, "all three failed");
  await sleep(20);
  assert.equal(cluster.attempts, 3);
  assert.equal(link.retrying, 0);
});

test("each outage is logged from its first failure: relaying a while without failure ends it", async () => {
  const cluster = new FlakyCluster();
  const { logger, errors } = recordingLogger();
  const link = new ClusterLink(cluster, logger, undefined, [1], 1000);
  const signal = encodeSignal({ name: "n" });
  const broadcast = async (times: number) => {
    const before = cluster.attempts;
    for (let i = 0; i < times; i++) link.relay({ kind: "broadcast", signal });
    await until(() => cluster.attempts === before + times, "tried");
    await sleep(1); // the rejections are handled
  };
  cluster.failing = 12;
  await broadcast(12);
  assert.deepEqual(errors.map((e) => e.message.match(/\((\d+) in this outage/)?.[1]), ["1", "10"]);
  // Failures mixed with successes are one outage: not each logged.
  for (let i = 0; i < 5; i++) {
    await broadcast(1);
    cluster.failing = 1;
    await broadcast(1);
  }
  assert.equal(errors.length, 2);
  await sleep(1100);
  await broadcast(1); // relayed, a while after the last failure: the outage is over
  cluster.failing = 3;
  await broadcast(3);
  assert.equal(errors.length, 3, "the second outage is logged again");
  assert.match(errors[2].message, /\(1 in this outage, 18 since the server started\)/);
  assert.equal(link.failures, 20);
});

test("signals the cluster kept that are not WebWire signal messages are dropped and logged", async () => {
  const cluster = new FlakyCluster();
  const { logger, warnings } = recordingLogger();
  const link = new ClusterLink(cluster, logger, undefined);
  const first = encodeSignal({ name: "n", payload: "1" });
  const second = encodeSignal({ name: "n", payload: "2" });
  cluster.kept = [first, new Uint8Array([1, 2, 3]), new Uint8Array(0), second];
  assert.deepEqual(await link.takeOfflineSignals("k"), [first, second]);
  assert.equal(warnings.length, 1, "the first one dropped is logged");
  assert.match(warnings[0], /dropped a kept signal .* \(1 so far\)/);
  assert.deepEqual(await new ClusterLink(null, logger, undefined).takeOfflineSignals("k"), []);
});

test("undelivered signals go back in one step where the cluster can, else the held ones as pushes", () => {
  const taken = [encodeSignal({ name: "n", payload: "1" })];
  const held = [encodeSignal({ name: "n", payload: "2" })];
  // A cluster written for the older port: it knows the taken ones only.
  const older = new FlakyCluster() as FlakyCluster & Pick<Cluster, "returnOfflineSignals">;
  const givenBack: number[] = [];
  older.returnOfflineSignals = (_key, signals) => void givenBack.push(signals.length);
  const { logger } = recordingLogger();
  assert.equal(
    new ClusterLink(older, logger, undefined).returnOfflineSignals("k", taken, held),
    "taken",
  );
  assert.deepEqual(givenBack, [1], "only the taken ones: the server pushes the held ones again");

  const current = new FlakyCluster() as FlakyCluster & Pick<Cluster, "returnUndeliveredSignals">;
  const both: number[][] = [];
  current.returnUndeliveredSignals = (_key, t, h) => void both.push([t.length, h.length]);
  assert.equal(
    new ClusterLink(current, logger, undefined).returnOfflineSignals("k", taken, held),
    "all",
  );
  assert.deepEqual(both, [[1, 1]]);

  assert.equal(
    new ClusterLink(new FlakyCluster(), logger, undefined).returnOfflineSignals("k", taken, held),
    "none",
  );
  assert.equal(
    new ClusterLink(null, logger, undefined).returnOfflineSignals("k", taken, held),
    "none",
  );
});

test("an onClusterError that fails on every push of an outage logs at its 1st, 10th, 100th", async () => {
  const cluster = new FlakyCluster();
  const { logger, errors } = recordingLogger();
  const link = new ClusterLink(cluster, logger, () => {
    throw new Error("metrics sink down");
  }, []);
  cluster.failing = 150;
  const signal = encodeSignal({ name: "tick" });
  for (let i = 0; i < 150; i++) link.relay({ kind: "publish", topic: "t", signal });
  await until(() => cluster.attempts === 150, "every push tried");
  await sleep(0);
  const hookLines = errors.filter((e) => e.message.startsWith("onClusterError hook failed"));
  // Each failure was logged: 150 lines, one per push.
  assert.deepEqual(hookLines.map((e) => e.message), [
    "onClusterError hook failed",
    "onClusterError hook failed (10 so far)",
    "onClusterError hook failed (100 so far)",
  ]);
  assert.equal(errors.length - hookLines.length, 3, "the relay failures: 1st, 10th, 100th");
});

test("an async onClusterError that rejects is logged, not an unhandled rejection", async () => {
  const cluster = new FlakyCluster();
  const { logger, errors } = recordingLogger();
  const link = new ClusterLink(cluster, logger, () => Promise.reject(new Error("away")), []);
  cluster.failing = 1;
  link.relay({ kind: "publish", topic: "t", signal: encodeSignal({ name: "tick" }) });
  await until(() => errors.length === 2, "the relay's failure and the hook's");
  assert.equal(errors[1].message, "onClusterError hook failed");
});

test("closes given up in a long outage are logged at the 1st, 10th, 100th", async () => {
  const cluster = new FlakyCluster();
  const { logger, errors } = recordingLogger();
  const link = new ClusterLink(cluster, logger, undefined, [1]);
  cluster.failing = 1000;
  for (let i = 0; i < 120; i++) link.relay({ kind: "close-session", key: `k${i}` });
  await until(() => cluster.attempts === 240 && link.retrying === 0, "all given up");
  const givenUp = errors.filter((e) => e.message.startsWith("gave up relaying"));
  // Each close given up was logged: 120 lines.
  assert.equal(givenUp.length, 3, givenUp.map((e) => e.message).join("\n"));
  assert.match(givenUp[2].message, /after 2 tries \(100 in this outage\)/);
});

test("a close given up in a later outage is logged again", async () => {
  const cluster = new FlakyCluster();
  const { logger, errors } = recordingLogger();
  const link = new ClusterLink(cluster, logger, undefined, [1], 100);
  const outage = async (key: string) => {
    const before = cluster.attempts;
    cluster.failing = 2;
    link.relay({ kind: "close-session", key });
    await until(() => cluster.attempts === before + 2 && link.retrying === 0, "given up");
    await sleep(1);
  };
  await outage("a");
  await sleep(150);
  link.relay({ kind: "broadcast", signal: encodeSignal({ name: "n" }) }); // the outage is over
  await until(() => cluster.published.length === 1, "relayed");
  await sleep(150);
  await outage("b");
  const givenUp = errors.filter((e) => e.message.startsWith("gave up relaying"));
  // Counted on from the first outage, the second one's was the 2nd: not logged.
  assert.equal(givenUp.length, 2, givenUp.map((e) => e.message).join("\n"));
  assert.match(givenUp[1].message, /after 2 tries: /);
});
