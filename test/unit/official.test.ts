/**
 * Entries as served: the document kept verbatim, and its official metadata checked, normalised
 * (timestamps in UTC) and given upstream's defaults where the file has none.
 */
import { describe, expect, test } from "bun:test";
import { buildSnapshotData } from "../../src/registry/load.ts";
import {
	api,
	build,
	entries,
	FILE,
	item,
	loadError,
	MTIME_ISO,
	type Obj,
	OFFICIAL,
	OFFICIAL_FIELD,
	officialOf,
	okPackage,
	SCHEMA,
	server,
} from "../support/registry-docs.ts";

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
		expect(data.index.published[0]).toBe("2025-03-01T10:00:00.000000000Z");
		expect(data.index.updated[0]).toBe("2025-03-01T10:00:00.500000000Z");
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
		expect([...data.index.status]).toEqual([1, 2]);
	});

	test("entry bytes are valid UTF-8 JSON with non-ASCII text intact", () => {
		const data = build([server("io.github.a/x", "1.0.0", { description: "Météo ☀️ 天気" })]);
		expect(((entries(data)[0] as Obj).server as Obj).description).toBe("Météo ☀️ 天気");
	});
});

describe("official metadata checks", () => {
	const good = item(server("io.github.a/ok", "1.0.0"));
	/** The lines of the error a bad official value gives, without the heading. */
	const told = (official: unknown, doc: Obj = server("io.github.a/x", "1.0.0")) =>
		loadError(() => build(api(good, { server: doc, _meta: { [OFFICIAL]: official } })))
			.message.split("\n")
			.slice(1);

	test("each field's message, naming the field as the file has it", () => {
		expect(
			told({
				status: 5,
				statusMessage: 1,
				isLatest: "yes",
				publishedAt: "yesterday",
				updatedAt: { at: 1 },
				statusChangedAt: 1735689600,
			}),
		).toEqual([
			`  servers[1] (io.github.a/x 1.0.0): ${OFFICIAL_FIELD}.status must be one of active, deprecated, deleted (got 5)`,
			`  servers[1] (io.github.a/x 1.0.0): ${OFFICIAL_FIELD}.statusMessage expected a string`,
			`  servers[1] (io.github.a/x 1.0.0): ${OFFICIAL_FIELD}.isLatest expected a boolean`,
			`  servers[1] (io.github.a/x 1.0.0): ${OFFICIAL_FIELD}.publishedAt is not an RFC 3339 timestamp: "yesterday"`,
			`  servers[1] (io.github.a/x 1.0.0): ${OFFICIAL_FIELD}.updatedAt is not an RFC 3339 timestamp: {"at":1}`,
			`  servers[1] (io.github.a/x 1.0.0): ${OFFICIAL_FIELD}.statusChangedAt is not an RFC 3339 timestamp: 1735689600`,
		]);
	});

	test("an official value that is not an object is told before the document's problems", () => {
		for (const official of [null, [], "active", 1]) {
			expect(told(official, server("io.github.a/x", "1.0.0", { description: 5 }))).toEqual([
				`  servers[1] (io.github.a/x 1.0.0): ${OFFICIAL_FIELD} expected an object`,
				"  servers[1] (io.github.a/x 1.0.0): server.description expected a string, got number 5",
			]);
		}
	});

	test("fork records: the record's own field names", () => {
		const err = loadError(() =>
			build({
				servers: [
					{
						server_name: "io.github.f/a",
						version: "1.0.0",
						is_latest: 1,
						value: server("io.github.f/a", "1.0.0"),
					},
				],
			}),
		);
		expect(err.report?.errors.first).toEqual([
			{
				entry: "servers[0]",
				name: "io.github.f/a",
				version: "1.0.0",
				field: "is_latest",
				message: "expected a boolean",
			},
		]);
	});

	test("unknown official fields are served back whatever their name", () => {
		const official = JSON.parse('{"status":"active","constructor":"c","prototype":[1],"zz":null}') as Obj;
		const served = officialOf(
			entries(build(api(item(server("io.github.a/x", "1.0.0"), official))))[0] as Obj,
		);
		expect(Object.getOwnPropertyDescriptor(served, "constructor")?.value).toBe("c");
		expect(served.prototype).toEqual([1]);
		expect(served.zz).toBeNull();
	});
});
