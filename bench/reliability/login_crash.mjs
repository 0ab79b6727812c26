// kill -9 during concurrent logins (issue #10 (e)): a server process (bench/reliability/
// load_server.ts) with a FileSessionManager, W workers of a Bun process (login_clients.ts)
// logging in over and over (`createSession`), and SIGKILL at a seeded moment mid-way; several
// rounds on the same directory, each on a server started again on the same port. After every
// round each file of the directory is checked: a session file must be whole (a JSON object
// with RFC 3339 `c` and `l`, `i` null or an object), every acknowledged login must have its
// file (with its user). Last, the temporary files the kills left, aged past the manager's one
// minute plus two planted truncated ones, must be gone after a restart and one login, and a
// sample of the acknowledged sessions must restore.
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonAfter, sleep, startClients, startServer, within } from "./load_processes.mjs";
import { seededRandom } from "./seeded_random.mjs";

const suffix = ".wwrsess";
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const isTemporary = (name) => name.startsWith(".") && name.endsWith(".tmp");

/** What is wrong with a session file's text, or null when it is a whole session file. */
function problemOf(text) {
  if (text.length === 0) return "empty";
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return "not JSON (truncated?)";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not an object";
  if (!rfc3339.test(value.c ?? "") || !rfc3339.test(value.l ?? "")) return "bad c or l";
  if (value.i !== null && (typeof value.i !== "object" || Array.isArray(value.i))) return "bad i";
  return null;
}

/** Checks every file of `directory` against the acknowledged logins (key → user). */
function checkDirectory(directory, acked) {
  const names = readdirSync(directory);
  const users = new Map();
  const invalid = [];
  for (const name of names.filter((n) => n.endsWith(suffix) && !n.startsWith("."))) {
    const text = readFileSync(join(directory, name), "utf8");
    const problem = problemOf(text);
    if (problem === null) users.set(name.slice(0, -suffix.length), JSON.parse(text).i?.user);
    else invalid.push({ name, problem });
  }
  let missing = 0;
  let wrongUser = 0;
  for (const [key, user] of acked) {
    if (!users.has(key)) missing++;
    else if (users.get(key) !== user) wrongUser++;
  }
  return {
    sessionFiles: users.size + invalid.length,
    invalidFiles: invalid.length,
    invalid: invalid.slice(0, 5),
    ackedWithoutFile: missing,
    ackedWithWrongUser: wrongUser,
    temporaryFiles: names.filter(isTemporary).length,
  };
}

async function killRound(runtime, directory, port, killAfterMs, workers, acked) {
  const server = await startServer(runtime, ["--port", String(port), "--session-dir", directory]);
  const clients = startClients("login_clients.ts", ["login", server.url, String(workers)]);
  try {
    await clients.line(/^ACK /, 30_000);
    await sleep(killAfterMs);
    await server.kill("SIGKILL");
    const done = await clients.line(/^DONE (.*)$/, 30_000).then(jsonAfter);
    let ackedNow = 0;
    for (const line of clients.lines) {
      const [tag, key, user] = line.split(" ");
      if (tag !== "ACK") continue;
      acked.set(key, user);
      ackedNow++;
    }
    return { port: server.port, killAfterMs, logins: done.logins, acked: ackedNow };
  } finally {
    await server.kill("SIGKILL");
    await clients.kill("SIGKILL");
  }
}

/** Ages the temporary files past the manager's minute and plants two truncated ones. */
function staleTemporaries(directory) {
  const left = readdirSync(directory).filter(isTemporary).length;
  writeFileSync(join(directory, `.planted-a${suffix}.00112233aabbccdd.tmp`), '{"c":"2026-');
  writeFileSync(join(directory, `.planted-b${suffix}.44556677eeff0011.tmp`), "");
  const old = new Date(Date.now() - 120_000);
  for (const name of readdirSync(directory).filter(isTemporary)) {
    utimesSync(join(directory, name), old, old);
  }
  return { leftByKills: left, planted: 2 };
}

/**
 * Runs `rounds` kills during `workers` concurrent logins against a server on `runtime`, then
 * the restart with stale temporary files; resolves with the checks of every round and of the
 * restart.
 */
export async function measureLoginCrash(
  runtime,
  { rounds = 10, workers = 50, seed = 1, restoreSample = 200 } = {},
) {
  const random = seededRandom(seed);
  const directory = mkdtempSync(join(tmpdir(), "webwire-logins-"));
  const acked = new Map();
  const perRound = [];
  let port = 0;
  try {
    for (let i = 0; i < rounds; i++) {
      // 20 to 320 ms after the first acknowledged login.
      const killAfterMs = 20 + Math.floor(random() * 300);
      const round = await killRound(runtime, directory, port, killAfterMs, workers, acked);
      port = round.port;
      perRound.push({ ...round, ...checkDirectory(directory, acked) });
    }
    const stale = staleTemporaries(directory);
    const server = await startServer(runtime, ["--port", String(port), "--session-dir", directory]);
    let restart;
    try {
      const login = startClients("login_clients.ts", ["login", server.url, "1", "1"]);
      const loggedIn = (await login.line(/^DONE (.*)$/, 30_000).then(jsonAfter)).logins;
      const temporaryAfter = readdirSync(directory).filter(isTemporary).length;
      const keys = [...acked].map(([key, user]) => ({ key, user }));
      const sample = keys.filter(() => random() < restoreSample / Math.max(1, keys.length));
      const sampleFile = join(directory, "..", `${directory.split("/").pop()}-sample.json`);
      writeFileSync(sampleFile, JSON.stringify(sample));
      const restoring = startClients("login_clients.ts", ["restore", server.url, sampleFile]);
      const restored = await restoring.line(/^RESTORED (.*)$/, 60_000).then(jsonAfter);
      rmSync(sampleFile, { force: true });
      process.kill(server.pid, "SIGTERM");
      const exit = await within(server.exited, 20_000);
      restart = {
        ...stale,
        loggedIn,
        temporaryAfter,
        restoreSample: sample.length,
        restored: restored.ok,
        restoreFailed: restored.failed + restored["wrong user"],
        exitCode: exit?.code ?? null,
      };
    } finally {
      await server.kill("SIGKILL");
    }
    const last = checkDirectory(directory, acked);
    return {
      scenario: "logins",
      runtime,
      rounds,
      workers,
      seed,
      acked: acked.size,
      invalidFiles: Math.max(...perRound.map((r) => r.invalidFiles), last.invalidFiles),
      ackedWithoutFile: Math.max(...perRound.map((r) => r.ackedWithoutFile), last.ackedWithoutFile),
      ackedWithWrongUser: Math.max(
        ...perRound.map((r) => r.ackedWithWrongUser),
        last.ackedWithWrongUser,
      ),
      restart,
      perRound,
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
