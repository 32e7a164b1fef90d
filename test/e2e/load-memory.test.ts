/**
 * A load's peak memory: the server's start-up load and a SIGHUP reload (in a build process, and
 * on the serving thread: in one go at start-up, paced on reloads) and `registry validate`, on a
 * registry of about 20 MB, each at most 4× the file's size above the same process idle
 * (bench/memory.ts measures it; `make bench` reports it at 20 and 50 MB). Linux only: it reads
 * /proc.
 */
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { measureMemory } from "../../bench/memory.ts";
import { BUN, ROOT } from "../support/process.ts";

describe.skipIf(!existsSync("/proc/self/status"))("the peak memory of a load", () => {
	test("at most 4× the file's size, for every way a file is loaded", async () => {
		const rows = await measureMemory({
			cmd: [BUN, join(ROOT, "src", "main.ts")],
			sizes: [20_000],
			paced: true,
		});
		expect(rows.map((r) => r.what)).toEqual([
			"validate",
			"start-up (process)",
			"SIGHUP reload (process)",
			"start-up (inline)",
			"SIGHUP reload (paced)",
		]);
		for (const r of rows) {
			expect(r.fileBytes).toBeGreaterThan(18 << 20);
			expect(
				r.multiple,
				`${r.what}: ${Math.round(r.aboveIdle / 2 ** 20)} MiB above idle`,
			).toBeLessThanOrEqual(4);
		}
	}, 120_000);
});
