/**
 * The three shapes of a registry file, and reading one: each shape is detected and loaded, and
 * what fits no shape, is not UTF-8 or not JSON fails naming the file (and the position).
 */
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadRegistryBytes, parseRegistryJson } from "../../src/registry/load.ts";
import { Snapshot } from "../../src/registry/snapshot.ts";
import {
	api,
	build,
	bytes,
	entries,
	FILE,
	item,
	latestOf,
	loadError,
	MTIME,
	MTIME_ISO,
	type Obj,
	OFFICIAL,
	officialOf,
	server,
} from "../support/registry-docs.ts";

describe("shapes", () => {
	test("API list shape is detected and loaded", () => {
		const data = build({
			servers: [
				item(server("io.github.a/one", "1.0.0"), {
					status: "active",
					publishedAt: "2025-02-01T00:00:00Z",
					updatedAt: "2025-02-02T00:00:00Z",
					statusChangedAt: "2025-02-01T00:00:00Z",
					isLatest: true,
				}),
				item(server("io.github.a/two", "0.1.0")),
			],
			metadata: { count: 2, nextCursor: "ignored" },
		});
		expect(data.provenance.shape).toBe("api");
		expect(data.provenance.report.shape).toBe("api");
		expect(data.index.count).toBe(2);
		expect(data.index.nameCount).toBe(2);
		expect(data.index.names).toEqual(["io.github.a/one", "io.github.a/two"]);
		expect(data.index.versions).toEqual(["1.0.0", "0.1.0"]);
		expect(data.provenance.report).toMatchObject({
			file: FILE,
			total: 2,
			loaded: 2,
			skipped: 0,
			errors: { count: 0, entries: 0, first: [] },
		});
		const [first] = entries(data);
		expect(first).toEqual({
			server: server("io.github.a/one", "1.0.0"),
			_meta: {
				[OFFICIAL]: {
					status: "active",
					statusChangedAt: "2025-02-01T00:00:00Z",
					publishedAt: "2025-02-01T00:00:00Z",
					updatedAt: "2025-02-02T00:00:00Z",
					isLatest: true,
				},
			},
		});
	});

	test("an empty API list loads as an empty registry", () => {
		const data = build({ servers: [] });
		expect(data.provenance.shape).toBe("api");
		expect(data.index.count).toBe(0);
		expect(new Snapshot(data).list({ limit: 30, includeDeleted: true })).toEqual({ items: [], more: false });
	});

	test("fork record shape is detected and loaded, its fields become the official metadata", () => {
		const data = build({
			servers: [
				{
					server_name: "io.github.f/one",
					version: "1.0.0",
					status: "deprecated",
					published_at: "2025-03-01T12:00:00+02:00",
					updated_at: "2025-03-02T00:00:00.123456789Z",
					is_latest: true,
					value: server("io.github.f/one", "1.0.0"),
				},
				{
					server_name: "io.github.f/one",
					version: "2.0.0",
					status: "active",
					published_at: "2025-04-01T00:00:00Z",
					updated_at: "2025-04-01T00:00:00Z",
					is_latest: false,
					value: server("io.github.f/one", "2.0.0"),
				},
			],
		});
		expect(data.provenance.shape).toBe("fork");
		expect(data.index.count).toBe(2);
		const [v1, v2] = entries(data) as [Obj, Obj];
		expect(v1.server).toEqual(server("io.github.f/one", "1.0.0"));
		expect(officialOf(v1)).toEqual({
			status: "deprecated",
			statusChangedAt: "2025-03-02T00:00:00.123456789Z",
			publishedAt: "2025-03-01T10:00:00Z",
			updatedAt: "2025-03-02T00:00:00.123456789Z",
			isLatest: true,
		});
		// exactly one version flagged is_latest: that flag stands even though 2.0.0 is higher
		expect(officialOf(v2).isLatest).toBe(false);
		// the fork's field names do not leak into the served entry
		expect(Object.keys(v1).sort()).toEqual(["_meta", "server"]);
	});

	test("fork record meta fills the gaps of the outer fields", () => {
		const data = build({
			servers: [
				{
					server_name: "io.github.f/one",
					version: "1.0.0",
					value: server("io.github.f/one", "1.0.0"),
					meta: { status: "deprecated", publishedAt: "2025-05-05T05:05:05Z" },
				},
			],
		});
		expect(data.provenance.shape).toBe("fork");
		const official = officialOf(entries(data)[0] as Obj);
		expect(official.status).toBe("deprecated");
		expect(official.publishedAt).toBe("2025-05-05T05:05:05Z");
	});

	test("seed shape (bare array of server.json documents) is detected and loaded", () => {
		const data = build([server("io.github.s/one", "1.0.0"), server("io.github.s/two", "2.0.0")]);
		expect(data.provenance.shape).toBe("seed");
		expect(data.index.count).toBe(2);
		const [first] = entries(data) as [Obj];
		expect(first.server).toEqual(server("io.github.s/one", "1.0.0"));
		expect(officialOf(first)).toEqual({
			status: "active",
			statusChangedAt: MTIME_ISO,
			publishedAt: MTIME_ISO,
			updatedAt: MTIME_ISO,
			isLatest: true,
		});
	});

	test("an empty seed array loads as an empty registry", () => {
		const data = build([]);
		expect(data.provenance.shape).toBe("seed");
		expect(data.index.count).toBe(0);
	});

	for (const [label, value] of [
		["an object without servers", { foo: 1 }],
		["a number", 42],
		["a string", "servers"],
		["null", null],
		["true", true],
		["servers as an object", { servers: {} }],
		["servers as a string", { servers: "x" }],
	] as [string, unknown][]) {
		test(`a top-level value fitting no shape fails: ${label}`, () => {
			const err = loadError(() => build(value));
			expect(err.message).toContain(FILE);
			expect(err.message).toContain("expected a JSON array of server.json documents");
			expect(err.message).toContain('"servers" array');
			expect(err.message).toContain("fork records");
		});
	}
});

describe("parseRegistryJson and loadRegistryBytes", () => {
	test("a JSON syntax error names the file, line and column", () => {
		const text = '{\n  "servers": [\n    {"a": 1}\n    {"b": 2}\n  ]\n}';
		const err = loadError(() => parseRegistryJson(text, "data/registry.json"));
		expect(err.message).toContain("data/registry.json");
		expect(err.message).toContain("line 4, column 5");
	});

	test("a JSON syntax error through loadRegistryBytes names the file and position too", () => {
		const err = loadError(() =>
			loadRegistryBytes(bytes('[\n  {"name": "x",}\n]'), {
				file: "reg.json",
				mtime: MTIME,
				invalidEntries: "reject",
			}),
		);
		expect(err.message).toContain("reg.json");
		expect(err.message).toContain("line 2, column 16");
	});

	test("an empty file fails with a message saying what was expected", () => {
		for (const text of ["", "   \n\t  "]) {
			const err = loadError(() => parseRegistryJson(text, FILE));
			expect(err.message).toContain(FILE);
			expect(err.message).toContain("empty");
			expect(err.message).toContain("expected a JSON array");
		}
		const err = loadError(() =>
			loadRegistryBytes(new Uint8Array(0), { file: FILE, mtime: MTIME, invalidEntries: "skip" }),
		);
		expect(err.message).toContain("empty");
	});

	test("valid JSON parses", () => {
		expect(parseRegistryJson('{"servers":[]}', FILE)).toEqual({ servers: [] });
	});

	test("loadRegistryBytes loads, records the content hash and size", () => {
		const text = JSON.stringify(api(item(server("io.github.a/b", "1.0.0"))));
		const b = bytes(text);
		const data = loadRegistryBytes(b, { file: FILE, mtime: MTIME, invalidEntries: "reject" });
		expect(data.index.count).toBe(1);
		expect(data.provenance.source).toBe(FILE);
		expect(data.provenance.fileBytes).toBe(b.byteLength);
		expect(data.provenance.contentHash).toBe(createHash("sha256").update(b).digest("hex"));
	});

	test("a UTF-8 byte order mark is dropped", () => {
		const text = JSON.stringify([server("io.github.a/b", "1.0.0")]);
		const b = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(text)]);
		const data = loadRegistryBytes(b, { file: FILE, mtime: MTIME, invalidEntries: "reject" });
		expect(data.index.count).toBe(1);
		expect(data.provenance.shape).toBe("seed");
	});

	test("bytes that are not UTF-8 fail naming the file", () => {
		const err = loadError(() =>
			loadRegistryBytes(new Uint8Array([0x5b, 0xff, 0xfe, 0x5d]), {
				file: FILE,
				mtime: MTIME,
				invalidEntries: "skip",
			}),
		);
		expect(err.message).toContain(FILE);
		expect(err.message).toContain("UTF-8");
	});

	test("the shipped fixtures load in their shapes", () => {
		const opts = { mtime: MTIME, invalidEntries: "reject" as const };
		const fork = loadRegistryBytes(readFileSync("test/fixtures/fork-loader-format-4-records.json"), {
			file: "fork",
			...opts,
		});
		expect(fork.provenance.shape).toBe("fork");
		expect(fork.index.count).toBe(4);
		expect(latestOf(fork)).toEqual([
			"io.github.domdomegg/airtable-mcp-server@1.7.3",
			"io.github.domdomegg/time-mcp-nuget@1.0.8",
			"io.github.domdomegg/time-mcp-pypi@1.0.6",
		]);
		const page = loadRegistryBytes(readFileSync("test/fixtures/real-api-page-30-entries.json"), {
			file: "page",
			...opts,
		});
		expect(page.provenance.shape).toBe("api");
		expect(page.index.count).toBe(30);
		const seed = loadRegistryBytes(readFileSync("test/fixtures/real-seed-358-servers.json"), {
			file: "seed",
			...opts,
		});
		expect(seed.provenance.shape).toBe("seed");
		expect(seed.index.count).toBe(358);
		// data.md: 65 of the 358 real servers have an empty description (a warning, not an error)
		const { warnings } = seed.provenance.report;
		expect(warnings.kinds.find((k) => k.message === "description is empty")?.count).toBe(65);
		// every warning counted, only the first 20 kept whole
		expect(warnings.first).toHaveLength(20);
		expect(warnings.count).toBe(warnings.kinds.reduce((n, k) => n + k.count, 0));
	});

	test("the fixture's fork records serve their own timestamps with nanoseconds", () => {
		const fork = loadRegistryBytes(readFileSync("test/fixtures/fork-loader-format-4-records.json"), {
			file: "fork",
			mtime: MTIME,
			invalidEntries: "reject",
		});
		expect(officialOf(entries(fork)[0] as Obj).publishedAt).toBe("2025-11-04T20:13:58.529905274Z");
	});
});
