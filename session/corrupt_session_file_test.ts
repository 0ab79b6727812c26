// A corrupt session file is no session: the restore of its key is refused as not found at once
// (not answered with an internal error until the client's budget of retries runs out), the file
// is moved aside for the operator (never read again), and it is logged once, not per attempt.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../protocol/logger.ts";
import { CorruptSessionFileError } from "./corrupt_session_file_error.ts";
import { FileSessionManager } from "./file_session_manager.ts";
import { RawClient } from "../testing/raw_client.ts";
import { rawLogin, rawRestore } from "../testing/raw_session.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { startServer } from "../testing/serve.ts";

test("restoring a session whose file is corrupt is refused as not found, logged once", async () => {
  const directory = await mkdtemp(join(tmpdir(), "webwire-corrupt-"));
  const { logger, errors } = recordingLogger();
  const running = await startServer({
    logger: silentLogger,
    sessionManager: new FileSessionManager({ directory, logger }),
    onRequest: async (request) => {
      await request.connection.createSession({ user: request.payload.text() });
      return "ok";
    },
  });
  try {
    const first = await RawClient.handshake(running.url);
    const session = await rawLogin(first, "ada");
    first.close();
    await first.closed;
    const path = join(directory, `${session.key}.wwrsess`);
    await writeFile(path, '{"c":"2018-05-13T17:34:02Z"'); // cut short by a full disk, say
    const again = await RawClient.handshake(running.url);
    for (let attempt = 0; attempt < 3; attempt++) {
      assert.equal(await rawRestore(again, session.key), "session-not-found-reply");
    }
    again.close();
    assert.deepEqual(await readdir(directory), [`${session.key}.wwrsess.corrupt`]);
    assert.equal(await readFile(`${path}.corrupt`, "utf8"), '{"c":"2018-05-13T17:34:02Z"');
    assert.equal(errors.length, 1, "logged once, not per attempt");
    assert.match(errors[0].message, /moved a corrupt session file aside/);
    const logged = errors[0].details[0];
    assert.ok(logged instanceof CorruptSessionFileError && logged.path === path);
  } finally {
    await running.close();
    await rm(directory, { recursive: true, force: true });
  }
});
