/**
 * The front (src/http/front.ts): answers kept ready for the URLs asked for again. Whatever the
 * front answers must be what the long way answers, byte for byte and header for header, in every
 * content coding, as a 304, and for HEAD; it must follow a swap of the data at once, never serve
 * a reply its cache let go, count every answer in /metrics, and admit none of a flood of unique
 * URLs. Checked on a real port (Bun's native routes in front of `fetch`, as main.ts serves) and
 * in process.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type App, createApp } from "../../src/http/app.ts";
import { DOORKEEPER, MAX_ENTRIES } from "../../src/http/front.ts";
import { silentLogger } from "../../src/log.ts";
import {
	type ApiServer,
	BUILD,
	entry,
	registryDoc,
	snapshotData,
	startApiServer,
	testStore,
} from "../support/api-server.ts";

const name = (k: number) => `io.github.front/server-${String(k).padStart(2, "0")}`;
const doc = (tag: string) =>
	registryDoc(
		Array.from({ length: 60 }, (_, k) =>
			entry(name(k), "1.0.0", {
				description: `${tag}: server ${k}, with a description long enough for a page to be compressed`,
			}),
		),
	);

const URLS = [
	"/v0.1/servers",
	"/v0/servers?limit=5",
	"/v0.1/servers?version=latest&limit=100",
	`/v0.1/servers/${encodeURIComponent(name(7))}/versions/latest`,
	`/v0.1/servers/${encodeURIComponent(name(7))}/versions`,
	"/v0/health",
	"/v0.1/ping",
	"/openapi.json",
	"/",
];

const VARIANTS: Record<string, string>[] = [
	{},
	{ "Accept-Encoding": "gzip" },
	{ "Accept-Encoding": "gzip, deflate, br" },
	{ "Accept-Encoding": "identity" },
];

/** Status, headers but Date, and body bytes: what must not differ between two answers. */
async function answer(res: Response): Promise<{ status: number; headers: [string, string][]; body: string }> {
	const headers = [...res.headers].filter(([k]) => k !== "date").sort(([a], [b]) => a.localeCompare(b));
	const body = Buffer.from(await res.arrayBuffer()).toString("base64");
	return { status: res.status, headers, body };
}

async function metric(request: (p: string) => Promise<Response>, series: string): Promise<number> {
	const text = await (await request("/metrics")).text();
	const line = text.split("\n").find((l) => l.startsWith(`${series} `));
	return Number(line?.slice(series.length + 1) ?? 0);
}

describe("on a real port, through Bun's native routes", () => {
	let server: ApiServer;
	beforeAll(() => {
		server = startApiServer(doc("first"));
	});
	afterAll(() => server.stop());

	for (const method of ["GET", "HEAD"]) {
		for (const url of URLS) {
			test(`${method} ${url}: the ready answer is the long way's, in every coding and as a 304`, async () => {
				for (const headers of VARIANTS) {
					const first = await answer(await server.request(url, { method, headers }));
					// The second request admits the URL, the third and fourth are answered from the front.
					for (let i = 0; i < 3; i++) {
						expect(await answer(await server.request(url, { method, headers }))).toEqual(first);
					}
					const etag = first.headers.find(([k]) => k === "etag")?.[1];
					if (etag === undefined) continue;
					const long = await answer(
						await server.request(url, { method, headers: { ...headers, "If-None-Match": etag } }),
					);
					expect(long.status).toBe(304);
					for (let i = 0; i < 2; i++) {
						const again = await server.request(url, {
							method,
							headers: { ...headers, "If-None-Match": `W/"nope", ${etag}` },
						});
						expect(await answer(again)).toEqual(long);
					}
				}
			});
		}
	}

	test("the front did answer them", () => {
		expect(server.app.front.size).toBeGreaterThanOrEqual(URLS.length);
	});

	test("a swap of the data is served at once, never the old answers", async () => {
		const before = await (await server.request("/v0.1/servers")).text();
		expect(before).toContain("first: server 0");
		server.swap(snapshotData(doc("second")));
		for (let i = 0; i < 3; i++) {
			const after = await (await server.request("/v0.1/servers")).text();
			expect(after).toContain("second: server 0");
			expect(after).not.toContain("first:");
		}
	});

	test("a POST is never answered from the front", async () => {
		for (let i = 0; i < 3; i++)
			expect((await server.request("/v0.1/servers", { method: "POST" })).status).toBe(405);
	});
});

describe("in process", () => {
	function setUp(cacheBytes?: number): { app: App; get: (p: string) => Promise<Response> } {
		const app = createApp({
			store: testStore(snapshotData(doc("first"))),
			build: BUILD,
			cacheMaxAge: 10,
			log: silentLogger,
			...(cacheBytes !== undefined ? { cacheBytes } : {}),
		});
		return { app, get: async (p) => app.fetch(new Request(`http://registry.test${p}`)) };
	}

	test("every answer is counted in /metrics and as a cache hit", async () => {
		const { get } = setUp();
		const series = 'registry_http_requests_total{method="GET",route="/v0.1/servers",status="200"}';
		const hits = 'registry_response_cache_total{result="hit"}';
		const hitsBefore = await metric(get, hits);
		for (let i = 0; i < 50; i++) expect((await get("/v0.1/servers?limit=3")).status).toBe(200);
		expect(await metric(get, series)).toBe(50);
		expect(await metric(get, hits)).toBe(hitsBefore + 49);
		const buckets = 'registry_http_request_duration_seconds_count{method="GET",route="/v0.1/servers"}';
		expect(await metric(get, buckets)).toBe(50);
	});

	test("a flood of unique URLs for the same page is answered but none is kept ready", async () => {
		const { app, get } = setUp();
		for (let i = 0; i < 3; i++) await get("/v0.1/servers");
		const size = app.front.size;
		expect(size).toBe(1);
		for (let n = 0; n < DOORKEEPER * 2; n++) {
			expect((await get(`/v0.1/servers?x=${n}`)).status).toBe(200);
		}
		expect(app.front.size).toBe(size);
		// The hot page is still ready.
		await get("/v0.1/servers");
		expect(app.front.size).toBe(size);
	});

	test("at most MAX_ENTRIES URLs are kept ready, the oldest out first", async () => {
		const { app, get } = setUp();
		for (let n = 0; n < MAX_ENTRIES + 50; n++) {
			for (let i = 0; i < 2; i++) await get(`/v0.1/servers?limit=3&y=${n}`);
		}
		expect(app.front.size).toBe(MAX_ENTRIES);
	});

	test("a reply its cache let go is not served from the front", async () => {
		// Pages of five entries, one after the other by their cursors: the same size, each its own key.
		const probe = setUp();
		const urls = ["/v0.1/servers?limit=5"];
		for (let k = 0; k < 6; k++) {
			const body = (await (await probe.get(urls[k] as string)).json()) as {
				metadata: { nextCursor: string };
			};
			urls.push(`/v0.1/servers?limit=5&cursor=${encodeURIComponent(body.metadata.nextCursor)}`);
		}
		const size = (await (await probe.get(urls[0] as string)).arrayBuffer()).byteLength;
		// The hot tier (three quarters of the budget) holds four and a half such pages.
		const { app, get } = setUp(Math.ceil((4.5 * (size + 1000)) / 0.75));
		const first = await (await get(urls[0] as string)).text();
		await get(urls[0] as string);
		expect(app.front.size).toBe(1);
		for (const url of urls.slice(1)) await get(url);
		// The first page was evicted from its cache: the front lets it go, the long way answers.
		const entries = await metric(get, "registry_response_cache_entries");
		expect(entries).toBeLessThan(urls.length);
		const frontBefore = app.front.size;
		expect(await (await get(urls[0] as string)).text()).toBe(first);
		expect(app.front.size).toBe(frontBefore - 1);
	});
});
