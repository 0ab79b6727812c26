// A new session's file is put in place without replacing another's: by a hard link, and on a
// file system without hard links (FAT, some network shares: link fails with EPERM, ENOTSUP,
// EOPNOTSUPP or ENOSYS) by a check and a rename, instead of failing every login there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { placeWithoutReplacing } from "./exclusive_place.ts";

async function inDirectory(run: (directory: string) => Promise<void>): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), "webwire-place-"));
  try {
    await run(directory);
  } finally {
    await rm(directory, { recursive: true });
  }
}

const isTaken = (error: unknown) => (error as { code?: unknown }).code === "EEXIST";

test("a hard link puts the file in place and never over another", async () => {
  await inDirectory(async (directory) => {
    const [temporary, path] = [join(directory, "a.tmp"), join(directory, "k.wwrsess")];
    await writeFile(temporary, "first");
    await placeWithoutReplacing(temporary, path);
    assert.deepEqual(await readdir(directory), ["k.wwrsess"]);
    await writeFile(temporary, "second");
    await assert.rejects(placeWithoutReplacing(temporary, path), isTaken);
    assert.equal(await readFile(path, "utf8"), "first");
  });
});

test("without hard links, a free path is taken by a rename and a taken one refused", async () => {
  for (const code of ["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]) {
    await inDirectory(async (directory) => {
      const refuse = () => Promise.reject(Object.assign(new Error(code), { code }));
      const [temporary, path] = [join(directory, "a.tmp"), join(directory, "k.wwrsess")];
      await writeFile(temporary, "first");
      await placeWithoutReplacing(temporary, path, refuse);
      assert.deepEqual(await readdir(directory), ["k.wwrsess"], code);
      assert.equal(await readFile(path, "utf8"), "first");
      await writeFile(temporary, "second");
      await assert.rejects(placeWithoutReplacing(temporary, path, refuse), isTaken);
      assert.equal(await readFile(path, "utf8"), "first", code);
    });
  }
});

test("another failure of the link is thrown as it is", async () => {
  await inDirectory(async (directory) => {
    const full = () => Promise.reject(Object.assign(new Error("no space"), { code: "ENOSPC" }));
    const [temporary, path] = [join(directory, "a.tmp"), join(directory, "k.wwrsess")];
    await writeFile(temporary, "first");
    await assert.rejects(
      placeWithoutReplacing(temporary, path, full),
      (error) => (error as { code?: unknown }).code === "ENOSPC",
    );
    assert.deepEqual(await readdir(directory), ["a.tmp"]);
  });
});
