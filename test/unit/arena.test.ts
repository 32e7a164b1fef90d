/**
 * The arena holds exactly the bytes of the served entries, nothing of the writer's growth
 * margin, and the search blob exactly the search text of every entry.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { loadRegistryBytes } from "../../src/registry/load.ts";
import type { SnapshotData } from "../../src/registry/snapshot.ts";
import { api, build, bytes, decoder, item, MTIME, server } from "../support/registry-docs.ts";

/** The arena is its own buffer, and every byte of it belongs to an entry. */
function expectTrimmed({ index }: SnapshotData): void {
	const { arena, spans } = index;
	expect(arena.byteOffset).toBe(0);
	expect(arena.buffer.byteLength).toBe(arena.byteLength);
	let written = 0;
	for (let i = 0; i < index.count; i++) written += (spans[2 * i + 1] as number) - (spans[2 * i] as number);
	expect(arena.byteLength).toBe(written);
}

describe("arena", () => {
	test("trimmed to the bytes written (the writer starts with at least 1 KiB, or a MiB for a document)", () => {
		const data = build(api(item(server("io.github.a/x", "1.0.0"))));
		expectTrimmed(data);
		expect(data.index.arena.byteLength).toBeLessThan(1024);
		expectTrimmed(build([]));
		expect(build([]).index.arena.byteLength).toBe(0);
	});

	test("trimmed when entries were skipped, and when the writer had to grow", () => {
		// Skipped entries leave room unused; a seed serves more than its file (the metadata), so the
		// writer sized from the file grows, by half, past what it needs.
		const seed = bytes(
			JSON.stringify(JSON.parse(readFileSync("test/fixtures/real-seed-358-servers.json", "utf8"))),
		);
		const data = loadRegistryBytes(seed, { file: "seed", mtime: MTIME, invalidEntries: "reject" });
		expect(data.index.arena.byteLength).toBeGreaterThan(seed.byteLength);
		expectTrimmed(data);
		const skipped = build(api(item(server("io.github.a/x", "1.0.0")), item(server("bad", "1.0.0"))), "skip");
		expect(skipped.index.count).toBe(1);
		expectTrimmed(skipped);
	});

	test("entries are written end to end, each a whole JSON object", () => {
		const data = build([server("io.github.a/b", "1.0.0"), server("io.github.a/a", "2.0.0")]);
		const { arena, spans } = data.index;
		// file order in the arena, list order in the spans
		expect(spans[2]).toBe(0);
		expect(spans[1]).toBe(arena.byteLength);
		for (let i = 0; i < 2; i++) {
			const text = decoder.decode(arena.subarray(spans[2 * i], spans[2 * i + 1]));
			expect(Object.keys(JSON.parse(text) as object)).toEqual(["server", "_meta"]);
		}
	});
});

describe("search blob", () => {
	test("lower-cased name \\0 description \\1 of every entry, in list order, with its offsets", () => {
		const data = build([
			server("io.github.a/Two", "1.0.0", { description: "Second" }),
			server("io.github.a/one", "1.0.0", { description: "Éclair" }),
		]);
		const { searchBlob, searchOffsets } = data.index;
		// "T" sorts before "o"; the blob holds UTF-8 ("é" is two bytes)
		expect(decoder.decode(searchBlob)).toBe(
			"io.github.a/two\u0000second\u0001io.github.a/one\u0000éclair\u0001",
		);
		expect([...searchOffsets]).toEqual([0, 23, 23 + 24]);
		expect(searchBlob.byteLength).toBe(47);
	});
});
