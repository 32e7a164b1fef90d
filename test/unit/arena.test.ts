/**
 * The arena holds exactly the bytes of the served entries, in chunks written end to end and
 * never copied whole (little of the writer's margin is kept), and the search blob exactly the
 * search text of every entry.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ARENA_CHUNK } from "../../src/registry/arena.ts";
import { loadRegistryBytes, loadRegistryFile } from "../../src/registry/load.ts";
import { Snapshot, type SnapshotData } from "../../src/registry/snapshot.ts";
import { tempDir } from "../support/process.ts";
import { api, build, bytes, decoder, item, MTIME, server } from "../support/registry-docs.ts";

const total = (arena: Uint8Array[]) => arena.reduce((n, chunk) => n + chunk.byteLength, 0);

/** Every byte of every chunk belongs to an entry, and each buffer holds little more than its chunk. */
function expectTight({ index }: SnapshotData): void {
	const { arena, spans } = index;
	let written = 0;
	for (let i = 0; i < index.count; i++) written += (spans[2 * i + 1] as number) - (spans[2 * i] as number);
	expect(total(arena)).toBe(written);
	for (const chunk of arena) {
		expect(chunk.byteOffset).toBe(0);
		expect(chunk.byteLength).toBeGreaterThanOrEqual((chunk.buffer.byteLength * 3) / 4);
	}
}

/** A generated registry of `n` entries (about 1 KB each) in the API list shape. */
function generated(n: number): string {
	const servers = Array.from({ length: n }, (_, i) =>
		item(
			server(`io.github.gen/s${i}`, "1.0.0", {
				description: `Server ${i} ${"x".repeat(900)}`.slice(0, 100),
				websiteUrl: `https://example.com/${"p".repeat(800)}`,
			}),
		),
	);
	return JSON.stringify(api(...servers));
}

describe("arena", () => {
	test("as many bytes as written (the writer starts with at least 1 KiB)", () => {
		const data = build(api(item(server("io.github.a/x", "1.0.0"))));
		expectTight(data);
		expect(total(data.index.arena)).toBeLessThan(1024);
		expectTight(build([]));
		expect(build([]).index.arena).toEqual([]);
	});

	test("as tight when entries were skipped, and when the first chunk was too small", () => {
		// Skipped entries leave room unused; a seed serves more than its file (the metadata).
		const seed = bytes(
			JSON.stringify(JSON.parse(readFileSync("test/fixtures/real-seed-358-servers.json", "utf8"))),
		);
		const data = loadRegistryBytes(seed, { file: "seed", mtime: MTIME, invalidEntries: "reject" });
		expect(total(data.index.arena)).toBeGreaterThan(seed.byteLength);
		expectTight(data);
		const skipped = build(api(item(server("io.github.a/x", "1.0.0")), item(server("bad", "1.0.0"))), "skip");
		expect(skipped.index.count).toBe(1);
		expectTight(skipped);
	});

	test("a large registry fills chunk after chunk, no entry across two, each served whole", () => {
		const text = generated(15_000);
		const data = loadRegistryBytes(bytes(text), { file: "big", mtime: MTIME, invalidEntries: "reject" });
		expect(data.index.arena.length).toBeGreaterThan(2);
		for (const chunk of data.index.arena.slice(0, -1)) expect(chunk.buffer.byteLength).toBe(ARENA_CHUNK);
		expectTight(data);
		const snapshot = new Snapshot(data);
		for (let i = 0; i < snapshot.count; i += 997) {
			const entry = JSON.parse(decoder.decode(snapshot.entry(i))) as { server: { name: string } };
			expect(entry.server.name).toBe(data.index.names[i] as string);
		}
	});

	test("a file's load writes the arena into the file's own bytes, read once", async () => {
		// The entries are read again from the file, so its buffer is free to take the arena.
		const dir = tempDir();
		try {
			const path = join(dir.path, "registry.json");
			const text = generated(3_000);
			await Bun.write(path, text);
			const data = await loadRegistryFile(path, { invalidEntries: "reject" });
			const first = data.index.arena[0] as Uint8Array;
			expect(first.buffer.byteLength).toBe(Buffer.byteLength(text));
			const mtime = statSync(path).mtime;
			const fromBytes = loadRegistryBytes(bytes(text), { file: path, mtime, invalidEntries: "reject" });
			expect(data.index.names).toEqual(fromBytes.index.names);
			const a = new Snapshot(data);
			const b = new Snapshot(fromBytes);
			for (let i = 0; i < a.count; i += 101)
				expect(decoder.decode(a.entry(i))).toBe(decoder.decode(b.entry(i)));
		} finally {
			dir.cleanup();
		}
	});

	test("entries are written end to end, each a whole JSON object", () => {
		const data = build([server("io.github.a/b", "1.0.0"), server("io.github.a/a", "2.0.0")]);
		const { arena, chunkOf, spans } = data.index;
		const chunk = arena[0] as Uint8Array;
		// file order in the arena, list order in the spans
		expect([...chunkOf]).toEqual([0, 0]);
		expect(spans[2]).toBe(0);
		expect(spans[1]).toBe(chunk.byteLength);
		for (let i = 0; i < 2; i++) {
			const text = decoder.decode(chunk.subarray(spans[2 * i], spans[2 * i + 1]));
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
