/**
 * Hostile clients against the response cache, in process: 20,000 unique queries (versions that
 * match nothing, cursors that name no entry, search terms) are answered but never kept, so the
 * cache's entries and estimated bytes (/metrics) stay within their bounds and a hot page cached
 * before the flood is still a hit after it. A flood of valid, distinct queries that are kept
 * (matching searches and versions, each under several limits) stays within a small budget,
 * evicting its own kind, not the hot pages.
 */
import { describe, expect, test } from "bun:test";
import { type App, createApp } from "../../src/http/app.ts";
import { silentLogger } from "../../src/log.ts";
import { BUILD, entry, registryDoc, snapshotData, testStore } from "../support/api-server.ts";

const FLOOD = 20_000;
const NAMES = 100;
const VERSIONS = ["1.0.0", "1.1.0", "2.0.0"];
const name = (k: number) => `io.github.flood/server-${String(k).padStart(3, "0")}`;

const DOC = registryDoc(
	Array.from({ length: NAMES }, (_, k) =>
		VERSIONS.map((v) =>
			entry(name(k), v, {
				description: `Server ${k} version ${v}: a description long enough to make a page of thirty entries weigh a few kilobytes`,
			}),
		),
	).flat(),
);

function setUp(cacheBytes?: number): App {
	const store = testStore(snapshotData(DOC, "flood.json"));
	return createApp({
		store,
		build: BUILD,
		cacheMaxAge: 10,
		log: silentLogger,
		...(cacheBytes !== undefined ? { cacheBytes } : {}),
	});
}

function get(app: App, path: string, headers: Record<string, string> = {}): Response {
	// A GET never reads a body: its Response comes at once.
	return app.fetch(new Request(`http://registry.test${path}`, { headers })) as Response;
}

/** The response cache as /metrics shows it. */
async function cache(app: App): Promise<{ entries: number; bytes: number; hits: number; budget: number }> {
	const text = await get(app, "/metrics").text();
	const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);
	return {
		entries: value(/^registry_response_cache_entries (\S+)$/m),
		bytes: value(/^registry_response_cache_bytes (\S+)$/m),
		budget: value(/^registry_response_cache_budget_bytes (\S+)$/m),
		hits: value(/^registry_response_cache_total\{result="hit"\} (\S+)$/m),
	};
}

const base64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");

/** The n-th hostile query: each unique, each answered 200, none worth keeping. */
function hostile(n: number): string {
	switch (n % 5) {
		case 0: // a version that matches nothing: an empty page
			return `/v0.1/servers?version=9.${n}.0`;
		case 1: // an upstream-form cursor naming no entry: a full page
			return `/v0.1/servers?cursor=${encodeURIComponent(`${name(n % NAMES)}:${n}.x`)}`;
		case 2: // our cursor form, naming no entry
			return `/v0/servers?cursor=${base64url(`${name(n % NAMES)}:0.${n}`)}&limit=100`;
		case 3: // a search that matches nothing
			return `/v0.1/servers?search=zq${n}x`;
		default: // a version matching nothing, with a cursor and the latest filter's neighbour
			return `/v0/servers?version=${n}&cursor=${encodeURIComponent(name(n % NAMES))}`;
	}
}

describe("a flood of unique queries", () => {
	test(`${FLOOD.toLocaleString("en")} unique versions, cursors and searches: none kept, the hot page still a hit`, async () => {
		const app = setUp();
		const hot = "/v0.1/servers";
		expect(get(app, hot).status).toBe(200);
		const before = await cache(app);
		expect(before.entries).toBe(1);
		expect(get(app, hot).status).toBe(200);
		expect((await cache(app)).hits).toBe(before.hits + 1);

		let most = 0;
		for (let n = 0; n < FLOOD; n++) {
			const res = get(app, hostile(n), n % 10 === 0 ? { "Accept-Encoding": "br, gzip" } : {});
			expect(res.status).toBe(200);
			await res.arrayBuffer();
			if (n % 1000 === 999) most = Math.max(most, (await cache(app)).entries);
		}
		const after = await cache(app);
		// Only the hot page: nothing of the flood was admitted.
		expect(most).toBe(1);
		expect(after.entries).toBe(1);
		expect(after.bytes).toBeLessThan(64 * 1024);
		expect(after.bytes).toBeLessThanOrEqual(after.budget);

		// Asked again, no hostile query is a hit: none was kept (empty pages included).
		const hitsBefore = after.hits;
		for (let n = 0; n < 1000; n++) await get(app, hostile(n)).arrayBuffer();
		expect((await cache(app)).hits).toBe(hitsBefore);

		// The hot page cached before the flood is a hit after it.
		expect(get(app, hot).status).toBe(200);
		expect((await cache(app)).hits).toBe(hitsBefore + 1);
	}, 60_000);

	test("empty results are never kept, whatever the parameters", async () => {
		const app = setUp();
		const empty = [
			"/v0.1/servers?version=0.0.0-none",
			"/v0.1/servers?search=nothing-matches-this",
			"/v0.1/servers?updated_since=2099-01-01T00:00:00Z",
			`/v0.1/servers?cursor=${base64url(`${name(NAMES - 1)}:${VERSIONS[2]}`)}`,
			"/v0.1/servers?version=latest&search=zzz",
		];
		for (const path of empty) {
			for (let i = 0; i < 3; i++) {
				const res = get(app, path);
				expect(res.status).toBe(200);
				expect(((await res.json()) as { metadata: { count: number } }).metadata.count).toBe(0);
			}
		}
		const c = await cache(app);
		expect(c.entries).toBe(0);
		expect(c.hits).toBe(0);
	});

	test("pages reached by our own cursors are kept; a cursor naming no entry is not", async () => {
		const app = setUp();
		const first = (await get(app, "/v0.1/servers?limit=10").json()) as { metadata: { nextCursor: string } };
		const next = `/v0.1/servers?limit=10&cursor=${first.metadata.nextCursor}`;
		await get(app, next).arrayBuffer();
		expect((await cache(app)).entries).toBe(2);
		await get(app, next).arrayBuffer();
		expect((await cache(app)).hits).toBe(1);
		// The upstream form of the same position is kept too.
		await get(
			app,
			`/v0.1/servers?limit=10&cursor=${encodeURIComponent(`${name(5)}:${VERSIONS[1]}`)}`,
		).arrayBuffer();
		expect((await cache(app)).entries).toBe(3);
		// A position between entries: answered, not kept.
		await get(app, `/v0.1/servers?limit=10&cursor=${encodeURIComponent(`${name(5)}:1.0.5`)}`).arrayBuffer();
		expect((await cache(app)).entries).toBe(3);
	});

	test(`${FLOOD.toLocaleString("en")} valid, distinct queries under a 1 MiB budget: bytes within it all along, the hot page still a hit`, async () => {
		const budget = 1024 * 1024;
		const app = setUp(budget);
		const hot = "/v0.1/servers?version=latest";
		await get(app, hot).arrayBuffer();
		const before = await cache(app);
		expect(before.budget).toBe(budget);

		let most = { entries: 0, bytes: 0 };
		for (let n = 0; n < FLOOD; n++) {
			const limit = 1 + (n % 100);
			const k = Math.floor(n / 100) % NAMES;
			// Kept (each matches something), each distinct: searches, exact versions, updated_since.
			const path =
				n % 3 === 0
					? `/v0.1/servers?search=server-${String(k).padStart(3, "0")}&limit=${limit}`
					: n % 3 === 1
						? `/v0.1/servers?version=${VERSIONS[k % 3]}&limit=${limit}&include_deleted=${n % 2 === 0}`
						: `/v0/servers?search=${k}&limit=${limit}`;
			const res = get(app, path, n % 7 === 0 ? { "Accept-Encoding": "gzip" } : {});
			expect(res.status).toBe(200);
			await res.arrayBuffer();
			if (n % 250 === 249) {
				const c = await cache(app);
				most = { entries: Math.max(most.entries, c.entries), bytes: Math.max(most.bytes, c.bytes) };
			}
		}
		expect(most.bytes).toBeGreaterThan(budget / 8);
		expect(most.bytes).toBeLessThanOrEqual(budget);
		// Every entry costs at least its fixed overhead: the count is bounded by the budget too.
		expect(most.entries).toBeLessThan(budget / 256);
		const hitsBefore = (await cache(app)).hits;
		await get(app, hot).arrayBuffer();
		expect((await cache(app)).hits).toBe(hitsBefore + 1);
	}, 60_000);
});
