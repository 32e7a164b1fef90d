/**
 * Real data: a page of the upstream registry's API (30 entries) loaded and served back.
 */

import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ApiApp, createApiApp, getJson, OFFICIAL } from "../support/api-server.ts";

interface Item {
	server: { name: string; version: string; description?: string } & Record<string, unknown>;
	_meta: Record<string, Record<string, unknown>>;
}
interface ListBody {
	servers: Item[];
	metadata: { count: number; nextCursor?: string };
}

const FIXTURE = join(import.meta.dir, "..", "fixtures", "real-api-page-30-entries.json");
const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as { servers: Item[] };

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** The fixture in the order the API serves: name, then version, by code units. */
const sorted = [...fixture.servers].sort(
	(a, b) => cmp(a.server.name, b.server.name) || cmp(a.server.version, b.server.version),
);
/** Names with exactly one version flagged isLatest in the file: that flag stands. */
const FLAGGED = new Set(
	[...new Set(fixture.servers.map((s) => s.server.name))].filter(
		(n) =>
			fixture.servers.filter((s) => s.server.name === n && s._meta[OFFICIAL]?.isLatest === true).length === 1,
	),
);
const key = (i: Item) => `${i.server.name}@${i.server.version}`;

let srv: ApiApp;

beforeAll(() => {
	srv = createApiApp(fixture, { file: "real-api-page-30-entries.json" });
});

async function list(query: string, prefix = "/v0.1"): Promise<ListBody> {
	const { res, body } = await getJson(srv, `${prefix}/servers${query}`);
	expect(res.status).toBe(200);
	return body as ListBody;
}

describe("real data: real-api-page-30-entries.json", () => {
	test("the fixture is what the test assumes", () => {
		expect(fixture.servers).toHaveLength(30);
		// Code-unit order puts 0.5.10 before 0.5.2.
		const mcpcap = sorted.filter((s) => s.server.name === "ai.mcpcap/mcpcap").map((s) => s.server.version);
		expect(mcpcap.indexOf("0.5.10")).toBeLessThan(mcpcap.indexOf("0.5.2"));
	});

	test("GET /v0.1/servers?limit=100 serves every server document unchanged, in (name, version) order", async () => {
		const body = await list("?limit=100");
		expect(body.metadata).toEqual({ count: 30 });
		expect(body.servers.map(key)).toEqual(sorted.map(key));
		for (let i = 0; i < sorted.length; i++) {
			expect(body.servers[i]?.server).toEqual((sorted[i] as Item).server);
		}
	});

	test("the official metadata is kept (status, publishedAt, updatedAt, isLatest)", async () => {
		const body = await list("?limit=100");
		for (let i = 0; i < sorted.length; i++) {
			const want = (sorted[i] as Item)._meta[OFFICIAL] as Record<string, unknown>;
			const got = body.servers[i]?._meta[OFFICIAL] as Record<string, unknown>;
			const name = (sorted[i] as Item).server.name;
			for (const [k, v] of Object.entries(want)) {
				// isLatest stands where the file flags exactly one version of the name (see below).
				if (k === "isLatest" && !FLAGGED.has(name)) continue;
				expect([key(sorted[i] as Item), k, got[k]]).toEqual([key(sorted[i] as Item), k, v]);
			}
			// Filled in where the file has none: statusChangedAt, from updatedAt.
			expect(got.statusChangedAt).toBe(want.updatedAt);
		}
	});

	test("/v0 and /v0.1 agree on the real data", async () => {
		const a = await getJson(srv, "/v0/servers?limit=100");
		const b = await getJson(srv, "/v0.1/servers?limit=100");
		expect(b.text).toBe(a.text);
	});

	test("paging through with limit=7 sees every entry once", async () => {
		const seen: string[] = [];
		let cursor: string | undefined;
		do {
			const body = await list(`?limit=7${cursor ? `&cursor=${cursor}` : ""}`);
			seen.push(...body.servers.map(key));
			cursor = body.metadata.nextCursor;
		} while (cursor);
		expect(seen).toEqual(sorted.map(key));
	});

	test("the upstream registry's own cursor form continues where it says", async () => {
		const body = await list(`?limit=3&cursor=${encodeURIComponent("ai.mcpcap/mcpcap:0.5.9")}`);
		expect(body.servers.map(key)).toEqual([
			"ai.mcpcap/mcpcap@0.6.0",
			"ai.meminal/meminal@1.0.0",
			"ai.shawndurrani/mcp-merchant@0.1.0",
		]);
		// The page's own nextCursor (its last entry) leaves nothing after it.
		const end = await list("?cursor=ai.shawndurrani%2Fmcp-registry%3A0.1.1");
		expect(end).toEqual({ servers: [], metadata: { count: 0 } });
	});

	test("version=latest: the flagged version, or the computed one where this page flags none", async () => {
		const body = await list("?version=latest&limit=100");
		const flagged = sorted.filter((s) => s._meta[OFFICIAL]?.isLatest === true).map(key);
		// The page ends inside ai.shawndurrani/mcp-registry (its latest is on the next page), so no
		// version of it is flagged here: the greater semver of those present is latest.
		expect(FLAGGED.has("ai.shawndurrani/mcp-registry")).toBe(false);
		expect(body.servers.map(key)).toEqual([...flagged, "ai.shawndurrani/mcp-registry@0.1.1"]);
		const latest = await getJson(srv, "/v0.1/servers/ai.shawndurrani%2Fmcp-registry/versions/latest");
		expect((latest.body as Item).server.version).toBe("0.1.1");
		expect((latest.body as Item)._meta[OFFICIAL]?.isLatest).toBe(true);
	});

	test("search filters the real data by name or description", async () => {
		const term = "Registry";
		const body = await list(`?search=${term}&limit=100`);
		const want = sorted
			.filter(
				(s) =>
					s.server.name.toLowerCase().includes(term.toLowerCase()) ||
					(s.server.description ?? "").toLowerCase().includes(term.toLowerCase()),
			)
			.map(key);
		expect(want.length).toBeGreaterThan(0);
		expect(body.servers.map(key)).toEqual(want);
	});

	test("versions of a real server, newest publishedAt first; latest is the flagged one", async () => {
		const { res, body } = await getJson(srv, "/v0.1/servers/ai.mcpcap%2Fmcpcap/versions");
		expect(res.status).toBe(200);
		const want = fixture.servers
			.filter((s) => s.server.name === "ai.mcpcap/mcpcap")
			.sort((a, b) => cmp(b._meta[OFFICIAL]?.publishedAt as string, a._meta[OFFICIAL]?.publishedAt as string))
			.map((s) => s.server.version);
		expect((body as ListBody).servers.map((s) => s.server.version)).toEqual(want);
		expect((body as ListBody).metadata).toEqual({ count: want.length });

		const latest = await getJson(srv, "/v0/servers/ai.exa%2Fexa/versions/latest");
		expect((latest.body as Item).server.version).toBe("3.0.9");
		const exact = await getJson(srv, "/v0/servers/ai.exa%2Fexa/versions/3.0.7");
		expect((exact.body as Item).server).toEqual(
			(fixture.servers.find((s) => key(s) === "ai.exa/exa@3.0.7") as Item).server,
		);
	});

	test("/health counts the real entries and names", async () => {
		const { body } = await getJson(srv, "/v0.1/health");
		const data = (body as { data: Record<string, unknown> }).data;
		expect(data.entries).toBe(30);
		expect(data.names).toBe(new Set(fixture.servers.map((s) => s.server.name)).size);
	});
});
