/** writeFileAtomic: the whole file or the old one, in a folder made when it is missing. */
import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../../src/fsutil.ts";
import { tempDir } from "../support/process.ts";

const work = tempDir("registry-fsutil-");
afterAll(() => work.cleanup());

describe("writeFileAtomic", () => {
	test("makes the missing folders (0755 less the umask) and leaves no temporary file", async () => {
		const target = join(work.path, "a", "b", "registry.json");
		await writeFileAtomic(target, new TextEncoder().encode("[]\n"));
		expect(readFileSync(target, "utf8")).toBe("[]\n");
		for (const folder of [dirname(target), dirname(dirname(target))]) {
			expect((statSync(folder).mode & 0o777).toString(8)).toBe((0o755 & ~process.umask()).toString(8));
		}
		expect(readdirSync(dirname(target))).toEqual(["registry.json"]);
	});

	test("replaces an existing file in an existing folder, keeping its mode", async () => {
		const target = join(work.path, "existing.json");
		writeFileSync(target, "old", { mode: 0o600 });
		await writeFileAtomic(target, new TextEncoder().encode("new"));
		expect(readFileSync(target, "utf8")).toBe("new");
		expect(statSync(target).mode & 0o777).toBe(0o600);
	});
});
