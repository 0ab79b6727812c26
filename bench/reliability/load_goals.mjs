// The goals of the reliability load benchmark, as checks of one scenario's result (from
// bench/reliability/load_measure.mjs): the test suite asserts them on a quick run, the report
// says met or not met for a full one.

/** The checks of `result`: `{ name, ok, detail }` each. */
export function goalsOf(result) {
  const check = (name, ok, detail) => ({
    name: `${result.scenario} on ${result.runtime}: ${name}`,
    ok,
    detail,
  });
  if (result.scenario === "shutdown") {
    const codes = Object.keys(result.closeCodes);
    return [
      check(
        "no reply lost to a request sent before the shutdown began",
        result.lostBeforeShutdown === 0,
        `${result.lostBeforeShutdown} lost`,
      ),
      check("no trial hung", result.hung === 0, `${result.hung} hung`),
      check(
        "the server exits with 0",
        result.exitCodes.every((c) => c === 0),
        `${result.exitCodes}`,
      ),
      check(
        "every connection closes with 1001",
        codes.length === 1 && codes[0] === "1001",
        JSON.stringify(result.closeCodes),
      ),
      check(
        "every request in flight at the shutdown is answered, with a shutdown reply if late",
        result.errorReplies === 0,
        `${result.errorReplies} error replies`,
      ),
    ];
  }
  if (result.scenario === "storm") {
    return [
      check(
        "every client logged in had its session file",
        result.sessionFiles === result.clients,
        `${result.sessionFiles} files`,
      ),
      check(
        "every client gets its own session back",
        result.allRestored && result.lostSessions === 0,
        `${result.restored} restored, ${result.sameKey} with their key, ${result.lostSessions} lost`,
      ),
      check(
        "the restarted server saw every client",
        result.upgradesSeen >= result.clients,
        `${result.upgradesSeen} upgrades`,
      ),
      check(
        "the restarted server shuts down with 0",
        result.shutdownExitCode === 0,
        `${result.shutdownExitCode}`,
      ),
    ];
  }
  const restart = result.restart;
  return [
    check("logins were acknowledged before the kills", result.acked > 0, `${result.acked}`),
    check("no invalid session file", result.invalidFiles === 0, `${result.invalidFiles} invalid`),
    check(
      "every acknowledged login has its whole file, with its user",
      result.ackedWithoutFile === 0 && result.ackedWithWrongUser === 0,
      `${result.ackedWithoutFile} missing, ${result.ackedWithWrongUser} with another user`,
    ),
    check(
      "the restart with stale temporary files succeeds and removes them",
      restart.loggedIn === 1 && restart.temporaryAfter === 0,
      `${restart.leftByKills} left by the kills + ${restart.planted} planted, ${restart.temporaryAfter} after`,
    ),
    check(
      "acknowledged sessions restore after the restart",
      restart.restoreSample > 0 && restart.restored === restart.restoreSample,
      `${restart.restored} of ${restart.restoreSample}`,
    ),
    check("the server shuts down with 0", restart.exitCode === 0, `${restart.exitCode}`),
  ];
}
