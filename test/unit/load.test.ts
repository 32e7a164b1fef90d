/**
 * What a load accepts and refuses: every invalid entry named with its field (reject fails the
 * whole file, skip drops the entry), advisory problems kept as warnings, and the report's counts.
 */
import { describe, expect, test } from "bun:test";
import {
	api,
	build,
	entries,
	item,
	loadError,
	type Obj,
	OFFICIAL,
	OFFICIAL_FIELD,
	okPackage,
	SCHEMA,
	server,
} from "../support/registry-docs.ts";

interface ErrorCase {
	label: string;
	/** The bad item, placed second in an API list after a valid one. */
	bad: unknown;
	/** Field as it appears in the report; undefined to skip the check. */
	field: string | undefined;
	message: string;
}

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
	// Control characters (C0, DEL, C1) would be served, logged and used in keys as given.
	...(
		[
			["NUL", "1.0.0\u0000evil"],
			["a newline", "1.0.0\n"],
			["DEL", "1.0.0\u007f"],
			["a C1 control", "1.0.0\u0085"],
		] as const
	).map(([what, version]) => ({
		label: `version with ${what}`,
		bad: item(server("io.github.a/x", version)),
		field: "server.version",
		message: "must not contain control characters",
	})),
	...(
		[
			["NUL", "io.github.a/x\u0000"],
			["a tab", "io.github.a/\tx"],
			["a C1 control", "io.github.a\u009b/x"],
		] as const
	).map(([what, name]) => ({
		label: `name with ${what}`,
		bad: item(server(name, "1.0.0")),
		field: "server.name",
		message: "must not contain control characters",
	})),
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
			expect(report?.errors.count).toBeGreaterThanOrEqual(1);
			expect(report?.errors.entries).toBe(1);
			for (const e of report?.errors.first ?? []) expect(e.entry).toBe("servers[1]");
			if (c.field !== undefined) {
				expect(report?.errors.first.map((e) => e.field)).toContain(c.field);
			}
		});

		test(`${c.label}: skip drops the entry and counts it`, () => {
			const data = build(api(good, c.bad), "skip");
			expect(data.index.count).toBe(1);
			expect(data.index.names).toEqual(["io.github.a/ok"]);
			expect(data.provenance.report.total).toBe(2);
			expect(data.provenance.report.loaded).toBe(1);
			expect(data.provenance.report.skipped).toBe(1);
			expect(data.provenance.report.errors.count).toBeGreaterThanOrEqual(1);
			expect(data.provenance.report.errors.first[0]?.entry).toBe("servers[1]");
			expect(data.provenance.report.errors.first.some((e) => e.message.includes(c.message))).toBe(true);
		});
	}

	test("the error names the entry by its name and version too", () => {
		const err = loadError(() => build(api(good, item(server("io.github.a/x", "latest")))));
		expect(err.message).toContain("servers[1] (io.github.a/x latest): server.version");
		expect(err.report?.errors.first[0]).toMatchObject({
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
		expect(data.index.count).toBe(1);
		expect(data.provenance.report.skipped).toBe(2);
		expect(data.provenance.report.errors.first.map((e) => e.entry)).toEqual(["[1]", "[2]"]);
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
		expect(data.index.count).toBe(1);
		expect(((entries(data)[0] as Obj).server as Obj).description).toBe("first");
		expect(data.provenance.report.errors.first.map((e) => [e.entry, e.message])).toEqual([
			["servers[1]", "duplicate of servers[0]: the same name and version appear twice"],
			["servers[2]", "duplicate of servers[0]: the same name and version appear twice"],
		]);
	});

	test("the same version under different names is not a duplicate", () => {
		const data = build(api(item(server("io.github.a/x", "1.0.0")), item(server("io.github.a/y", "1.0.0"))));
		expect(data.index.count).toBe(2);
	});

	test("boundaries: name of 3 and 200 characters, version of 255 characters are valid", () => {
		const data = build(
			api(
				item(server("a/b", "1.0.0")),
				item(server(`a/${"b".repeat(198)}`, "1.0.0")),
				item(server("io.github.a/x", "1".repeat(255))),
			),
		);
		expect(data.index.count).toBe(3);
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
		expect(build(doc, "skip").index.count).toBe(0);
	});

	test("fork record: version must match value.version", () => {
		const doc = {
			servers: [
				{ server_name: "io.github.f/one", version: "2.0.0", value: server("io.github.f/one", "1.0.0") },
			],
		};
		const err = loadError(() => build(doc));
		expect(err.report?.errors.first[0]).toMatchObject({ entry: "servers[0]", field: "version" });
		expect(err.message).toContain("does not match value.version");
	});

	test("fork record: a record without value is an error", () => {
		const err = loadError(() =>
			build({ servers: [{ server_name: "io.github.f/one", version: "1.0.0", status: "active" }] }),
		);
		expect(err.report?.errors.count).toBe(1);
		expect(err.report?.errors.first).toHaveLength(1);
		expect(err.report?.errors.first[0]).toMatchObject({ entry: "servers[0]", field: "value" });
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
		expect(data.index.count).toBe(0);
		expect(data.provenance.report.errors.first.map((e) => [e.entry, e.field])).toEqual([
			["servers[0]", "status"],
			["servers[1]", "published_at"],
			["servers[2]", "value.packages"],
		]);
	});
});

describe("validation warnings", () => {
	test("an empty description is kept and warned about", () => {
		const data = build(api(item(server("io.github.a/x", "1.0.0", { description: "" }))));
		expect(data.index.count).toBe(1);
		expect(data.provenance.report.errors.first).toEqual([]);
		expect(data.provenance.report.warnings.first).toEqual([
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
		expect(data.index.count).toBe(2);
		expect(data.provenance.report.warnings.first).toEqual([
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
		expect(data.index.count).toBe(1);
		expect(data.provenance.report.warnings.first).toEqual([
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
		expect(data.provenance.report.warnings.first).toEqual([]);
	});

	test("warnings do not stop a reject load and do not count as skipped", () => {
		const doc = server("io.github.a/x", "1.0.0", { description: "" });
		delete doc.$schema;
		const data = build([doc], "reject");
		expect(data.provenance.report.skipped).toBe(0);
		expect(data.provenance.report.warnings.first.map((w) => w.field).sort()).toEqual([
			"$schema",
			"description",
		]);
	});

	test("an invalid entry is not also warned about", () => {
		const data = build(api(item(server("bad", "1.0.0", { description: "" }))), "skip");
		expect(data.provenance.report.warnings.first).toEqual([]);
		expect(data.provenance.report.errors.first).toHaveLength(1);
	});
});
