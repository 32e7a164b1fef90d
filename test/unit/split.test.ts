/**
 * The entry scanner behind streaming loads: it finds exactly the entries JSON.parse would,
 * refuses what it does not understand (the whole-text parse then reports), and a load through it
 * serves what a load of the parsed document serves.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSnapshotData, loadRegistryBytes, RegistryLoadError } from "../../src/registry/load.ts";
import { splitRegistry } from "../../src/registry/split.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const FIXTURES = join(import.meta.dir, "..", "fixtures");
const mtime = new Date("2025-01-01T00:00:00Z");

function parts(text: string): unknown[] | undefined {
	const b = enc(text);
	const s = splitRegistry(b);
	if (!s) return undefined;
	const out: unknown[] = [];
	for (let i = 0; i < s.ranges.length; i += 2)
		out.push(JSON.parse(dec(b.subarray(s.ranges[i], s.ranges[i + 1]))));
	return out;
}

describe("splitRegistry", () => {
	test("finds the elements of a top-level array and of the servers array, wherever the key is", () => {
		expect(parts('[{"a":1}, {"b":[1,2,{"c":"]}"}]} ,\n {"d":"\\"[{"}]')).toEqual([
			{ a: 1 },
			{ b: [1, 2, { c: "]}" }] },
			{ d: '"[{' },
		]);
		expect(
			parts('{"metadata":{"count":2,"x":[1,{"y":"}"}]},"servers":[{"s":1},{"s":"a\\\\"}],"z":null}'),
		).toEqual([{ s: 1 }, { s: "a\\" }]);
		expect(parts('\ufeff  {"servers": [ ] }  ')).toEqual([]);
		expect(parts("[]")).toEqual([]);
	});

	test("the skeleton is the file with the entries removed, so the rest is still parsed", () => {
		const b = enc('{"a":[1,2],"servers":[{"x":1},{"y":2}],"metadata":{"count":2}}');
		const s = splitRegistry(b);
		expect(JSON.parse(dec(s?.skeleton as Uint8Array))).toEqual({
			a: [1, 2],
			servers: [],
			metadata: { count: 2 },
		});
	});

	test("anything unusual is left to the whole-text parse", () => {
		for (const text of [
			'{"servers":[1],"servers":[2]}', // the key twice
			'{"servers":{"a":1}}', // not an array
			'{"other":[]}', // no servers
			'[{"a":1} {"b":2}]', // missing comma
			'[{"a":1},]', // trailing comma
			'[{"a":"unterminated}]',
			'[{"a":1}] trailing',
			"42",
			"",
		]) {
			expect(splitRegistry(enc(text)), text).toBeUndefined();
		}
	});
});

describe("loads through the scanner", () => {
	for (const name of [
		"real-api-page-30-entries.json",
		"real-seed-358-servers.json",
		"fork-loader-format-4-records.json",
	]) {
		test(`${name}: the same snapshot as from the parsed document`, () => {
			const bytes = readFileSync(join(FIXTURES, name));
			const streamed = loadRegistryBytes(bytes, { file: name, mtime, invalidEntries: "reject" });
			const whole = buildSnapshotData(JSON.parse(dec(bytes)), {
				file: name,
				mtime,
				invalidEntries: "reject",
			});
			expect(streamed.index.count).toBe(whole.index.count);
			expect(streamed.index.names).toEqual(whole.index.names);
			expect(streamed.index.versions).toEqual(whole.index.versions);
			expect([...streamed.index.latest]).toEqual([...whole.index.latest]);
			expect(streamed.provenance.report.warnings).toEqual(whole.provenance.report.warnings);
			for (let i = 0; i < streamed.index.count; i++) {
				const a = streamed.index.arena.subarray(streamed.index.spans[2 * i], streamed.index.spans[2 * i + 1]);
				const b = whole.index.arena.subarray(whole.index.spans[2 * i], whole.index.spans[2 * i + 1]);
				expect(JSON.parse(dec(a))).toEqual(JSON.parse(dec(b)));
				const official = (JSON.parse(dec(a)) as { _meta: Record<string, { isLatest: boolean }> })._meta[
					"io.modelcontextprotocol.registry/official"
				];
				expect(official?.isLatest).toBe(streamed.index.latest[i] === 1);
			}
		});
	}

	test("a syntax error inside an entry or outside them fails the load with its position", () => {
		const inEntry = enc(
			'{"servers":[\n{"server":{"name":"io.github.a/b","description":"d","version":"1.0.0"}},\n{"server": nope}\n]}',
		);
		expect(() => loadRegistryBytes(inEntry, { file: "f.json", mtime, invalidEntries: "reject" })).toThrow(
			"f.json: invalid JSON at line 3, column 12",
		);
		const outside = enc('{"metadata": {"count": 1,}, "servers": []}');
		let err: unknown;
		try {
			loadRegistryBytes(outside, { file: "g.json", mtime, invalidEntries: "reject" });
		} catch (e) {
			err = e;
		}
		expect(err).toBeInstanceOf(RegistryLoadError);
		expect((err as Error).message).toContain("g.json: invalid JSON at line 1, column 26");
	});

	test("invalid UTF-8 inside an entry is refused as the whole file's", () => {
		const b = new Uint8Array([
			...enc('[{"name":"io.github.a/b","description":"'),
			0xff,
			...enc('","version":"1"}]'),
		]);
		expect(() => loadRegistryBytes(b, { file: "u.json", mtime, invalidEntries: "reject" })).toThrow(
			"u.json: not valid UTF-8",
		);
	});
});
