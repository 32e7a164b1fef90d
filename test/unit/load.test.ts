import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { findJsonError } from "../../src/registry/json-error.ts";
import {
	buildSnapshotData,
	type InvalidEntries,
	loadRegistryBytes,
	parseRegistryJson,
	RegistryLoadError,
	type SnapshotData,
} from "../../src/registry/load.ts";
import { emptySnapshotData, type ListQuery, Snapshot } from "../../src/registry/snapshot.ts";

type Obj = Record<string, unknown>;

const MTIME = new Date("2025-01-01T00:00:00Z");
const MTIME_ISO = "2025-01-01T00:00:00Z";
const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
const OFFICIAL = "io.modelcontextprotocol.registry/official";
const OFFICIAL_FIELD = `_meta["${OFFICIAL}"]`;
const FILE = "test.json";

function server(name: string, version: string, extra: Obj = {}): Obj {
	return { $schema: SCHEMA, name, description: "A test server", version, ...extra };
}

/** An API list item; `official` undefined → no _meta at all. */
function item(doc: unknown, official?: Obj, otherMeta: Obj = {}): Obj {
	if (official === undefined && Object.keys(otherMeta).length === 0) return { server: doc };
	return { server: doc, _meta: { ...otherMeta, ...(official ? { [OFFICIAL]: official } : {}) } };
}

const api = (...items: unknown[]) => ({ servers: items });

function build(doc: unknown, invalidEntries: InvalidEntries = "reject"): SnapshotData {
	return buildSnapshotData(doc, { file: FILE, invalidEntries, mtime: MTIME });
}

function loadError(fn: () => unknown): RegistryLoadError {
	try {
		fn();
	} catch (err) {
		expect(err).toBeInstanceOf(RegistryLoadError);
		return err as RegistryLoadError;
	}
	throw new Error("expected a RegistryLoadError");
}

const decoder = new TextDecoder();

function entries(data: SnapshotData): Obj[] {
	const snap = new Snapshot(data);
	const out: Obj[] = [];
	for (let i = 0; i < snap.count; i++) out.push(JSON.parse(decoder.decode(snap.entry(i))) as Obj);
	return out;
}

function officialOf(entry: Obj): Obj {
	return (entry._meta as Obj)[OFFICIAL] as Obj;
}

/** name@version of every entry with isLatest true, from the serialised entries. */
function latestOf(data: SnapshotData): string[] {
	return entries(data)
		.filter((e) => officialOf(e).isLatest === true)
		.map((e) => `${(e.server as Obj).name}@${(e.server as Obj).version}`);
}

const bytes = (text: string) => new TextEncoder().encode(text);

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
		expect(data.shape).toBe("api");
		expect(data.report.shape).toBe("api");
		expect(data.count).toBe(2);
		expect(data.nameCount).toBe(2);
		expect(data.names).toEqual(["io.github.a/one", "io.github.a/two"]);
		expect(data.versions).toEqual(["1.0.0", "0.1.0"]);
		expect(data.report).toMatchObject({ file: FILE, total: 2, loaded: 2, skipped: 0, errors: [] });
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
		expect(data.shape).toBe("api");
		expect(data.count).toBe(0);
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
		expect(data.shape).toBe("fork");
		expect(data.count).toBe(2);
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
		expect(data.shape).toBe("fork");
		const official = officialOf(entries(data)[0] as Obj);
		expect(official.status).toBe("deprecated");
		expect(official.publishedAt).toBe("2025-05-05T05:05:05Z");
	});

	test("seed shape (bare array of server.json documents) is detected and loaded", () => {
		const data = build([server("io.github.s/one", "1.0.0"), server("io.github.s/two", "2.0.0")]);
		expect(data.shape).toBe("seed");
		expect(data.count).toBe(2);
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
		expect(data.shape).toBe("seed");
		expect(data.count).toBe(0);
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
		expect(data.count).toBe(1);
		expect(data.source).toBe(FILE);
		expect(data.fileBytes).toBe(b.byteLength);
		expect(data.contentHash).toBe(createHash("sha256").update(b).digest("hex"));
	});

	test("a UTF-8 byte order mark is dropped", () => {
		const text = JSON.stringify([server("io.github.a/b", "1.0.0")]);
		const b = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(text)]);
		const data = loadRegistryBytes(b, { file: FILE, mtime: MTIME, invalidEntries: "reject" });
		expect(data.count).toBe(1);
		expect(data.shape).toBe("seed");
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
		expect(fork.shape).toBe("fork");
		expect(fork.count).toBe(4);
		expect(latestOf(fork)).toEqual([
			"io.github.domdomegg/airtable-mcp-server@1.7.3",
			"io.github.domdomegg/time-mcp-nuget@1.0.8",
			"io.github.domdomegg/time-mcp-pypi@1.0.6",
		]);
		const page = loadRegistryBytes(readFileSync("test/fixtures/real-api-page-30-entries.json"), {
			file: "page",
			...opts,
		});
		expect(page.shape).toBe("api");
		expect(page.count).toBe(30);
		const seed = loadRegistryBytes(readFileSync("test/fixtures/real-seed-358-servers.json"), {
			file: "seed",
			...opts,
		});
		expect(seed.shape).toBe("seed");
		expect(seed.count).toBe(358);
		// data.md: 65 of the 358 real servers have an empty description (a warning, not an error)
		expect(
			seed.report.warnings.filter((w) => w.field === "description" && w.message === "is empty"),
		).toHaveLength(65);
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

interface ErrorCase {
	label: string;
	/** The bad item, placed second in an API list after a valid one. */
	bad: unknown;
	/** Field as it appears in the report; undefined to skip the check. */
	field: string | undefined;
	message: string;
}

const okPackage = { registryType: "npm", identifier: "pkg", transport: { type: "stdio" } };

const ERROR_CASES: ErrorCase[] = [
	{ label: "item not an object", bad: 42, field: "", message: "expected an object" },
	{ label: "item an array", bad: [], field: "", message: "expected an object" },
	{
		label: "server document not an object",
		bad: { server: "x" },
		field: "server",
		message: "expected a server.json object",
	},
	{ label: "server document missing", bad: { _meta: {} }, field: "server", message: "is required" },
	{
		label: "name missing",
		bad: item({ $schema: SCHEMA, description: "d", version: "1.0.0" }),
		field: "server.name",
		message: "is required",
	},
	{
		label: "name not a string",
		bad: item({ $schema: SCHEMA, name: 7, description: "d", version: "1.0.0" }),
		field: "server.name",
		message: "expected a string",
	},
	{
		label: "name not matching the pattern",
		bad: item(server("no-slash-here", "1.0.0")),
		field: "server.name",
		message: "must match",
	},
	{
		label: "name with two slashes",
		bad: item(server("io.github/a/b", "1.0.0")),
		field: "server.name",
		message: "must match",
	},
	{
		label: "name with a space",
		bad: item(server("io.github.a/b c", "1.0.0")),
		field: "server.name",
		message: "must match",
	},
	{ label: "name too short", bad: item(server("a/", "1.0.0")), field: "server.name", message: "3 to 200" },
	{
		label: "name too long",
		bad: item(server(`a/${"b".repeat(199)}`, "1.0.0")),
		field: "server.name",
		message: "3 to 200",
	},
	{
		label: "version missing",
		bad: item({ $schema: SCHEMA, name: "io.github.a/x", description: "d" }),
		field: "server.version",
		message: "is required",
	},
	{
		label: "version empty",
		bad: item(server("io.github.a/x", "")),
		field: "server.version",
		message: "must not be empty",
	},
	{
		label: "version longer than 255",
		bad: item(server("io.github.a/x", "1".repeat(256))),
		field: "server.version",
		message: "at most 255",
	},
	{
		label: "version latest",
		bad: item(server("io.github.a/x", "latest")),
		field: "server.version",
		message: '"latest"',
	},
	{
		label: "version not a string",
		bad: item({ $schema: SCHEMA, name: "io.github.a/x", description: "d", version: 1 }),
		field: "server.version",
		message: "expected a string",
	},
	{
		label: "description missing",
		bad: item({ $schema: SCHEMA, name: "io.github.a/x", version: "1.0.0" }),
		field: "server.description",
		message: "is required",
	},
	{
		label: "description not a string",
		bad: item(server("io.github.a/x", "1.0.0", { description: 5 })),
		field: "server.description",
		message: "expected a string",
	},
	{
		label: "repository not an object",
		bad: item(server("io.github.a/x", "1.0.0", { repository: "https://github.com/a/x" })),
		field: "server.repository",
		message: "expected an object",
	},
	{
		label: "repository.url not a string",
		bad: item(server("io.github.a/x", "1.0.0", { repository: { url: 1, source: "github" } })),
		field: "server.repository.url",
		message: "expected a string",
	},
	{
		label: "packages not an array",
		bad: item(server("io.github.a/x", "1.0.0", { packages: {} })),
		field: "server.packages",
		message: "expected an array",
	},
	{
		label: "package missing identifier",
		bad: item(
			server("io.github.a/x", "1.0.0", { packages: [{ registryType: "npm", transport: { type: "stdio" } }] }),
		),
		field: "server.packages[0].identifier",
		message: "is required",
	},
	{
		label: "remotes not an array",
		bad: item(server("io.github.a/x", "1.0.0", { remotes: "https://x" })),
		field: "server.remotes",
		message: "expected an array",
	},
	{
		label: "remote without url",
		bad: item(server("io.github.a/x", "1.0.0", { remotes: [{ type: "sse" }] })),
		field: "server.remotes[0].url",
		message: "is required",
	},
	{
		label: "transport not an object",
		bad: item(server("io.github.a/x", "1.0.0", { packages: [{ ...okPackage, transport: "stdio" }] })),
		field: "server.packages[0].transport",
		message: "expected an object",
	},
	{
		label: "transport type not a string",
		bad: item(server("io.github.a/x", "1.0.0", { packages: [{ ...okPackage, transport: { type: 3 } }] })),
		field: "server.packages[0].transport.type",
		message: "expected a string",
	},
	{
		label: "packageArguments not an array",
		bad: item(server("io.github.a/x", "1.0.0", { packages: [{ ...okPackage, packageArguments: "--flag" }] })),
		field: "server.packages[0].packageArguments",
		message: "expected an array",
	},
	{
		label: "runtimeArguments item without type",
		bad: item(
			server("io.github.a/x", "1.0.0", { packages: [{ ...okPackage, runtimeArguments: [{ value: "x" }] }] }),
		),
		field: "server.packages[0].runtimeArguments[0].type",
		message: "is required",
	},
	{
		label: "icons not an array",
		bad: item(server("io.github.a/x", "1.0.0", { icons: "icon.png" })),
		field: "server.icons",
		message: "expected an array",
	},
	{
		label: "icon without src",
		bad: item(server("io.github.a/x", "1.0.0", { icons: [{ mimeType: "image/png" }] })),
		field: "server.icons[0].src",
		message: "is required",
	},
	{
		label: "status not active/deprecated/deleted",
		bad: item(server("io.github.a/x", "1.0.0"), { status: "gone" }),
		field: `${OFFICIAL_FIELD}.status`,
		message: "must be one of active, deprecated, deleted",
	},
	{
		label: "unparseable publishedAt",
		bad: item(server("io.github.a/x", "1.0.0"), { publishedAt: "yesterday" }),
		field: `${OFFICIAL_FIELD}.publishedAt`,
		message: "RFC 3339",
	},
	{
		label: "impossible updatedAt (Feb 30)",
		bad: item(server("io.github.a/x", "1.0.0"), { updatedAt: "2025-02-30T00:00:00Z" }),
		field: `${OFFICIAL_FIELD}.updatedAt`,
		message: "RFC 3339",
	},
	{
		label: "statusChangedAt not a string",
		bad: item(server("io.github.a/x", "1.0.0"), { statusChangedAt: 1735689600 }),
		field: `${OFFICIAL_FIELD}.statusChangedAt`,
		message: "RFC 3339",
	},
	{
		label: "isLatest not a boolean",
		bad: item(server("io.github.a/x", "1.0.0"), { isLatest: "yes" }),
		field: `${OFFICIAL_FIELD}.isLatest`,
		message: "expected a boolean",
	},
	{
		label: "_meta not an object",
		bad: { server: server("io.github.a/x", "1.0.0"), _meta: "x" },
		field: "_meta",
		message: "expected an object",
	},
	{
		label: "official meta not an object",
		bad: { server: server("io.github.a/x", "1.0.0"), _meta: { [OFFICIAL]: [] } },
		field: OFFICIAL_FIELD,
		message: "expected an object",
	},
	{
		label: "same (name, version) twice",
		bad: item(server("io.github.a/ok", "1.0.0")),
		field: "version",
		message: "duplicate of servers[0]",
	},
];

describe("validation errors", () => {
	const good = item(server("io.github.a/ok", "1.0.0"));

	for (const c of ERROR_CASES) {
		test(`${c.label}: reject fails the whole load, naming the entry and field`, () => {
			const err = loadError(() => build(api(good, c.bad), "reject"));
			expect(err.message).toContain("servers[1]");
			expect(err.message).toContain(c.message);
			if (c.field) expect(err.message).toContain(c.field);
			expect(err.message).toContain("1 invalid entry of 2");
			const report = err.report;
			expect(report).toBeDefined();
			expect(report?.errors.length).toBeGreaterThanOrEqual(1);
			for (const e of report?.errors ?? []) expect(e.entry).toBe("servers[1]");
			if (c.field !== undefined) {
				expect(report?.errors.map((e) => e.field)).toContain(c.field);
			}
		});

		test(`${c.label}: skip drops the entry and counts it`, () => {
			const data = build(api(good, c.bad), "skip");
			expect(data.count).toBe(1);
			expect(data.names).toEqual(["io.github.a/ok"]);
			expect(data.report.total).toBe(2);
			expect(data.report.loaded).toBe(1);
			expect(data.report.skipped).toBe(1);
			expect(data.report.errors.length).toBeGreaterThanOrEqual(1);
			expect(data.report.errors[0]?.entry).toBe("servers[1]");
			expect(data.report.errors.some((e) => e.message.includes(c.message))).toBe(true);
		});
	}

	test("the error names the entry by its name and version too", () => {
		const err = loadError(() => build(api(good, item(server("io.github.a/x", "latest")))));
		expect(err.message).toContain("servers[1] (io.github.a/x latest): server.version");
		expect(err.report?.errors[0]).toMatchObject({
			entry: "servers[1]",
			name: "io.github.a/x",
			version: "latest",
			field: "server.version",
		});
	});

	test("seed shape errors name the entry as [index]", () => {
		const err = loadError(() => build([server("io.github.a/ok", "1.0.0"), server("bad", "1.0.0")]));
		expect(err.message).toContain("[1] (bad 1.0.0): name must match");
	});

	test("a seed item that is not an object is an error", () => {
		const data = build([server("io.github.a/ok", "1.0.0"), "text", null], "skip");
		expect(data.count).toBe(1);
		expect(data.report.skipped).toBe(2);
		expect(data.report.errors.map((e) => e.entry)).toEqual(["[1]", "[2]"]);
	});

	test("duplicates: the first stays, later ones are dropped with skip", () => {
		const data = build(
			api(
				item(server("io.github.a/ok", "1.0.0", { description: "first" })),
				item(server("io.github.a/ok", "1.0.0", { description: "second" })),
				item(server("io.github.a/ok", "1.0.0", { description: "third" })),
			),
			"skip",
		);
		expect(data.count).toBe(1);
		expect(((entries(data)[0] as Obj).server as Obj).description).toBe("first");
		expect(data.report.errors.map((e) => [e.entry, e.message])).toEqual([
			["servers[1]", "duplicate of servers[0]: the same name and version appear twice"],
			["servers[2]", "duplicate of servers[0]: the same name and version appear twice"],
		]);
	});

	test("the same version under different names is not a duplicate", () => {
		const data = build(api(item(server("io.github.a/x", "1.0.0")), item(server("io.github.a/y", "1.0.0"))));
		expect(data.count).toBe(2);
	});

	test("boundaries: name of 3 and 200 characters, version of 255 characters are valid", () => {
		const data = build(
			api(
				item(server("a/b", "1.0.0")),
				item(server(`a/${"b".repeat(198)}`, "1.0.0")),
				item(server("io.github.a/x", "1".repeat(255))),
			),
		);
		expect(data.count).toBe(3);
	});

	test("several invalid entries are all reported; count in the message", () => {
		const err = loadError(() =>
			build(api(item(server("x", "1")), good, item(server("io.github.a/y", "")), 5)),
		);
		expect(err.message).toContain("3 invalid entries of 4");
		expect(err.message).toContain("servers[0]");
		expect(err.message).toContain("servers[2]");
		expect(err.message).toContain("servers[3]");
	});

	test("more than 20 errors are listed up to 20, then summarised", () => {
		const bad = Array.from({ length: 25 }, (_, i) => item(server(`bad${i}`, "1.0.0")));
		const err = loadError(() => build(api(...bad)));
		expect(err.message).toContain("25 invalid entries of 25");
		expect(err.message).toContain("servers[19]");
		expect(err.message).not.toContain("servers[20]");
		expect(err.message).toContain("and 5 more");
	});

	test("fork record: server_name must match value.name", () => {
		const doc = {
			servers: [
				{
					server_name: "io.github.f/other",
					version: "1.0.0",
					value: server("io.github.f/one", "1.0.0"),
				},
			],
		};
		const err = loadError(() => build(doc));
		expect(err.message).toContain("servers[0]");
		expect(err.message).toContain("server_name");
		expect(err.message).toContain('"io.github.f/other" does not match value.name "io.github.f/one"');
		expect(build(doc, "skip").count).toBe(0);
	});

	test("fork record: version must match value.version", () => {
		const doc = {
			servers: [
				{ server_name: "io.github.f/one", version: "2.0.0", value: server("io.github.f/one", "1.0.0") },
			],
		};
		const err = loadError(() => build(doc));
		expect(err.report?.errors[0]).toMatchObject({ entry: "servers[0]", field: "version" });
		expect(err.message).toContain("does not match value.version");
	});

	test("fork record: a record without value is an error", () => {
		const err = loadError(() =>
			build({ servers: [{ server_name: "io.github.f/one", version: "1.0.0", status: "active" }] }),
		);
		expect(err.report?.errors).toHaveLength(1);
		expect(err.report?.errors[0]).toMatchObject({ entry: "servers[0]", field: "value" });
	});

	test("fork record: a bad status and timestamp name the fork's field names", () => {
		const data = build(
			{
				servers: [
					{
						server_name: "io.github.f/a",
						version: "1.0.0",
						status: "gone",
						value: server("io.github.f/a", "1.0.0"),
					},
					{
						server_name: "io.github.f/b",
						version: "1.0.0",
						published_at: "not a time",
						value: server("io.github.f/b", "1.0.0"),
					},
					{
						server_name: "io.github.f/c",
						version: "1.0.0",
						value: { ...server("io.github.f/c", "1.0.0"), packages: "x" },
					},
				],
			},
			"skip",
		);
		expect(data.count).toBe(0);
		expect(data.report.errors.map((e) => [e.entry, e.field])).toEqual([
			["servers[0]", "status"],
			["servers[1]", "published_at"],
			["servers[2]", "value.packages"],
		]);
	});
});

describe("validation warnings", () => {
	test("an empty description is kept and warned about", () => {
		const data = build(api(item(server("io.github.a/x", "1.0.0", { description: "" }))));
		expect(data.count).toBe(1);
		expect(data.report.errors).toEqual([]);
		expect(data.report.warnings).toEqual([
			{
				entry: "servers[0]",
				name: "io.github.a/x",
				version: "1.0.0",
				field: "description",
				message: "is empty",
			},
		]);
		expect(((entries(data)[0] as Obj).server as Obj).description).toBe("");
	});

	test("a description over 100 characters is kept and warned about; exactly 100 is fine", () => {
		const data = build(
			api(
				item(server("io.github.a/long", "1.0.0", { description: "x".repeat(101) })),
				item(server("io.github.a/ok", "1.0.0", { description: "y".repeat(100) })),
			),
		);
		expect(data.count).toBe(2);
		expect(data.report.warnings).toEqual([
			{
				entry: "servers[0]",
				name: "io.github.a/long",
				version: "1.0.0",
				field: "description",
				message: "is longer than 100 characters",
			},
		]);
	});

	test("a missing $schema is kept and warned about", () => {
		const doc = server("io.github.a/x", "1.0.0");
		delete doc.$schema;
		const data = build([doc]);
		expect(data.count).toBe(1);
		expect(data.report.warnings).toEqual([
			{ entry: "[0]", name: "io.github.a/x", version: "1.0.0", field: "$schema", message: "is missing" },
		]);
	});

	test("the 2025-12-11 schema is accepted without a warning", () => {
		const data = build([
			server("io.github.a/x", "1.0.0", {
				$schema: "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
			}),
			server("io.github.a/y", "1.0.0"),
		]);
		expect(data.report.warnings).toEqual([]);
	});

	test("warnings do not stop a reject load and do not count as skipped", () => {
		const doc = server("io.github.a/x", "1.0.0", { description: "" });
		delete doc.$schema;
		const data = build([doc], "reject");
		expect(data.report.skipped).toBe(0);
		expect(data.report.warnings.map((w) => w.field).sort()).toEqual(["$schema", "description"]);
	});

	test("an invalid entry is not also warned about", () => {
		const data = build(api(item(server("bad", "1.0.0", { description: "" }))), "skip");
		expect(data.report.warnings).toEqual([]);
		expect(data.report.errors).toHaveLength(1);
	});
});

describe("entries served back", () => {
	test("unknown fields are kept verbatim, in order, at every level", () => {
		const doc = {
			$schema: SCHEMA,
			"x-custom": { nested: [1, { deep: null }, "s"], n: 1.5 },
			name: "io.github.a/x",
			description: "d",
			version: "1.0.0",
			title: "Title",
			websiteUrl: "https://example.com",
			repository: { url: "https://github.com/a/x", source: "github", extraRepo: true },
			packages: [{ ...okPackage, customPkg: { a: 1 }, transport: { type: "stdio", extraT: "t" } }],
			remotes: [{ type: "streamable-http", url: "https://x/mcp", customRemote: [] }],
			_meta: { "io.modelcontextprotocol.registry/publisher-provided": { tool: "x" } },
			zzz: "last",
		};
		const data = build(api(item(doc)));
		const out = (entries(data)[0] as Obj).server;
		expect(out).toEqual(doc);
		expect(JSON.stringify(out)).toBe(JSON.stringify(doc));
	});

	test("other _meta keys are kept beside the official one", () => {
		const data = build(
			api(
				item(
					server("io.github.a/x", "1.0.0"),
					{ status: "active", publishedAt: "2025-02-01T00:00:00Z" },
					{ "com.example/mirror": { source: "upstream", n: [1, 2] }, "io.example/other": "text" },
				),
			),
		);
		const meta = (entries(data)[0] as Obj)._meta as Obj;
		expect(meta["com.example/mirror"]).toEqual({ source: "upstream", n: [1, 2] });
		expect(meta["io.example/other"]).toBe("text");
		expect((meta[OFFICIAL] as Obj).publishedAt).toBe("2025-02-01T00:00:00Z");
		expect(Object.keys(meta).sort()).toEqual(["com.example/mirror", OFFICIAL, "io.example/other"].sort());
	});

	test("_meta without the official key gets it added beside the others", () => {
		const data = build(api({ server: server("io.github.a/x", "1.0.0"), _meta: { "com.example/x": 1 } }));
		const meta = (entries(data)[0] as Obj)._meta as Obj;
		expect(meta["com.example/x"]).toBe(1);
		expect((meta[OFFICIAL] as Obj).status).toBe("active");
	});

	test("unknown fields of the official object are kept", () => {
		const data = build(
			api(item(server("io.github.a/x", "1.0.0"), { status: "active", serverId: "abc-123" })),
		);
		expect(officialOf(entries(data)[0] as Obj).serverId).toBe("abc-123");
	});

	test("missing official fields get defaults: status active, timestamps the mtime, isLatest computed", () => {
		const data = build(
			api(item(server("io.github.a/x", "1.0.0")), item(server("io.github.a/x", "2.0.0"), {})),
		);
		const [a, b] = entries(data) as [Obj, Obj];
		expect(officialOf(a)).toEqual({
			status: "active",
			statusChangedAt: MTIME_ISO,
			publishedAt: MTIME_ISO,
			updatedAt: MTIME_ISO,
			isLatest: false,
		});
		expect(officialOf(b)).toEqual({
			status: "active",
			statusChangedAt: MTIME_ISO,
			publishedAt: MTIME_ISO,
			updatedAt: MTIME_ISO,
			isLatest: true,
		});
	});

	test("null official fields are treated as missing", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.0.0"), {
					status: null,
					publishedAt: null,
					updatedAt: null,
					isLatest: null,
				}),
			),
		);
		expect(officialOf(entries(data)[0] as Obj)).toMatchObject({
			status: "active",
			publishedAt: MTIME_ISO,
			updatedAt: MTIME_ISO,
			isLatest: true,
		});
	});

	test("the mtime passed in is the default, whatever it is", () => {
		const data = buildSnapshotData([server("io.github.a/x", "1.0.0")], {
			file: FILE,
			invalidEntries: "reject",
			mtime: new Date("2024-06-15T08:30:45.678Z"),
		});
		expect(officialOf(entries(data)[0] as Obj).publishedAt).toBe("2024-06-15T08:30:45.678Z");
	});

	test("timestamps are normalised to UTC; fractions kept, trailing zeros trimmed", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.0.0"), {
					publishedAt: "2025-03-01T12:00:00+02:00",
					updatedAt: "2025-03-01T10:00:00.500Z",
					statusChangedAt: "2025-03-01t05:00:00.123456789-05:00",
				}),
			),
		);
		const official = officialOf(entries(data)[0] as Obj);
		expect(official.publishedAt).toBe("2025-03-01T10:00:00Z");
		expect(official.updatedAt).toBe("2025-03-01T10:00:00.5Z");
		expect(official.statusChangedAt).toBe("2025-03-01T10:00:00.123456789Z");
		expect(data.published[0]).toBe("2025-03-01T10:00:00.000000000Z");
		expect(data.updated[0]).toBe("2025-03-01T10:00:00.500000000Z");
	});

	test("status and statusMessage are kept", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.0.0"), { status: "deprecated", statusMessage: "use io.github.a/y" }),
				item(server("io.github.a/y", "1.0.0"), { status: "deleted" }),
			),
		);
		const [x, y] = entries(data) as [Obj, Obj];
		expect(officialOf(x)).toMatchObject({ status: "deprecated", statusMessage: "use io.github.a/y" });
		expect(officialOf(y).status).toBe("deleted");
		expect("statusMessage" in officialOf(y)).toBe(false);
		expect([...data.status]).toEqual([1, 2]);
	});

	test("entry bytes are valid UTF-8 JSON with non-ASCII text intact", () => {
		const data = build([server("io.github.a/x", "1.0.0", { description: "Météo ☀️ 天気" })]);
		expect(((entries(data)[0] as Obj).server as Obj).description).toBe("Météo ☀️ 天気");
	});
});

describe("latest version", () => {
	const pub = (day: number) => `2025-01-${String(day).padStart(2, "0")}T00:00:00Z`;

	test("exactly one version flagged isLatest stands even if it is not the highest", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.0.0"), { isLatest: true, publishedAt: pub(1) }),
				item(server("io.github.a/x", "2.0.0"), { isLatest: false, publishedAt: pub(2) }),
				item(server("io.github.a/x", "3.0.0"), { publishedAt: pub(3) }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@1.0.0"]);
		expect([...data.latest]).toEqual([1, 0, 0]);
	});

	test("no version flagged: semver precedence, numerically", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.9.0"), { publishedAt: pub(3) }),
				item(server("io.github.a/x", "1.10.0"), { publishedAt: pub(1) }),
				item(server("io.github.a/x", "1.2.0"), { publishedAt: pub(2) }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@1.10.0"]);
	});

	test("all versions flagged false: computed", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.0.0"), { isLatest: false }),
				item(server("io.github.a/x", "2.0.0"), { isLatest: false }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@2.0.0"]);
	});

	test("a single version flagged false is still the latest", () => {
		const data = build(api(item(server("io.github.a/x", "1.0.0"), { isLatest: false })));
		expect(latestOf(data)).toEqual(["io.github.a/x@1.0.0"]);
	});

	test("several flagged: computed from all versions", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.0.0"), { isLatest: true }),
				item(server("io.github.a/x", "1.5.0"), { isLatest: true }),
				item(server("io.github.a/x", "2.0.0")),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@2.0.0"]);
	});

	test("pre-release is below the release even when published later", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.0.0-rc.1"), { publishedAt: pub(9) }),
				item(server("io.github.a/x", "1.0.0"), { publishedAt: pub(1) }),
				item(server("io.github.a/x", "1.0.0-beta.11"), { publishedAt: pub(8) }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@1.0.0"]);
	});

	test("a leading v counts as semver", () => {
		const data = build(api(item(server("io.github.a/x", "1.0.0")), item(server("io.github.a/x", "v2.0.0"))));
		expect(latestOf(data)).toEqual(["io.github.a/x@v2.0.0"]);
	});

	test("semver beats non-semver even when the non-semver one is newer", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "0.0.1"), { publishedAt: pub(1) }),
				item(server("io.github.a/x", "snapshot-2025"), { publishedAt: pub(20) }),
				item(server("io.github.a/x", "2.0"), { publishedAt: pub(21) }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@0.0.1"]);
	});

	test("neither semver: the later publishedAt wins", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "alpha"), { publishedAt: pub(3) }),
				item(server("io.github.a/x", "beta"), { publishedAt: pub(2) }),
				item(server("io.github.a/x", "zeta"), { publishedAt: pub(1) }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@alpha"]);
	});

	test("neither semver: publish times are compared as instants, after normalising offsets", () => {
		const data = build(
			api(
				// 2025-02-28T23:00:00Z
				item(server("io.github.a/x", "build-a"), { publishedAt: "2025-03-01T01:00:00+02:00" }),
				item(server("io.github.a/x", "build-b"), { publishedAt: "2025-02-28T23:30:00Z" }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@build-b"]);
	});

	test("neither semver: sub-second precision decides", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "r1"), { publishedAt: "2025-01-01T00:00:00.000000002Z" }),
				item(server("io.github.a/x", "r2"), { publishedAt: "2025-01-01T00:00:00.000000001Z" }),
				item(server("io.github.a/x", "r3"), { publishedAt: "2025-01-01T00:00:00Z" }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@r1"]);
	});

	test("each name is decided on its own", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.0.0"), { isLatest: true }),
				item(server("io.github.a/x", "2.0.0")),
				item(server("io.github.a/y", "1.0.0")),
				item(server("io.github.a/y", "3.0.0")),
				item(server("io.github.a/z", "0.1.0")),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@1.0.0", "io.github.a/y@3.0.0", "io.github.a/z@0.1.0"]);
	});

	test("the latest flags array agrees with the served isLatest", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.0.0")),
				item(server("io.github.a/x", "1.1.0")),
				item(server("io.github.a/y", "5.0.0")),
			),
		);
		const served = entries(data).map((e) => (officialOf(e).isLatest ? 1 : 0));
		expect([...data.latest]).toEqual(served);
		expect(served).toEqual([0, 1, 1]);
	});
});

describe("list order", () => {
	test("by name then version, by code-unit comparison", () => {
		const data = build([
			server("io.github.b/x", "1.0.0"),
			server("io.github.a/x", "1.9.0"),
			server("io.github.B/x", "1.0.0"),
			server("io.github.a/x", "10.0.0"),
			server("Io.github.z/x", "1.0.0"),
			server("io.github.a/x", "1.10.0"),
			server("io.github.a-b/x", "1.0.0"),
			server("io.github.a/x", "1.0.0-rc"),
			server("io.github.a/x", "1.0.0"),
		]);
		const order = data.names.map((n, i) => `${n}@${data.versions[i]}`);
		expect(order).toEqual([
			"Io.github.z/x@1.0.0",
			"io.github.B/x@1.0.0",
			"io.github.a-b/x@1.0.0",
			"io.github.a/x@1.0.0",
			"io.github.a/x@1.0.0-rc",
			"io.github.a/x@1.10.0",
			"io.github.a/x@1.9.0",
			"io.github.a/x@10.0.0",
			"io.github.b/x@1.0.0",
		]);
		// the serialised entries follow the same order
		expect(entries(data).map((e) => `${(e.server as Obj).name}@${(e.server as Obj).version}`)).toEqual(order);
		expect(data.nameCount).toBe(5);
	});
});

/**
 * A small registry for the Snapshot tests (list order shown):
 *  0 io.github.acme/alpha 1.0.0  active     pub 01-01 upd 01-10
 *  1 io.github.acme/alpha 1.5.0  active     pub 03-01 upd 03-01
 *  2 io.github.acme/alpha 2.0.0  active     pub 02-01 upd 02-10   latest
 *  3 io.github.acme/beta  1.0.0  deleted    pub 01-05 upd 03-05   latest (only version)
 *  4 io.github.acme/gamma 0.1.0  deprecated pub 01-07 upd 02-20   latest, "Weather FORECAST tool"
 *  5 io.github.zed/delta  1.0.0  active     pub 01-01 upd 01-01   description "nothing here"
 *  6 io.github.zed/delta  1.1.0  deleted    pub 02-01 upd 02-01   latest (deleted)
 */
function registry(): Snapshot {
	const d = (md: string) => `2025-${md}T00:00:00Z`;
	const e = (name: string, version: string, official: Obj, extra: Obj = {}) =>
		item(server(name, version, extra), official);
	const data = build(
		api(
			e("io.github.zed/delta", "1.1.0", {
				status: "deleted",
				publishedAt: d("02-01"),
				updatedAt: d("02-01"),
			}),
			e("io.github.acme/alpha", "2.0.0", { publishedAt: d("02-01"), updatedAt: d("02-10") }),
			e("io.github.acme/beta", "1.0.0", {
				status: "deleted",
				publishedAt: d("01-05"),
				updatedAt: d("03-05"),
			}),
			e("io.github.acme/alpha", "1.0.0", { publishedAt: d("01-01"), updatedAt: d("01-10") }),
			e(
				"io.github.acme/gamma",
				"0.1.0",
				{ status: "deprecated", publishedAt: d("01-07"), updatedAt: d("02-20") },
				{ description: "Weather FORECAST tool" },
			),
			e(
				"io.github.zed/delta",
				"1.0.0",
				{ publishedAt: d("01-01"), updatedAt: d("01-01") },
				{ description: "nothing here" },
			),
			e("io.github.acme/alpha", "1.5.0", { publishedAt: d("03-01"), updatedAt: d("03-01") }),
		),
	);
	return new Snapshot(data);
}

const ALL = [
	"io.github.acme/alpha@1.0.0",
	"io.github.acme/alpha@1.5.0",
	"io.github.acme/alpha@2.0.0",
	"io.github.acme/beta@1.0.0",
	"io.github.acme/gamma@0.1.0",
	"io.github.zed/delta@1.0.0",
	"io.github.zed/delta@1.1.0",
];

describe("Snapshot.list", () => {
	const snap = registry();
	const ids = (items: number[]) => items.map((i) => `${snap.data.names[i]}@${snap.data.versions[i]}`);
	const q = (extra: Partial<ListQuery> = {}): ListQuery => ({ limit: 100, includeDeleted: false, ...extra });
	const run = (extra: Partial<ListQuery> = {}) => {
		const r = snap.list(q(extra));
		return { ids: ids(r.items), more: r.more };
	};

	test("the fixture is in the expected order", () => {
		expect(ids([0, 1, 2, 3, 4, 5, 6])).toEqual(ALL);
		expect(snap.count).toBe(7);
	});

	test("deleted entries are hidden by default", () => {
		expect(run()).toEqual({
			ids: [
				"io.github.acme/alpha@1.0.0",
				"io.github.acme/alpha@1.5.0",
				"io.github.acme/alpha@2.0.0",
				"io.github.acme/gamma@0.1.0",
				"io.github.zed/delta@1.0.0",
			],
			more: false,
		});
	});

	test("includeDeleted shows them", () => {
		expect(run({ includeDeleted: true })).toEqual({ ids: ALL, more: false });
	});

	test("limit cuts the page and says more follow", () => {
		expect(run({ limit: 2 })).toEqual({
			ids: ["io.github.acme/alpha@1.0.0", "io.github.acme/alpha@1.5.0"],
			more: true,
		});
	});

	test("a limit equal to the number of matches says no more", () => {
		expect(run({ limit: 5 }).more).toBe(false);
		expect(run({ limit: 4 }).more).toBe(true);
		expect(run({ limit: 7, includeDeleted: true }).more).toBe(false);
	});

	test("more is false when only hidden entries follow", () => {
		// after delta@1.0.0 only the deleted delta@1.1.0 remains
		expect(run({ limit: 1, after: { name: "io.github.acme/gamma", version: "0.1.0" } })).toEqual({
			ids: ["io.github.zed/delta@1.0.0"],
			more: false,
		});
	});

	test("after (name, version) is strictly after it", () => {
		expect(run({ after: { name: "io.github.acme/alpha", version: "1.5.0" } }).ids).toEqual([
			"io.github.acme/alpha@2.0.0",
			"io.github.acme/gamma@0.1.0",
			"io.github.zed/delta@1.0.0",
		]);
	});

	test("after a name alone skips every version of it", () => {
		expect(run({ after: { name: "io.github.acme/alpha" }, includeDeleted: true }).ids).toEqual([
			"io.github.acme/beta@1.0.0",
			"io.github.acme/gamma@0.1.0",
			"io.github.zed/delta@1.0.0",
			"io.github.zed/delta@1.1.0",
		]);
	});

	test("after a position that is not in the registry continues at the next one", () => {
		expect(run({ after: { name: "io.github.acme/alpha", version: "1.2" } }).ids[0]).toBe(
			"io.github.acme/alpha@1.5.0",
		);
		expect(run({ after: { name: "io.github.b" }, includeDeleted: true }).ids[0]).toBe(
			"io.github.zed/delta@1.0.0",
		);
		expect(run({ after: { name: "a" } }).ids[0]).toBe("io.github.acme/alpha@1.0.0");
		expect(run({ after: { name: "zzz" } })).toEqual({ ids: [], more: false });
	});

	test("paging with limit 1 visits every item once", () => {
		const seen: string[] = [];
		let after: ListQuery["after"];
		for (let guard = 0; guard < 20; guard++) {
			const r = snap.list(q({ limit: 1, after, includeDeleted: true }));
			seen.push(...ids(r.items));
			if (!r.more) break;
			const last = r.items[r.items.length - 1] as number;
			after = { name: snap.data.names[last] as string, version: snap.data.versions[last] as string };
		}
		expect(seen).toEqual(ALL);
	});

	test("search matches the name, case-insensitively", () => {
		expect(run({ search: "alpha" }).ids).toEqual([
			"io.github.acme/alpha@1.0.0",
			"io.github.acme/alpha@1.5.0",
			"io.github.acme/alpha@2.0.0",
		]);
		expect(run({ search: "zed/" }).ids).toEqual(["io.github.zed/delta@1.0.0"]);
	});

	test("search matches the description, case-insensitively", () => {
		expect(run({ search: "forecast" }).ids).toEqual(["io.github.acme/gamma@0.1.0"]);
		expect(run({ search: "weather forecast" }).ids).toEqual(["io.github.acme/gamma@0.1.0"]);
	});

	test("search does not match across the name/description boundary or across entries", () => {
		// name "...gamma" followed by description "Weather..."
		expect(run({ search: "gammaweather" }).ids).toEqual([]);
		expect(run({ search: "gamma weather" }).ids).toEqual([]);
		// description "A test server" of one entry followed by the next entry's name
		expect(run({ search: "serverio" }).ids).toEqual([]);
	});

	test("search with no match is empty", () => {
		expect(run({ search: "no such thing" })).toEqual({ ids: [], more: false });
	});

	test("search matching in both name and description lists the entry once", () => {
		const s = new Snapshot(build([server("io.github.a/echo", "1.0.0", { description: "echo echo echo" })]));
		expect(s.list(q({ search: "echo" })).items).toEqual([0]);
	});

	test("search respects deleted, limit and more", () => {
		expect(run({ search: "io.github", limit: 3 })).toEqual({
			ids: ["io.github.acme/alpha@1.0.0", "io.github.acme/alpha@1.5.0", "io.github.acme/alpha@2.0.0"],
			more: true,
		});
		expect(run({ search: "delta" })).toEqual({ ids: ["io.github.zed/delta@1.0.0"], more: false });
		expect(run({ search: "delta", includeDeleted: true, limit: 1 })).toEqual({
			ids: ["io.github.zed/delta@1.0.0"],
			more: true,
		});
		expect(run({ search: "beta" })).toEqual({ ids: [], more: false });
	});

	test("search with after", () => {
		expect(run({ search: "alpha", after: { name: "io.github.acme/alpha", version: "1.0.0" } }).ids).toEqual([
			"io.github.acme/alpha@1.5.0",
			"io.github.acme/alpha@2.0.0",
		]);
		expect(run({ search: "test server", after: { name: "io.github.acme/gamma" } }).ids).toEqual([]);
	});

	test("search stays aligned when lower-casing changes a description's length", () => {
		// "İ" (U+0130) lower-cases to two code units: later entries must still be found exactly
		const s = new Snapshot(
			build([
				server("io.github.a/first", "1.0.0", { description: `${"İ".repeat(30)} İstanbul` }),
				server("io.github.a/second", "1.0.0", { description: "plain" }),
				server("io.github.a/third", "1.0.0", { description: "target word" }),
			]),
		);
		const found = (term: string) => s.list(q({ search: term })).items.map((i) => s.data.names[i]);
		expect(found("target")).toEqual(["io.github.a/third"]);
		expect(found("plain")).toEqual(["io.github.a/second"]);
		expect(found("second")).toEqual(["io.github.a/second"]);
		expect(found("i̇stanbul")).toEqual(["io.github.a/first"]);
	});

	test("control characters 0 and 1 in a description do not break the search index", () => {
		const s = new Snapshot(
			build([
				server("io.github.a/one", "1.0.0", { description: "a\u0000b\u0001c" }),
				server("io.github.a/two", "1.0.0", { description: "needle" }),
			]),
		);
		expect(s.list(q({ search: "needle" })).items.map((i) => s.data.names[i])).toEqual(["io.github.a/two"]);
		expect(s.list(q({ search: "a b c" })).items.map((i) => s.data.names[i])).toEqual(["io.github.a/one"]);
	});

	test("an empty search is no filter", () => {
		expect(run({ search: "" }).ids).toHaveLength(5);
	});

	test("version latest: only the latest of each name, deleted hidden unless asked", () => {
		expect(run({ version: "latest" }).ids).toEqual([
			"io.github.acme/alpha@2.0.0",
			"io.github.acme/gamma@0.1.0",
		]);
		expect(run({ version: "latest", includeDeleted: true }).ids).toEqual([
			"io.github.acme/alpha@2.0.0",
			"io.github.acme/beta@1.0.0",
			"io.github.acme/gamma@0.1.0",
			"io.github.zed/delta@1.1.0",
		]);
	});

	test("version exact match", () => {
		expect(run({ version: "1.0.0" }).ids).toEqual([
			"io.github.acme/alpha@1.0.0",
			"io.github.zed/delta@1.0.0",
		]);
		expect(run({ version: "1.0.0", includeDeleted: true }).ids).toEqual([
			"io.github.acme/alpha@1.0.0",
			"io.github.acme/beta@1.0.0",
			"io.github.zed/delta@1.0.0",
		]);
		expect(run({ version: "9.9.9" }).ids).toEqual([]);
		// no semver normalisation: v1.0.0 is not 1.0.0
		expect(run({ version: "v1.0.0" }).ids).toEqual([]);
	});

	test("updatedSince keeps entries updated strictly after it", () => {
		// alpha@2.0.0 was updated exactly at 02-10: excluded
		expect(run({ updatedSince: "2025-02-10T00:00:00.000000000Z", includeDeleted: true }).ids).toEqual([
			"io.github.acme/alpha@1.5.0",
			"io.github.acme/beta@1.0.0",
			"io.github.acme/gamma@0.1.0",
		]);
		expect(run({ updatedSince: "2025-02-09T23:59:59.999999999Z", includeDeleted: true }).ids).toEqual([
			"io.github.acme/alpha@1.5.0",
			"io.github.acme/alpha@2.0.0",
			"io.github.acme/beta@1.0.0",
			"io.github.acme/gamma@0.1.0",
		]);
		expect(run({ updatedSince: "2025-12-31T00:00:00.000000000Z", includeDeleted: true }).ids).toEqual([]);
	});

	test("filters combine", () => {
		expect(
			run({
				search: "acme",
				version: "latest",
				updatedSince: "2025-02-15T00:00:00.000000000Z",
				includeDeleted: true,
			}).ids,
		).toEqual(["io.github.acme/beta@1.0.0", "io.github.acme/gamma@0.1.0"]);
	});

	test("an empty snapshot lists nothing", () => {
		const empty = new Snapshot(emptySnapshotData("none"));
		expect(empty.count).toBe(0);
		expect(empty.list(q({ includeDeleted: true }))).toEqual({ items: [], more: false });
		expect(empty.list(q({ search: "x" }))).toEqual({ items: [], more: false });
		expect(empty.versions("io.github.a/b", true)).toBeUndefined();
		expect(empty.find("io.github.a/b", "latest", true)).toBeUndefined();
	});
});

describe("Snapshot.versions and Snapshot.find", () => {
	const snap = registry();
	const ids = (items: number[] | undefined) => items?.map((i) => snap.data.versions[i]);
	const at = (i: number | undefined) =>
		i === undefined ? undefined : `${snap.data.names[i]}@${snap.data.versions[i]}`;

	test("versions: newest publishedAt first", () => {
		// published: 1.5.0 03-01, 2.0.0 02-01, 1.0.0 01-01
		expect(ids(snap.versions("io.github.acme/alpha", false))).toEqual(["1.5.0", "2.0.0", "1.0.0"]);
	});

	test("versions: deleted hidden unless asked", () => {
		expect(ids(snap.versions("io.github.zed/delta", false))).toEqual(["1.0.0"]);
		expect(ids(snap.versions("io.github.zed/delta", true))).toEqual(["1.1.0", "1.0.0"]);
	});

	test("versions: every version hidden → undefined; with includeDeleted → shown", () => {
		expect(snap.versions("io.github.acme/beta", false)).toBeUndefined();
		expect(ids(snap.versions("io.github.acme/beta", true))).toEqual(["1.0.0"]);
	});

	test("versions: unknown name → undefined", () => {
		expect(snap.versions("io.github.acme/nope", true)).toBeUndefined();
		expect(snap.versions("io.github.acme", true)).toBeUndefined();
	});

	test("versions: order uses the full precision of publishedAt", () => {
		const s = new Snapshot(
			build(
				api(
					item(server("io.github.a/x", "a"), { publishedAt: "2025-01-01T00:00:00.000000001Z" }),
					item(server("io.github.a/x", "b"), { publishedAt: "2025-01-01T00:00:00.1Z" }),
					item(server("io.github.a/x", "c"), { publishedAt: "2025-01-01T00:00:00Z" }),
					item(server("io.github.a/x", "d"), { publishedAt: "2025-01-01T01:00:00+02:00" }),
				),
			),
		);
		expect(s.versions("io.github.a/x", false)?.map((i) => s.data.versions[i])).toEqual(["b", "a", "c", "d"]);
	});

	test("find: latest", () => {
		expect(at(snap.find("io.github.acme/alpha", "latest", false))).toBe("io.github.acme/alpha@2.0.0");
		expect(at(snap.find("io.github.acme/gamma", "latest", false))).toBe("io.github.acme/gamma@0.1.0");
	});

	test("find: exact version", () => {
		expect(at(snap.find("io.github.acme/alpha", "1.5.0", false))).toBe("io.github.acme/alpha@1.5.0");
		expect(snap.find("io.github.acme/alpha", "3.0.0", true)).toBeUndefined();
		expect(snap.find("io.github.acme/nope", "1.0.0", true)).toBeUndefined();
	});

	test("find: a deleted match is hidden unless asked", () => {
		expect(snap.find("io.github.acme/beta", "1.0.0", false)).toBeUndefined();
		expect(at(snap.find("io.github.acme/beta", "1.0.0", true))).toBe("io.github.acme/beta@1.0.0");
	});

	test("find: a deleted latest is hidden unless asked", () => {
		expect(snap.find("io.github.zed/delta", "latest", false)).toBeUndefined();
		expect(at(snap.find("io.github.zed/delta", "latest", true))).toBe("io.github.zed/delta@1.1.0");
		// the non-deleted version is still found by its number
		expect(at(snap.find("io.github.zed/delta", "1.0.0", false))).toBe("io.github.zed/delta@1.0.0");
	});

	test("find returns the entry whose bytes are that version", () => {
		const i = snap.find("io.github.acme/alpha", "latest", false);
		expect(i).toBeDefined();
		const e = JSON.parse(decoder.decode(snap.entry(i as number))) as Obj;
		expect((e.server as Obj).version).toBe("2.0.0");
		expect(officialOf(e).isLatest).toBe(true);
	});
});

describe("findJsonError", () => {
	test("valid JSON → undefined", () => {
		for (const text of [
			"{}",
			"[]",
			' \n\t{ "a" : [1, -2.5e+3, true, false, null, "s\\n\\u00e9\\"", {}] }\r\n',
			"42",
			'"just a string"',
			JSON.stringify({ servers: [{ server: { name: "a/b", nested: [[[]]] } }] }, null, 2),
		]) {
			expect([text, findJsonError(text)]).toEqual([text, undefined]);
		}
	});

	test("missing comma between object members", () => {
		expect(findJsonError('{"a": 1\n "b": 2}')).toMatchObject({ line: 2, column: 2, offset: 9 });
	});

	test("missing comma between array items on another line", () => {
		const text = '{\n  "servers": [\n    {"a": 1}\n    {"b": 2}\n  ]\n}';
		const e = findJsonError(text);
		expect(e).toMatchObject({ line: 4, column: 5 });
		expect(e?.message).toContain('expected "," or "]"');
		expect(text[e?.offset as number]).toBe("{");
	});

	test("trailing comma in an array", () => {
		expect(findJsonError("[1, 2,]")).toMatchObject({ line: 1, column: 7, offset: 6 });
	});

	test("trailing comma in an object", () => {
		const e = findJsonError('{\n  "a": 1,\n}');
		expect(e).toMatchObject({ line: 3, column: 1 });
		expect(e?.message).toContain("property name");
	});

	test("unterminated string", () => {
		const e = findJsonError('{"a": "abc');
		expect(e).toMatchObject({ line: 1, column: 11, offset: 10 });
		expect(e?.message).toContain("unterminated string");
	});

	test("trailing garbage after the value", () => {
		const e = findJsonError('{"a": 1}\n  x');
		expect(e).toMatchObject({ line: 2, column: 3 });
		expect(e?.message).toContain("after the JSON value");
	});

	test("unexpected end of input", () => {
		expect(findJsonError('{"a": [1, 2')?.message).toContain("end of input");
		expect(findJsonError("")?.message).toContain("end of input");
	});

	test("other errors: bad literal, missing colon, bad escape, control character, bad number", () => {
		expect(findJsonError("[tru]")).toMatchObject({ column: 2 });
		expect(findJsonError('{"a" 1}')).toMatchObject({ column: 6 });
		expect(findJsonError('["\\x"]')).toMatchObject({ column: 3 });
		expect(findJsonError('["a\tb"]')).toMatchObject({ column: 4 });
		expect(findJsonError("[-]")).toMatchObject({ column: 2 });
		expect(findJsonError("[01]")).toMatchObject({ column: 3 });
		expect(findJsonError("{'a': 1}")).toMatchObject({ column: 2 });
	});

	test("agrees with JSON.parse on which texts are invalid", () => {
		const texts = [
			"{}",
			"{,}",
			"[1,,2]",
			"[1 2]",
			'{"a":1}}',
			'["\\u12"]',
			'["\\u1234"]',
			"1.",
			".5",
			"1e",
			"-0",
			"[NaN]",
			"\u00a0[]",
			"[] \n",
			'"\u2028"',
			"nul",
			'{"a":{"b":[{"c":null}]}}',
		];
		for (const text of texts) {
			let parses = true;
			try {
				JSON.parse(text);
			} catch {
				parses = false;
			}
			expect([text, findJsonError(text) === undefined]).toEqual([text, parses]);
		}
	});

	test("deep nesting does not overflow", () => {
		const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
		expect(findJsonError(deep)).toBeUndefined();
		expect(findJsonError(`${"[".repeat(100_000)}`)?.message).toContain("end of input");
	});
});
