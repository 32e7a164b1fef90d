/**
 * The crawler: which list endpoints a source names, Retry-After read as seconds or a date, and a
 * crawl against a real server on 127.0.0.1 (the upstream stand-in) with an injected sleep, so
 * retries, backoff and Retry-After are checked by the delays asked for, never by waiting.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { retryAfterOf } from "../../src/backoff.ts";
import { crawlRegistry, listEndpoints } from "../../src/pipeline/crawl.ts";
import { RegistryLoadError } from "../../src/registry/report.ts";
import { rejection } from "../support/assert.ts";
import { server } from "../support/registry-docs.ts";
import { type Obj, startUpstream, type Upstream } from "../support/upstream-registry.ts";

const started: Upstream[] = [];
afterEach(async () => {
	for (const u of started.splice(0)) await u.stop();
});

async function upstream(count: number, options: Parameters<typeof startUpstream>[0] = {}) {
	const entries = Array.from({ length: count }, (_, i) =>
		server(`io.github.crawl/s${String(i).padStart(3, "0")}`, "1.0.0"),
	);
	const u = await startUpstream({ ...options, entries });
	started.push(u);
	return u;
}

/** A sleep that records what it was asked to wait and returns at once. */
function recordingSleep() {
	const delays: number[] = [];
	return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

const namesOf = (bytes: Uint8Array) =>
	(JSON.parse(new TextDecoder().decode(bytes)) as { servers: { server: Obj }[] }).servers.map(
		(s) => s.server.name,
	);

const page = (servers: unknown[], nextCursor?: string) =>
	Response.json({ servers, metadata: { count: servers.length, ...(nextCursor ? { nextCursor } : {}) } });

describe("listEndpoints", () => {
	test("a base URL: its /v0.1/servers, then its /v0/servers", () => {
		expect(listEndpoints("http://127.0.0.1:8080").map(String)).toEqual([
			"http://127.0.0.1:8080/v0.1/servers",
			"http://127.0.0.1:8080/v0/servers",
		]);
	});

	test("a base URL with a path prefix (and trailing slashes) keeps the prefix", () => {
		expect(listEndpoints("https://example.com/mirror/registry//").map(String)).toEqual([
			"https://example.com/mirror/registry/v0.1/servers",
			"https://example.com/mirror/registry/v0/servers",
		]);
	});

	test("a list endpoint itself is crawled as given, its query too, with no fallback", () => {
		expect(listEndpoints("https://example.com/v0/servers?limit=5").map(String)).toEqual([
			"https://example.com/v0/servers?limit=5",
		]);
		expect(listEndpoints("https://example.com/x/v0.1/servers/").map(String)).toEqual([
			"https://example.com/x/v0.1/servers/",
		]);
	});
});

describe("retryAfterOf", () => {
	const h = (value?: string) => new Headers(value === undefined ? {} : { "retry-after": value });
	const now = Date.parse("2026-01-01T00:00:00Z");

	test("delta-seconds, in milliseconds", () => {
		expect(retryAfterOf(h("1"))).toBe(1000);
		expect(retryAfterOf(h(" 120 "))).toBe(120_000);
		expect(retryAfterOf(h("0"))).toBe(0);
	});

	test("an HTTP date: the time until it; a date past is no wait", () => {
		expect(retryAfterOf(h("Thu, 01 Jan 2026 00:00:05 GMT"), now)).toBe(5000);
		expect(retryAfterOf(h("Wed, 31 Dec 2025 23:59:00 GMT"), now)).toBe(0);
	});

	test("absent, empty or unreadable: undefined", () => {
		expect(retryAfterOf(h())).toBeUndefined();
		expect(retryAfterOf(h(""))).toBeUndefined();
		expect(retryAfterOf(h("soon"))).toBeUndefined();
	});
});

describe("crawlRegistry against a server", () => {
	test("pages through raw name:version cursors, sending limit and include_deleted, every entry once", async () => {
		const u = await upstream(25);
		const pages: number[] = [];
		const bytes = await crawlRegistry(`${u.base}/v0.1/servers?limit=10`, {
			includeDeleted: true,
			onPage: (p) => pages.push(p.entries),
		});
		expect(namesOf(bytes)).toEqual(u.all().map((e) => e.server.name));
		expect(pages).toEqual([10, 20, 25]);
		expect(u.requests).toEqual([
			"/v0.1/servers?limit=10&include_deleted=true",
			"/v0.1/servers?limit=10&include_deleted=true&cursor=io.github.crawl%2Fs009%3A1.0.0",
			"/v0.1/servers?limit=10&include_deleted=true&cursor=io.github.crawl%2Fs019%3A1.0.0",
		]);
	});

	test("updated_since is sent (and include_deleted is not: the API implies it)", async () => {
		const u = await upstream(3);
		const before = u.tick();
		u.update("io.github.crawl/s001", "1.0.0", (s) => ({ ...s, description: "changed" }));
		const bytes = await crawlRegistry(u.base, { updatedSince: before, includeDeleted: true });
		expect(namesOf(bytes)).toEqual(["io.github.crawl/s001"]);
		expect(u.requests).toEqual([`/v0.1/servers?limit=100&updated_since=${encodeURIComponent(before)}`]);
	});

	test("a 429 then 200: retried once after its Retry-After, and the crawl completes", async () => {
		const u = await upstream(5, {
			hook: (n) =>
				n === 1 ? new Response("slow down", { status: 429, headers: { "retry-after": "2" } }) : undefined,
		});
		const { delays, sleep } = recordingSleep();
		const retries: { attempt: number; delayMs: number; reason: string; url: string }[] = [];
		const bytes = await crawlRegistry(u.base, { sleep, random: () => 0, onRetry: (r) => retries.push(r) });
		expect(namesOf(bytes)).toHaveLength(5);
		expect(delays).toEqual([2000]);
		expect(retries).toEqual([
			{ attempt: 1, delayMs: 2000, reason: "HTTP 429", url: `${u.base}/v0.1/servers?limit=100` },
		]);
		expect(u.requests).toHaveLength(2);
	});

	test("429 and 503 answered now and then: every entry arrives, once", async () => {
		const u = await upstream(50, { every429: 3, every503: 4 });
		const { delays, sleep } = recordingSleep();
		const bytes = await crawlRegistry(`${u.base}/v0.1/servers?limit=7`, { sleep });
		expect(namesOf(bytes)).toEqual(u.all().map((e) => e.server.name));
		// Faults fell on requests 3, 4, 6, 8, 9, 12 of the 14 it took for 8 pages.
		expect(u.requests.length).toBe(14);
		expect(delays.length).toBe(6);
		expect(u.pages).toBe(8);
	});

	test("a 503 on every try: an error naming the page and the tries, after backoff doubling each time", async () => {
		const u = await upstream(3, { every503: 1 });
		const { delays, sleep } = recordingSleep();
		const err = await rejection(crawlRegistry(u.base, { sleep, attempts: 4, random: () => 0 }));
		expect(err).toBeInstanceOf(RegistryLoadError);
		expect((err as Error).message).toBe(`${u.base}/v0.1/servers?limit=100: HTTP 503 (gave up after 4 tries)`);
		// Jitter of random() = 0 is half the exponential delay: 500 ms, 1 s, 2 s halved.
		expect(delays).toEqual([250, 500, 1000]);
		expect(u.requests).toHaveLength(4);
	});

	test("Retry-After is honoured up to its cap of two minutes, and never below the backoff", async () => {
		let answer = "600";
		const u = await upstream(1, {
			hook: (n) =>
				n === 1 ? new Response("", { status: 429, headers: { "retry-after": answer } }) : undefined,
		});
		const first = recordingSleep();
		await crawlRegistry(u.base, { sleep: first.sleep, random: () => 0.999 });
		expect(first.delays).toEqual([120_000]);

		answer = "0";
		const u2 = await upstream(1, {
			hook: (n) =>
				n === 1 ? new Response("", { status: 503, headers: { "retry-after": answer } }) : undefined,
		});
		const second = recordingSleep();
		await crawlRegistry(u2.base, { sleep: second.sleep, random: () => 0 });
		expect(second.delays).toEqual([250]);
	});

	test("a network error (nothing listening) is retried, then named with the tries", async () => {
		const u = await upstream(1);
		const base = u.base;
		u.kill();
		const { delays, sleep } = recordingSleep();
		const err = await rejection(crawlRegistry(base, { sleep, attempts: 3 }));
		expect((err as Error).message).toStartWith(`${base}/v0.1/servers?limit=100: `);
		expect((err as Error).message).toEndWith("(gave up after 3 tries)");
		expect(delays).toHaveLength(2);
	});

	test("a 4xx other than 404 and 429 is not retried", async () => {
		const u = await upstream(1, { hook: () => new Response("no", { status: 403 }) });
		const { delays, sleep } = recordingSleep();
		const err = await rejection(crawlRegistry(u.base, { sleep }));
		expect((err as Error).message).toBe(`${u.base}/v0.1/servers?limit=100: HTTP 403`);
		expect(delays).toEqual([]);
		expect(u.requests).toHaveLength(1);
	});

	test("/v0.1 answering 404 on the first page: /v0/servers is crawled instead", async () => {
		const u = await upstream(12, { v0Only: true });
		const bytes = await crawlRegistry(u.base);
		expect(namesOf(bytes)).toHaveLength(12);
		expect(u.requests).toEqual(["/v0.1/servers?limit=100", "/v0/servers?limit=100"]);
	});

	test("neither endpoint: an error naming the last one tried", async () => {
		const u = await upstream(1, { hook: () => new Response("gone", { status: 404 }) });
		const err = await rejection(crawlRegistry(u.base));
		expect(err).toBeInstanceOf(RegistryLoadError);
		expect((err as Error).message).toBe(`${u.base}/v0/servers?limit=100: HTTP 404`);
	});

	test("a 404 on a later page is an error, not a fallback to /v0", async () => {
		const u = await upstream(15, {
			hook: (_n, url) => (url.searchParams.has("cursor") ? new Response("", { status: 404 }) : undefined),
		});
		const err = await rejection(crawlRegistry(`${u.base}/v0.1/servers?limit=10`));
		expect(err).toBeInstanceOf(RegistryLoadError);
		expect((err as Error).message).toBe(
			`${u.base}/v0.1/servers?limit=10&cursor=io.github.crawl%2Fs009%3A1.0.0: HTTP 404`,
		);
		expect(u.requests.some((r) => r.startsWith("/v0/"))).toBe(false);
	});

	test("a cursor returned twice is refused, naming it", async () => {
		const u = await upstream(0, {
			hook: (n) => page([{ server: server(`io.github.loop/s${n}`, "1.0.0") }], "io.github.loop/s:1"),
		});
		const err = await rejection(crawlRegistry(u.base));
		expect(err).toBeInstanceOf(RegistryLoadError);
		expect((err as Error).message).toBe(
			`${u.base}/v0.1/servers?limit=100&cursor=io.github.loop%2Fs%3A1: the registry returned cursor "io.github.loop/s:1" twice`,
		);
		expect(u.requests).toHaveLength(2);
	});

	test("a redirect loop or a redirect to file:// fails at once, without retries", async () => {
		for (const to of ["loop", "file"]) {
			const u = await upstream(0, {
				hook: () =>
					to === "file"
						? Response.redirect("file:///etc/passwd", 302)
						: new Response(null, { status: 302, headers: { location: "/v0.1/servers?limit=100" } }),
			});
			const { delays, sleep } = recordingSleep();
			const err = await rejection(crawlRegistry(u.base, { sleep }));
			expect(err).toBeInstanceOf(RegistryLoadError);
			expect((err as Error).message).toContain(
				to === "file" ? "UnsupportedRedirectProtocol" : "TooManyRedirects",
			);
			expect(delays).toEqual([]);
		}
	});

	test("a cursor of megabytes is refused before it is sent back, and errors stay short", async () => {
		const u = await upstream(0, {
			hook: () => page([{ server: server("io.github.long/s", "1.0.0") }], "c".repeat(1_000_000)),
		});
		const err = await rejection(crawlRegistry(u.base));
		expect(err).toBeInstanceOf(RegistryLoadError);
		expect((err as Error).message).toBe(
			`${u.base}/v0.1/servers?limit=100: the next cursor is 1000000 characters long, over 4096`,
		);
		expect(u.requests).toHaveLength(1);
	});

	test("a page that is not JSON, or no list, is an error naming the page", async () => {
		const u = await upstream(0, {
			hook: (n) => (n === 1 ? new Response('{"servers":[{"server"') : Response.json([1, 2])),
		});
		const first = await rejection(crawlRegistry(`${u.base}/v0/servers`));
		expect((first as Error).message).toStartWith(`${u.base}/v0/servers?limit=100: `);
		const second = await rejection(crawlRegistry(`${u.base}/v0/servers`));
		expect((second as Error).message).toBe(
			`${u.base}/v0/servers?limit=100: the answer has no "servers" array (a bare array is no API page)`,
		);
	});

	test("pages past maxBytes together: refused, naming the limit", async () => {
		const u = await upstream(30);
		const err = await rejection(crawlRegistry(`${u.base}/v0.1/servers?limit=10`, { maxBytes: 4000 }));
		expect((err as Error).message).toContain("more than 4000 bytes, the limit (MCP_REGISTRY_MAX_FILE_BYTES)");
	});

	test("an abort during the backoff ends the crawl at once with the abort's reason", async () => {
		const u = await upstream(1, { every503: 1 });
		const controller = new AbortController();
		const reason = new Error("stopping");
		const err = await rejection(
			crawlRegistry(u.base, {
				signal: controller.signal,
				sleep: async () => controller.abort(reason),
			}),
		);
		expect(err).toBe(reason);
		expect(u.requests).toHaveLength(1);
	});

	test("user information in the source URL is never in an error or a retry note", async () => {
		const u = await upstream(1, { every503: 1 });
		const secret = `http://reader:hunter2@127.0.0.1:${u.port}`;
		const notes: string[] = [];
		const { sleep } = recordingSleep();
		const err = await rejection(
			crawlRegistry(secret, { sleep, attempts: 2, onRetry: (r) => notes.push(JSON.stringify(r)) }),
		);
		expect((err as Error).message).toBe(
			`http://***@127.0.0.1:${u.port}/v0.1/servers?limit=100: HTTP 503 (gave up after 2 tries)`,
		);
		expect(notes.join("\n")).not.toContain("hunter2");
		expect(notes).toHaveLength(1);
	});
});
