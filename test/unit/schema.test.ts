/**
 * Every constraint of server.json (src/registry/schema.ts): a valid and an invalid case each,
 * errors from validateServerDocument and warnings from advisories, each naming its field.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { advisories, isVersionRange, validateServerDocument } from "../../src/registry/schema.ts";
import { ROOT } from "../support/process.ts";

type Obj = Record<string, unknown>;
const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
const base = { $schema: SCHEMA, name: "io.github.a/b", description: "A server", version: "1.0.0" };
const pkg = (extra: Obj = {}) => ({
	registryType: "npm",
	identifier: "@a/b",
	version: "1.0.0",
	transport: { type: "stdio" },
	...extra,
});
const remote = (extra: Obj = {}) => ({ type: "streamable-http", url: "https://example.com/mcp", ...extra });

/** The fields with an error, for `doc` on top of a valid document. */
const errorFields = (extra: Obj) => validateServerDocument({ ...base, ...extra }).map((p) => p.field);

/** [constraint, valid document fields, invalid document fields, the field in error]. */
const ERRORS: [string, Obj, Obj, string][] = [
	["name pattern", { name: "io.github.a/b-c_d.e" }, { name: "no-slash" }, "name"],
	["name length", { name: "a/b" }, { name: `a/${"b".repeat(199)}` }, "name"],
	["version length", { version: "1".repeat(255) }, { version: "1".repeat(256) }, "version"],
	["version not empty", { version: "0" }, { version: "" }, "version"],
	["version not latest", { version: "1.0.0-latest" }, { version: "latest" }, "version"],
	["version not a caret range", { version: "1.0.0-rc.1+build" }, { version: "^1.0.0" }, "version"],
	["version not a tilde range", { version: "v1.2.3" }, { version: "~1" }, "version"],
	["version not a comparison", { version: "2025.10.1" }, { version: ">=1" }, "version"],
	["version not an x-range", { version: "1.0.0-x" }, { version: "1.x" }, "version"],
	["version not a wildcard", { version: "1.2.3-beta" }, { version: "*" }, "version"],
	["version not a union", { version: "1.2" }, { version: "1 || 2" }, "version"],
	["description is a string", { description: "" }, { description: 1 }, "description"],
	["title length", { title: "T" }, { title: "" }, "title"],
	["title at most 100", { title: "t".repeat(100) }, { title: "t".repeat(101) }, "title"],
	["$schema is a URI", { $schema: SCHEMA }, { $schema: "schema 2025-10-17" }, "$schema"],
	[
		"websiteUrl is a URI",
		{ websiteUrl: "https://example.com/docs" },
		{ websiteUrl: "example.com" },
		"websiteUrl",
	],
	[
		"repository.url is a URI",
		{ repository: { url: "https://github.com/a/b", source: "github" } },
		{ repository: { url: "github.com/a/b", source: "github" } },
		"repository.url",
	],
	[
		"repository is an object",
		{ repository: { url: "https://github.com/a/b", source: "github" } },
		{ repository: "a/b" },
		"repository",
	],
	[
		"icon src is https",
		{ icons: [{ src: "https://example.com/i.png" }] },
		{ icons: [{ src: "http://example.com/i.png" }] },
		"icons[0].src",
	],
	[
		"icon src at most 255",
		{ icons: [{ src: `https://example.com/${"i".repeat(200)}` }] },
		{ icons: [{ src: `https://example.com/${"i".repeat(240)}` }] },
		"icons[0].src",
	],
	[
		"icon mimeType enum",
		{ icons: [{ src: "https://e.com/i", mimeType: "image/svg+xml" }] },
		{ icons: [{ src: "https://e.com/i", mimeType: "image/gif" }] },
		"icons[0].mimeType",
	],
	[
		"icon sizes pattern",
		{ icons: [{ src: "https://e.com/i", sizes: ["48x48", "any"] }] },
		{ icons: [{ src: "https://e.com/i", sizes: ["big"] }] },
		"icons[0].sizes[0]",
	],
	[
		"icon theme enum",
		{ icons: [{ src: "https://e.com/i", theme: "dark" }] },
		{ icons: [{ src: "https://e.com/i", theme: "blue" }] },
		"icons[0].theme",
	],
	[
		"remote type enum",
		{ remotes: [remote({ type: "sse" })] },
		{ remotes: [remote({ type: "carrier-pigeon" })] },
		"remotes[0].type",
	],
	[
		"remote url format",
		{ remotes: [remote()] },
		{ remotes: [remote({ url: "not a url" })] },
		"remotes[0].url",
	],
	[
		"remote url is http(s)",
		{ remotes: [remote({ url: "http://example.com/mcp" })] },
		{ remotes: [remote({ url: "ftp://example.com/mcp" })] },
		"remotes[0].url",
	],
	["remote url required", { remotes: [remote()] }, { remotes: [{ type: "sse" }] }, "remotes[0].url"],
	[
		"remote url variables declared",
		{
			remotes: [
				remote({ url: "https://{tenant}.example.com/mcp", variables: { tenant: { isRequired: true } } }),
			],
		},
		{ remotes: [remote({ url: "https://{tenant}.example.com/mcp" })] },
		"remotes[0].url",
	],
	[
		"remote header name required",
		{ remotes: [remote({ headers: [{ name: "X-Key", isSecret: true }] })] },
		{ remotes: [remote({ headers: [{ isSecret: true }] })] },
		"remotes[0].headers[0].name",
	],
	[
		"registryType enum",
		{ packages: [pkg({ registryType: "mcpb" })] },
		{ packages: [pkg({ registryType: "cargo" })] },
		"packages[0].registryType",
	],
	[
		"identifier not empty",
		{ packages: [pkg()] },
		{ packages: [pkg({ identifier: "" })] },
		"packages[0].identifier",
	],
	[
		"package version not a range",
		{ packages: [pkg({ version: "1.2.3" })] },
		{ packages: [pkg({ version: "^1.2.3" })] },
		"packages[0].version",
	],
	[
		"package version not latest",
		{ packages: [pkg({ version: "2.0.0" })] },
		{ packages: [pkg({ version: "latest" })] },
		"packages[0].version",
	],
	[
		"package version not empty",
		{ packages: [pkg({ version: "2" })] },
		{ packages: [pkg({ version: "" })] },
		"packages[0].version",
	],
	[
		"registryBaseUrl is a URI",
		{ packages: [pkg({ registryBaseUrl: "https://registry.npmjs.org" })] },
		{ packages: [pkg({ registryBaseUrl: "registry.npmjs.org" })] },
		"packages[0].registryBaseUrl",
	],
	[
		"fileSha256 pattern",
		{ packages: [pkg({ fileSha256: "a".repeat(64) })] },
		{ packages: [pkg({ fileSha256: "A".repeat(64) })] },
		"packages[0].fileSha256",
	],
	[
		"transport required",
		{ packages: [pkg()] },
		{ packages: [pkg({ transport: undefined })] },
		"packages[0].transport",
	],
	[
		"transport type enum",
		{ packages: [pkg({ transport: { type: "sse", url: "https://e.com/sse" } })] },
		{ packages: [pkg({ transport: { type: "smoke-signal" } })] },
		"packages[0].transport.type",
	],
	[
		"transport url required (http)",
		{ packages: [pkg({ transport: { type: "streamable-http", url: "https://e.com/mcp" } })] },
		{ packages: [pkg({ transport: { type: "streamable-http" } })] },
		"packages[0].transport.url",
	],
	[
		"transport url format",
		{ packages: [pkg({ transport: { type: "sse", url: "http://localhost:8080/sse" } })] },
		{ packages: [pkg({ transport: { type: "sse", url: "localhost/sse" } })] },
		"packages[0].transport.url",
	],
	[
		"transport url variables declared",
		{
			packages: [
				pkg({
					transport: { type: "streamable-http", url: "http://localhost:{port}/mcp" },
					packageArguments: [{ type: "named", name: "--port" }],
				}),
			],
		},
		{ packages: [pkg({ transport: { type: "streamable-http", url: "http://localhost:{port}/mcp" } })] },
		"packages[0].transport.url",
	],
	[
		"argument type enum",
		{ packages: [pkg({ packageArguments: [{ type: "named", name: "--v" }] })] },
		{ packages: [pkg({ packageArguments: [{ type: "flag", name: "--v" }] })] },
		"packages[0].packageArguments[0].type",
	],
	[
		"named argument has a name",
		{ packages: [pkg({ runtimeArguments: [{ type: "named", name: "-i" }] })] },
		{ packages: [pkg({ runtimeArguments: [{ type: "named", value: "x" }] })] },
		"packages[0].runtimeArguments[0].name",
	],
	[
		"positional argument has a valueHint or value",
		{
			packages: [
				pkg({
					packageArguments: [
						{ type: "positional", valueHint: "path" },
						{ type: "positional", value: "x" },
					],
				}),
			],
		},
		{ packages: [pkg({ packageArguments: [{ type: "positional" }] })] },
		"packages[0].packageArguments[0].valueHint",
	],
	[
		"input format enum",
		{ packages: [pkg({ environmentVariables: [{ name: "N", format: "filepath" }] })] },
		{ packages: [pkg({ environmentVariables: [{ name: "N", format: "date" }] })] },
		"packages[0].environmentVariables[0].format",
	],
	[
		"input choices are strings",
		{ packages: [pkg({ environmentVariables: [{ name: "N", choices: ["a"] }] })] },
		{ packages: [pkg({ environmentVariables: [{ name: "N", choices: [1] }] })] },
		"packages[0].environmentVariables[0].choices[0]",
	],
	[
		"input variables are inputs",
		{ packages: [pkg({ environmentVariables: [{ name: "N", variables: { a: { isSecret: true } } }] })] },
		{ packages: [pkg({ environmentVariables: [{ name: "N", variables: { a: { isSecret: "yes" } } }] })] },
		"packages[0].environmentVariables[0].variables.a.isSecret",
	],
	[
		"executable only for npm packages",
		{ packages: [pkg({ executable: "mcp-server" })] },
		{ packages: [pkg({ registryType: "pypi", executable: "python" })] },
		"packages[0].executable",
	],
	[
		"publisher-provided _meta is an object",
		{ _meta: { "io.modelcontextprotocol.registry/publisher-provided": { tool: "x" } } },
		{ _meta: { "io.modelcontextprotocol.registry/publisher-provided": "x" } },
		"_meta.io.modelcontextprotocol.registry/publisher-provided",
	],
];

describe("server.json errors", () => {
	test("the base document is valid, with no advisories", () => {
		expect(validateServerDocument(base)).toEqual([]);
		expect(advisories(base)).toEqual([]);
	});

	for (const [constraint, valid, invalid, field] of ERRORS) {
		test(constraint, () => {
			expect(errorFields(valid), "valid case").toEqual([]);
			expect(errorFields(invalid), "invalid case").toContain(field);
		});
	}

	test("messages name the field and quote the value", () => {
		expect(
			validateServerDocument({ ...base, remotes: [{ type: "carrier-pigeon", url: "not a url" }] }),
		).toEqual([
			{ field: "remotes[0].type", message: 'must be one of streamable-http, sse (got "carrier-pigeon")' },
			{ field: "remotes[0].url", message: 'must be an http(s) URL, {variables} allowed (got "not a url")' },
		]);
		const [range] = validateServerDocument({ ...base, version: "^1.0.0" });
		expect(range?.field).toBe("version");
		expect(range?.message).toContain('"^1.0.0"');
		expect(validateServerDocument({ ...base, remotes: [remote({ url: "https://{host}/mcp" })] })).toEqual([
			{
				field: "remotes[0].url",
				message: "refers to {host}, which is not declared in the remote's variables",
			},
		]);
		// An unknown transport type is told once: no "url is required" for it as well.
		expect(
			validateServerDocument({ ...base, packages: [pkg({ transport: { type: "smoke-signal" } })] }),
		).toEqual([
			{
				field: "packages[0].transport.type",
				message: 'must be one of stdio, streamable-http, sse (got "smoke-signal")',
			},
		]);
	});

	test("version ranges as upstream lists them; versions that only look alike are fine", () => {
		for (const r of [
			"^1.0.0",
			"~1.2.3",
			">=1.2.3",
			"<2",
			"1.x",
			"1.X",
			"1.*",
			"*",
			"x",
			"1.2.3 - 2.0.0",
			"1 || 2",
		])
			expect(isVersionRange(r), r).toBe(true);
		for (const ok of ["1.0.0", "v1.2.3", "1.0.0-x.1", "1.0.0+x", "0.0.1-seed", "2025.10.17", "1.0-beta"])
			expect(isVersionRange(ok), ok).toBe(false);
	});
});

describe("server.json warnings (what real data breaks)", () => {
	const WARNINGS: [string, Obj, Obj, string][] = [
		["$schema missing", {}, { $schema: undefined }, "$schema is missing"],
		[
			"$schema older",
			{ $schema: "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json" },
			{ $schema: "https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json" },
			"$schema is an older server.json schema (2025-09-29; current: 2025-10-17, 2025-12-11)",
		],
		[
			"$schema unknown",
			{},
			{ $schema: "https://example.com/server.schema.json" },
			"$schema is not a known server.json schema (2025-10-17, 2025-12-11)",
		],
		["description empty", { description: "d" }, { description: "" }, "description is empty"],
		[
			"description at most 100",
			{ description: "d".repeat(100) },
			{ description: "d".repeat(101) },
			"description is longer than 100 characters",
		],
		[
			"repository url and source",
			{ repository: { url: "https://github.com/a/b", source: "github" } },
			{ repository: { url: "https://github.com/a/b" } },
			"repository should have both url and source",
		],
	];
	for (const [constraint, valid, invalid, message] of WARNINGS) {
		test(constraint, () => {
			const told = (d: Obj) => advisories(d).map((p) => `${p.field} ${p.message}`);
			expect(told({ ...base, ...valid })).toEqual([]);
			expect(told({ ...base, ...invalid })).toEqual([message]);
			// A warning never makes the entry invalid.
			expect(validateServerDocument({ ...base, ...invalid })).toEqual([]);
		});
	}

	test("every real fixture's documents: no errors; the warnings are the kinds measured", () => {
		const files: [string, number][] = [
			["test/fixtures/real-seed-358-servers.json", 358],
			["test/fixtures/real-api-page-30-entries.json", 30],
			["test/fixtures/fork-loader-format-4-records.json", 4],
			["data/registry.json", 100],
		];
		const kinds = new Map<string, number>();
		for (const [file, count] of files) {
			const json = JSON.parse(readFileSync(join(ROOT, file), "utf8"));
			const docs: Obj[] = Array.isArray(json) ? json : json.servers.map((s: Obj) => s.server ?? s.value);
			expect(docs.length).toBe(count);
			for (const d of docs) {
				expect(validateServerDocument(d), `${file} ${d.name}`).toEqual([]);
				for (const a of advisories(d)) {
					const kind = `${a.field} ${a.message}`;
					kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
				}
			}
		}
		expect(Object.fromEntries(kinds)).toEqual({
			"$schema is missing": 358,
			"description is empty": 65,
			"description is longer than 100 characters": 78,
			"$schema is an older server.json schema (2025-09-29; current: 2025-10-17, 2025-12-11)": 54,
			"repository should have both url and source": 22,
		});
	});
});
