/**
 * The entry scanner behind streaming loads: it finds exactly the entries JSON.parse would,
 * refuses what it does not understand (the whole-text parse then reports), and a load through it
 * serves what a load of the parsed document serves. What JSON.parse lets through it refuses: a
 * key twice in one object (compared unescaped), nesting deeper than 64 levels.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSnapshotData, loadRegistryBytes, RegistryLoadError } from "../../src/registry/load.ts";
import { Snapshot } from "../../src/registry/snapshot.ts";
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
			'{"servers":{"a":1}}', // not an array
			'{"other":[]}', // no servers
			'[{"a":1} {"b":2}]', // missing comma
			'[{"a":1},]', // trailing comma
			'[{"a":"unterminated}]',
			'[{"a":1}] trailing',
			"42",
			"",
			'[{"a":[1}]', // brackets that do not match
			'[{"a":1]]',
		]) {
			expect(splitRegistry(enc(text)), text).toBeUndefined();
		}
	});

	test("finds the servers key however it is escaped", () => {
		expect(parts('{"serv\\u0065rs":[{"a":1}]}')).toEqual([{ a: 1 }]);
	});
});

/** A load of `text` that fails: its error. */
function loadFailure(text: string, invalidEntries: "reject" | "skip" = "reject"): RegistryLoadError {
	try {
		loadRegistryBytes(enc(text), { file: "hostile.json", mtime, invalidEntries });
	} catch (err) {
		expect(err).toBeInstanceOf(RegistryLoadError);
		return err as RegistryLoadError;
	}
	throw new Error(`loaded: ${text.slice(0, 200)}`);
}

const load = (text: string, invalidEntries: "reject" | "skip" = "reject") =>
	loadRegistryBytes(enc(text), { file: "hostile.json", mtime, invalidEntries });

const doc = (name: string, extra = "") =>
	`{"name":"${name}","description":"d","version":"1.0.0"${extra ? `,${extra}` : ""}}`;
const A = `{"server":${doc("io.github.a/a")}}`;
const B = `{"server":${doc("io.github.a/b")}}`;

describe("duplicate keys: refused wherever they are, never one copy silently chosen", () => {
	test("the servers key twice at the top level, however spelt, fails the file", () => {
		for (const text of [
			`{"servers":[${A}],"serv\\u0065rs":[${B}]}`, // JSON.parse and jq read B, a first-key reader A
			`{"servers":[${A}],"servers":[${B}]}`,
			`{"servers":[${A}],"servers":5}`,
			`{"servers":5,"servers":[${A}]}`,
		]) {
			const err = loadFailure(text);
			expect(err.message, text).toBe('hostile.json: the top-level object has a duplicate key "servers"');
			// skip does not help: the file itself is ambiguous
			expect(loadFailure(text, "skip").message).toContain("duplicate key");
		}
	});

	test("outside the entries, a duplicate fails the file naming its path", () => {
		expect(loadFailure(`{"metadata":{"count":1,"count":2},"servers":[${A}]}`).message).toBe(
			'hostile.json: metadata has a duplicate key "count"',
		);
		expect(loadFailure(`{"servers":[${A}],"metadata":{"x":[{"a":1},{"a":1,"\\u0061":2}]}}`).message).toBe(
			'hostile.json: metadata.x[1] has a duplicate key "a"',
		);
		expect(loadFailure(`{"servers":[],"servers":[]}`, "skip").message).toContain('duplicate key "servers"');
	});

	test("inside an entry, a duplicate is that entry's error, naming its path", () => {
		const pkg = '{"registryType":"npm","identifier":"x","transport":{"type":"stdio"},"identifier":"y"}';
		const bad = `{"server":${doc("io.github.a/c", `"packages":[${pkg}]`)}}`;
		const err = loadFailure(`{"servers":[${A},${B},${bad}]}`);
		expect(err.message).toContain('servers[2]: server.packages[0] has a duplicate key "identifier"');
		expect(err.report?.errors.first).toEqual([
			{ entry: "servers[2]", field: "server.packages[0]", message: 'has a duplicate key "identifier"' },
		]);
		// skip: the entry is dropped and counted, the others load
		const data = load(`{"servers":[${A},${bad},${B}]}`, "skip");
		expect(data.index.names).toEqual(["io.github.a/a", "io.github.a/b"]);
		expect(data.provenance.report.skipped).toBe(1);
	});

	test("keys are compared unescaped, at every level, in seeds and fork records too", () => {
		const cases: [string, string][] = [
			[
				`{"servers":[{"server":${doc("io.github.a/c")},"server":${doc("io.github.a/d")}}]}`,
				'servers[0]: the entry has a duplicate key "server"',
			],
			[
				`{"servers":[{"server":${doc("io.github.a/c", '"n\\u0061me":"io.github.a/d"')}}]}`,
				'servers[0]: server has a duplicate key "name"',
			],
			[`[${doc("io.github.a/c", '"version":"2.0.0"')}]`, '[0]: the entry has a duplicate key "version"'],
			[
				`{"servers":[{"server":${doc("io.github.a/c")},"_meta":{"io.example/x":{"k":[{"z":1,"z":2}]}}}]}`,
				'servers[0]: _meta["io.example/x"].k[0] has a duplicate key "z"',
			],
			[
				`{"servers":[{"server_name":"io.github.a/c","version":"1.0.0","status":"active","status":"deleted","value":${doc("io.github.a/c")}}]}`,
				'servers[0]: the entry has a duplicate key "status"',
			],
			// An escape that is the same character, and a key spelt with a surrogate pair.
			[`[${doc("io.github.a/c", '"x\\/":1,"x/":2')}]`, '[0]: the entry has a duplicate key "x/"'],
			[`[${doc("io.github.a/c", '"\\ud83d\\ude00":1,"😀":2')}]`, '[0]: the entry has a duplicate key "😀"'],
		];
		for (const [text, message] of cases) expect(loadFailure(text).message, text).toContain(message);
	});

	test("objects with many keys are checked as strictly", () => {
		const keys = Array.from({ length: 300 }, (_, i) => `"k${i}":${i}`);
		const many = `"_meta":{"io.example/x":{${keys.join(",")}}}`;
		expect(load(`{"servers":[{"server":${doc("io.github.a/c")},${many}}]}`).index.count).toBe(1);
		const again = `"_meta":{"io.example/x":{${keys.join(",")},"k7":0}}`;
		expect(loadFailure(`{"servers":[{"server":${doc("io.github.a/c")},${again}}]}`).message).toContain(
			'servers[0]: _meta["io.example/x"] has a duplicate key "k7"',
		);
	});

	test("the same key in different objects is no duplicate", () => {
		const text = `{"metadata":{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]},"servers":[${A},{"server":${doc(
			"io.github.a/b",
			'"repository":{"url":"https://u","source":"s"},"remotes":[{"type":"sse","url":"https://u"},{"type":"sse","url":"https://v"}]',
		)}}]}`;
		expect(load(text).index.count).toBe(2);
		expect(load(`[${doc("io.github.a/c", '"ab":1,"a":2,"b":3,"ba":4,"":5,"\\"":6')}]`).index.count).toBe(1);
	});

	test("a duplicate in an entry that is not JSON still fails as a syntax error", () => {
		expect(loadFailure(`[${doc("io.github.a/c", '"x":1,"x":2,}')}]`, "skip").message).toContain(
			"hostile.json: invalid JSON at line 1",
		);
	});
});

/** `{"x":` … `1` … `}` nested `levels` deep. */
const nested = (levels: number) => `${'{"x":'.repeat(levels)}1${"}".repeat(levels)}`;

describe("nesting deeper than 64 levels: refused, never a stack overflow", () => {
	test("an entry nested 100,000 levels deep is that entry's error, naming it", () => {
		const deep = `{"server":${doc("io.github.a/c")},"_meta":{"io.example/x":${nested(100_000)}}}`;
		const err = loadFailure(`{"servers":[${A},${deep}]}`);
		expect(err.message).toContain("hostile.json: 1 invalid entry of 2");
		expect(err.message).toContain('servers[1]: _meta["io.example/x"].x.x… is nested deeper than 64 levels');
		const data = load(`{"servers":[${A},${deep},${B}]}`, "skip");
		expect(data.index.names).toEqual(["io.github.a/a", "io.github.a/b"]);
		// arrays count as much as objects, in the seed shape too
		const arrays = `[${doc("io.github.a/c", `"_meta":{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`)}]`;
		expect(loadFailure(arrays).message).toContain("[0]: _meta.a[0][0]… is nested deeper than 64 levels");
	});

	test("64 levels, counting the file's own, load; 65 do not", () => {
		// The API shape's entry is level 3: {"servers": [ {entry
		const at = (levels: number) =>
			`{"servers":[{"server":${doc("io.github.a/c")},"_meta":{"io.example/x":${nested(levels - 4)}}}]}`;
		expect(load(at(64)).index.count).toBe(1);
		expect(loadFailure(at(65)).message).toContain("is nested deeper than 64 levels");
		const seedAt = (levels: number) => `[${doc("io.github.a/c", `"_meta":${nested(levels - 2)}`)}]`;
		expect(load(seedAt(64)).index.count).toBe(1);
		expect(loadFailure(seedAt(65)).message).toContain("[0]: _meta.x.x.x… is nested deeper than 64 levels");
	});

	test("outside the entries, deep nesting fails the file", () => {
		expect(loadFailure(`{"metadata":${nested(100_000)},"servers":[${A}]}`, "skip").message).toBe(
			"hostile.json: metadata.x.x.x.x… is nested deeper than 64 levels",
		);
	});

	test("a deep entry that is not JSON fails as a syntax error", () => {
		const text = `[${doc("io.github.a/c", `"_meta":${"[".repeat(1000)}`)}]`;
		expect(loadFailure(text, "skip").message).toContain("hostile.json: invalid JSON");
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
			const [streamedSnapshot, wholeSnapshot] = [new Snapshot(streamed), new Snapshot(whole)];
			for (let i = 0; i < streamed.index.count; i++) {
				const a = streamedSnapshot.entry(i);
				const b = wholeSnapshot.entry(i);
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
