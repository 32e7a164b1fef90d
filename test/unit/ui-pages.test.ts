/**
 * The web UI's pages, in process (src/ui through createApp): browse, search, filters and paging
 * against what the API says of the same snapshot; a server's page; hostile data escaped; the
 * Content-Security-Policy and nothing inline; caching with ETags; assets; the UI turned off;
 * the configurable title, organisation, logo and remote icons; the OpenAPI document without UI
 * routes. The browser tests (test/browser/) drive the same pages in Chromium.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: VS Code's `${input:ID}` is the data under test
import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type App, createApp } from "../../src/http/app.ts";
import { silentLogger } from "../../src/log.ts";
import { browsePage } from "../../src/ui/browse.ts";
import {
	type BrowseQuery,
	type BrowseResult,
	Catalog,
	facetsOf,
	facetsOfEntry,
} from "../../src/ui/catalog.ts";
import type { Chrome } from "../../src/ui/layout.ts";
import { readEntry } from "../../src/ui/server-json.ts";
import { LOGO_MAX_BYTES, readLogo, uiSettings } from "../../src/ui/settings.ts";
import type { UiSettings } from "../../src/ui/ui.ts";
import {
	BUILD,
	entry,
	ORIGIN,
	registryDoc,
	snapshotData,
	type TestStore,
	testStore,
} from "../support/api-server.ts";
import { tempDir } from "../support/process.ts";

const ROOT = join(import.meta.dir, "..", "..");
const SAMPLE = JSON.parse(readFileSync(join(ROOT, "data", "registry.json"), "utf8")) as {
	servers: Record<string, unknown>[];
};

const HOSTILE = "io.github.evil/xss";
/** The sample registry and a few entries it lacks: hostile text, statuses, more package types. */
const EXTRA = [
	entry(HOSTILE, "1.0.0", {
		description: `<script>alert("desc")</script> & 'quotes'`,
		extra: {
			title: "<img src=x onerror=alert(3)>",
			websiteUrl: "javascript:alert(1)",
			repository: { url: "javascript:alert(2)", source: "github" },
			packages: [
				{
					registryType: "npm",
					identifier: "evil</pre><script>x()</script>",
					version: "1.0.0",
					transport: { type: "stdio" },
				},
			],
		},
	}),
	entry("zz.test/deprecated-tool", "1.0.0", {
		status: "deprecated",
		statusMessage: "Use zz.test/new-tool instead",
		extra: { remotes: [{ type: "sse", url: "https://old.example.com/sse" }] },
	}),
	entry("zz.test/gone", "1.0.0", {
		status: "deleted",
		extra: { remotes: [{ type: "streamable-http", url: "https://gone.example.com/mcp" }] },
	}),
	entry("zz.test/multi", "1.0.0", { publishedAt: "2025-06-01T00:00:00Z", isLatest: false }),
	entry("zz.test/multi", "1.1.0", {
		publishedAt: "2025-06-02T00:00:00Z",
		status: "deleted",
		isLatest: false,
	}),
	entry("zz.test/multi", "2.0.0", {
		publishedAt: "2025-06-03T00:00:00Z",
		isLatest: true,
		extra: {
			icons: [{ src: "https://icons.example.com/multi.png", mimeType: "image/png" }],
			packages: [
				{ registryType: "nuget", identifier: "Multi.Tool", version: "2.0.0", transport: { type: "stdio" } },
				{
					registryType: "mcpb",
					identifier: "https://example.com/multi.mcpb",
					fileSha256: "b".repeat(64),
					transport: { type: "stdio" },
				},
			],
		},
	}),
];
const DOC = registryDoc([...SAMPLE.servers, ...EXTRA]);

const SETTINGS: UiSettings = { title: "MCP Registry", remoteIcons: false };
const CHROME: Chrome = {
	title: "MCP Registry",
	assets: { css: "/ui/s.css", js: "/ui/a.js", icon: "/ui/i.svg" },
	version: "1",
};

function makeApp(ui: UiSettings | undefined, doc: unknown = DOC): { app: App; store: TestStore } {
	const store = testStore(snapshotData(doc));
	const app = createApp({ store, build: BUILD, cacheMaxAge: 10, log: silentLogger, ...(ui ? { ui } : {}) });
	return { app, store };
}

const { app, store } = makeApp(SETTINGS);
const get = (path: string, init?: RequestInit, a = app) =>
	Promise.resolve(a.fetch(new Request(`${ORIGIN}${path}`, init)));
const html = async (path: string, a = app): Promise<string> => {
	const res = await get(path, undefined, a);
	expect(res.status).toBe(200);
	expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
	return res.text();
};

/** The server names of a browse page's cards, in order. */
const cardNames = (page: string): string[] =>
	[...page.matchAll(/<p class="card-name">([^<]*)<\/p>/g)].map((m) => unescapeHtml(m[1] as string));
const unescapeHtml = (s: string) =>
	s
		.replaceAll("&lt;", "<")
		.replaceAll("&gt;", ">")
		.replaceAll("&quot;", '"')
		.replaceAll("&#39;", "'")
		.replaceAll("&amp;", "&");
const nextHref = (page: string): string | undefined =>
	/<a class="pager-link" rel="next" href="([^"]+)"/.exec(page)?.[1]?.replaceAll("&amp;", "&");
const prevHref = (page: string): string | undefined =>
	/<a class="pager-link" rel="prev" href="([^"]+)"/.exec(page)?.[1]?.replaceAll("&amp;", "&");
const countOf = (page: string): number =>
	Number(/<p id="count"[^>]*>([\d,]+) servers?/.exec(page)?.[1]?.replaceAll(",", "") ?? Number.NaN);

/** Every card of a browse query, following its Next links. */
async function walk(query: string): Promise<{ names: string[]; pages: number; count: number }> {
	let path: string | undefined = `/${query}`;
	const names: string[] = [];
	let pages = 0;
	let count = Number.NaN;
	while (path) {
		const page = await html(path);
		if (pages === 0) count = countOf(page);
		names.push(...cardNames(page));
		pages++;
		path = nextHref(page);
		expect(pages).toBeLessThan(100);
	}
	return { names, pages, count };
}

interface ApiItem {
	server: {
		name: string;
		packages?: { registryType: string; transport: { type: string } }[];
		remotes?: { type: string }[];
	};
	_meta: Record<string, { status: string }>;
}

/** The latest version of every server, as the API lists them (all pages). */
async function apiLatest(query = ""): Promise<ApiItem[]> {
	const out: ApiItem[] = [];
	let cursor: string | undefined;
	do {
		const res = await get(
			`/v0.1/servers?version=latest&limit=100${query}${cursor ? `&cursor=${cursor}` : ""}`,
		);
		const body = (await res.json()) as { servers: ApiItem[]; metadata: { nextCursor?: string } };
		out.push(...body.servers);
		cursor = body.metadata.nextCursor;
	} while (cursor);
	return out;
}

const status = (i: ApiItem) => i._meta["io.modelcontextprotocol.registry/official"]?.status;

describe("errors of the UI's routes", () => {
	test("carry the pages' Content-Security-Policy and X-Frame-Options", async () => {
		const page = await get("/");
		const csp = page.headers.get("content-security-policy");
		expect(csp).toContain("default-src 'none'");
		for (const path of ["/servers/foo%25zz", "/servers/io.github.x%2Fy/versions/foo%25zz", "/ui/nope.js"]) {
			const res = await get(path);
			expect(res.status).toBeGreaterThanOrEqual(400);
			expect(res.headers.get("content-security-policy")).toBe(csp);
			expect(res.headers.get("x-frame-options")).toBe("DENY");
		}
	});
});

describe("control characters", () => {
	test("a NUL or another control character in a query never reaches the HTML", async () => {
		for (const q of ["%00", "a%01b", "%1B%5B2J", "x%7F"]) {
			const res = await get(`/?q=${q}`);
			expect(res.status).toBe(200);
			const html = await res.text();
			expect([...html].filter((c) => /[\p{Cc}]/u.test(c) && !"\t\n\r".includes(c))).toEqual([]);
		}
	});
});

describe("browse", () => {
	test("lists the latest version of every server, 30 a page, with the count; paging walks each exactly once", async () => {
		const api = await apiLatest();
		const { names, pages, count } = await walk("");
		expect(names).toEqual(api.map((i) => i.server.name));
		expect(new Set(names).size).toBe(names.length);
		expect(count).toBe(api.length);
		expect(pages).toBe(Math.ceil(api.length / 30));
		expect(names).not.toContain("zz.test/gone");
		expect(names).toContain("zz.test/deprecated-tool");
	});

	test("the page before: from page 3 back to page 2, and from page 2 back to the first (no cursor)", async () => {
		const first = await html("/");
		const second = await html(nextHref(first) as string);
		const third = await html(nextHref(second) as string);
		expect(prevHref(third)).toBe(nextHref(first));
		expect(prevHref(second)).toBe("/");
		expect(prevHref(first)).toBeUndefined();
		expect(second).toContain('<span class="pager-pos">31–60 of');
	});

	test("the search narrows to what the API's search finds, and the count says how many", async () => {
		for (const q of ["github", "DATABASE", "zzzz-nothing"]) {
			const api = await apiLatest(`&search=${encodeURIComponent(q)}`);
			const { names, count } = await walk(`?q=${encodeURIComponent(q)}`);
			expect(names).toEqual(api.map((i) => i.server.name));
			expect(count).toBe(api.length);
		}
		const none = await html("/?q=zzzz-nothing");
		expect(none).toContain("No servers match.");
		expect(none).toContain('<p id="count" class="count" role="status">0 servers matching “zzzz-nothing”</p>');
	});

	test("filters by package type and transport, each and combined with each other and a search", async () => {
		const api = await apiLatest();
		const has = (i: ApiItem, type?: string, transport?: string) =>
			(type === undefined || (i.server.packages ?? []).some((p) => p.registryType === type)) &&
			(transport === undefined ||
				(i.server.packages ?? []).some((p) => p.transport.type === transport) ||
				(i.server.remotes ?? []).some((r) => r.type === transport));
		const cases: [string, string | undefined, string | undefined][] = [
			["?type=npm", "npm", undefined],
			["?type=pypi", "pypi", undefined],
			["?type=nuget", "nuget", undefined],
			["?transport=sse", undefined, "sse"],
			["?transport=streamable-http", undefined, "streamable-http"],
			["?type=oci&transport=stdio", "oci", "stdio"],
			["?type=npm&transport=sse", "npm", "sse"],
		];
		for (const [query, type, transport] of cases) {
			const { names, count } = await walk(query);
			const want = api.filter((i) => has(i, type, transport)).map((i) => i.server.name);
			expect(names, query).toEqual(want);
			expect(count).toBe(want.length);
		}
		// With a search: the intersection of the search and the filter.
		const searched = new Set((await apiLatest("&search=server")).map((i) => i.server.name));
		const { names } = await walk("?q=server&type=pypi");
		expect(names).toEqual(
			api.filter((i) => searched.has(i.server.name) && has(i, "pypi")).map((i) => i.server.name),
		);
		expect(names.length).toBeGreaterThan(0);
	});

	test("status: deprecated shown by default and alone; deleted only on request", async () => {
		const api = await apiLatest("&include_deleted=true");
		const byStatus = (s: string) => api.filter((i) => status(i) === s).map((i) => i.server.name);
		expect((await walk("?status=deprecated")).names).toEqual(byStatus("deprecated"));
		expect((await walk("?status=deleted")).names).toEqual(byStatus("deleted"));
		expect((await walk("?status=active")).names).toEqual(byStatus("active"));
		expect((await walk("?status=all")).names).toEqual(api.map((i) => i.server.name));
		const page = await html("/?status=deleted");
		// A deleted server's card leads to its page with the deleted versions shown.
		expect(page).toContain('href="/servers/zz.test%2Fgone?include_deleted=true"');
		expect(page).toContain('<span class="tag tag-bad">deleted</span>');
	});

	test("the form works without JavaScript: a GET form to / with the search box and the three filters, values kept", async () => {
		const page = await html("/?q=git&type=npm&transport=stdio&status=active");
		expect(page).toContain('<form id="search" class="search" role="search" action="/" method="get">');
		expect(page).toContain('<input type="search" id="q" name="q" value="git"');
		expect(page).toContain('<option value="npm" selected>');
		expect(page).toContain('<option value="stdio" selected>');
		expect(page).toContain('<option value="active" selected>');
		expect(page).toContain('<button type="submit" class="btn btn-primary" data-nojs>Search</button>');
		// Every field has its label.
		expect(page).toContain('<label class="sr-only" for="q">');
		for (const id of ["f-type", "f-transport", "f-status"]) expect(page).toContain(`<label for="${id}">`);
	});

	test("unknown filter values read as any; a cursor that names no entry still answers", async () => {
		const all = await html("/");
		const odd = await html("/?type=cargo&transport=carrier-pigeon&status=weird");
		expect(cardNames(odd)).toEqual(cardNames(all));
		const stray = await html("/?cursor=not-a-real-cursor");
		expect(countOf(stray)).toBe(countOf(all));
	});
});

describe("facets", () => {
	test("read from the served JSON with the few fields they need, as from the whole entry", () => {
		const s = store.current;
		const seen = new Set<number>();
		for (let i = 0; i < s.count; i++) {
			const fast = facetsOfEntry(s.entry(i));
			expect(fast).toBe(facetsOf(readEntry(s.entry(i)).server));
			seen.add(fast);
		}
		// npm, PyPI, OCI, NuGet and MCPB, stdio and both remote transports, in some mix.
		expect(seen.size).toBeGreaterThan(6);
	});
});

describe("a broad search, listed up to a bound", () => {
	/** Every page of `q` from a catalog bounded at `bound`, following the next cursors. */
	function walkCatalog(bound: number, q: Partial<BrowseQuery>) {
		const catalog = new Catalog(store.current, bound);
		const query: BrowseQuery = { q: "", type: "", transport: "", status: "", ...q };
		const pages: BrowseResult[] = [];
		let cursor: string | undefined;
		do {
			const r = catalog.page(cursor === undefined ? query : { ...query, cursor }, 7);
			pages.push(r);
			cursor = r.next;
			expect(pages.length).toBeLessThan(100);
		} while (cursor);
		const names = pages.flatMap((r) => r.items.map((i) => store.current.index.names[i] as string));
		return { pages, names };
	}

	test("past the bound, pages go on from their cursor: every match once, in order, the count a lower bound", async () => {
		const want = (await apiLatest("&search=server")).map((i) => i.server.name);
		expect(want.length).toBeGreaterThan(40);
		const { pages, names } = walkCatalog(10, { q: "server" });
		expect(names).toEqual(want);
		// The first page knows its place and that there are at least 10 (more than its 7);
		expect(pages[0]).toMatchObject({ start: 0, exact: false });
		expect(pages[0]?.total).toBeGreaterThanOrEqual(10);
		// past the bound, a page's place is unknown.
		expect(pages.at(-1)?.start).toBeUndefined();
		// Unbounded, the same pages with an exact count.
		const exact = walkCatalog(100_000, { q: "server" });
		expect(exact.names).toEqual(want);
		expect(exact.pages[0]).toMatchObject({ total: want.length, exact: true });
	});

	test("with filters: the same servers as the API's search with the filter applied", async () => {
		const searched = await apiLatest("&search=server");
		const of = (type: string) =>
			searched
				.filter((i) => (i.server.packages ?? []).some((p) => p.registryType === type))
				.map((i) => i.server.name);
		expect(of("pypi").length).toBeGreaterThan(10);
		expect(walkCatalog(10, { q: "server", type: "pypi" }).names).toEqual(of("pypi"));
		// A filter that keeps one server, far past a bound of 1.
		expect(of("nuget")).toEqual(["zz.test/multi"]);
		const far = walkCatalog(1, { q: "server", type: "nuget" });
		expect(far.names).toEqual(of("nuget"));
		// A page looks at 4 × the bound at most: the pages before the match found none, and said so.
		expect(far.pages.length).toBeGreaterThan(3);
		expect(far.pages[0]).toMatchObject({ items: [], total: 0, exact: false });
		expect(far.pages[0]?.next).toBeDefined();
	});

	test("the page says so: a count with +, a link to the first page past the bound", () => {
		const catalog = new Catalog(store.current, 10);
		const q: BrowseQuery = { q: "server", type: "", transport: "", status: "" };
		const first = catalog.page(q, 7);
		expect(first.exact).toBe(false);
		const page = browsePage({
			chrome: CHROME,
			snapshot: store.current,
			query: q,
			result: first,
			icons: { remoteIcons: false },
		});
		expect(page).toContain(`${first.total}+ servers matching “server”`);
		const second = catalog.page({ ...q, cursor: first.next as string }, 7);
		expect(second.start).toBe(7);
		const deep = catalog.page({ ...q, cursor: second.next as string }, 7);
		expect(deep.start).toBeUndefined();
		const deepPage = browsePage({
			chrome: CHROME,
			snapshot: store.current,
			query: q,
			result: deep,
			icons: { remoteIcons: false },
		});
		expect(deepPage).toContain('<a class="pager-link" href="/?q=server">← First page</a>');
		expect(deepPage).toContain("More servers matching “server”");
	});
});

describe("a server's page", () => {
	test("title, name, description, versions newest first with dates, links, and the install configuration", async () => {
		const page = await html("/servers/zz.test%2Fmulti");
		expect(page).toContain("<h1>multi</h1>");
		expect(page).toContain('<p class="server-name"><code>zz.test/multi</code></p>');
		const versions = [...page.matchAll(/<a href="\/servers\/zz\.test%2Fmulti\/versions\/([^"]+)"/g)].map(
			(m) => m[1],
		);
		expect(versions).toEqual(["2.0.0", "1.0.0"]);
		expect(page).toContain('<time datetime="2025-06-03T00:00:00Z">2025-06-03</time>');
		expect(page).toContain("Show 1 deleted version</a>");
		// NuGet: its command; an MCP bundle: a note and its download, no configuration.
		expect(page).toContain("dnx");
		expect(page).toContain("Multi.Tool@2.0.0");
		expect(page).toContain("Download the bundle");
		expect(page).toContain('href="/v0.1/servers/zz.test%2Fmulti/versions/2.0.0"');
		const withDeleted = await html("/servers/zz.test%2Fmulti?include_deleted=true");
		expect(
			[...withDeleted.matchAll(/<a href="\/servers\/zz\.test%2Fmulti\/versions\/([^"?]+)/g)].map((m) => m[1]),
		).toEqual(["2.0.0", "1.1.0", "1.0.0"]);
	});

	test("each client's snippet for a real entry, the VS Code link well formed, secrets and required marked", async () => {
		const page = await html("/servers/ai.meminal%2Fmeminal");
		const link = unescapeHtml(/<a class="btn btn-primary vscode-link" href="([^"]+)"/.exec(page)?.[1] ?? "");
		expect(link.startsWith("vscode:mcp/install?")).toBe(true);
		const config = JSON.parse(decodeURIComponent(link.slice("vscode:mcp/install?".length)));
		expect(config).toMatchObject({
			name: "meminal",
			type: "http",
			url: "https://meminal.ai/mcp",
			headers: { Authorization: "${input:Authorization}" },
		});
		expect(config.inputs[0]).toMatchObject({ id: "Authorization", password: true });
		for (const client of ["vscode", "claude-code", "claude-desktop", "cursor"])
			expect(page).toContain(`data-client="${client}"`);
		expect(page).toContain(
			"claude mcp add --transport http meminal https://meminal.ai/mcp --header &#39;Authorization: &lt;Authorization&gt;&#39;",
		);
		expect(page).toContain('<span class="tag tag-secret">secret</span>');
		const env = await html(`/servers/${encodeURIComponent("io.github.adfin-engineering/mcp-server-adfin")}`);
		expect(env).toContain('<span class="tag tag-req">required</span>');
		expect(env).toContain("<code>ADFIN_EMAIL</code>");
	});

	test("a deprecated server says so with its message; a deleted one is found only on request", async () => {
		const page = await html("/servers/zz.test%2Fdeprecated-tool");
		expect(page).toContain(
			'<div class="notice notice-warn" role="note"><strong>Deprecated.</strong> Use zz.test/new-tool instead</div>',
		);
		const gone = await get("/servers/zz.test%2Fgone");
		expect(gone.status).toBe(404);
		const text = await gone.text();
		expect(text).toContain("Server not found");
		expect(text).toContain('href="/servers/zz.test%2Fgone?include_deleted=true"');
		expect(await html("/servers/zz.test%2Fgone?include_deleted=true")).toContain("<strong>Deleted.</strong>");
		const missing = await get("/servers/no.such%2Fserver");
		expect(missing.status).toBe(404);
		expect(missing.headers.get("content-security-policy")).toContain("default-src 'none'");
		expect((await get("/servers/zz.test%2Fmulti/versions/9.9.9")).status).toBe(404);
	});

	test("one version's page: that version, marked current in the list", async () => {
		const page = await html("/servers/zz.test%2Fmulti/versions/1.0.0");
		expect(page).toContain('<a href="/servers/zz.test%2Fmulti/versions/1.0.0" aria-current="page">1.0.0</a>');
		expect(page).toContain("<title>multi 1.0.0 · MCP Registry</title>");
	});
});

describe("hostile data", () => {
	test("names, descriptions, titles and identifiers are escaped; javascript: URLs are not links", async () => {
		for (const path of [
			"/?q=evil",
			`/?q=${encodeURIComponent("<script>")}`,
			"/servers/io.github.evil%2Fxss",
		]) {
			const page = await html(path);
			expect(page).not.toContain("<script>alert");
			expect(page).not.toContain("<img src=x");
			expect(page).not.toContain("</pre><script>");
			expect(page).not.toMatch(/href="\s*javascript:/i);
			expect(page).toContain("&lt;script&gt;alert(&quot;desc&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;");
		}
		const page = await html("/servers/io.github.evil%2Fxss");
		expect(page).toContain("<h1>&lt;img src=x onerror=alert(3)&gt;</h1>");
		expect(page).toContain('<span class="unlinked">javascript:alert(1)</span>');
		// Its only scripts are the registry's asset.
		expect([...page.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual([
			expect.stringMatching(/^<script src="\/ui\/app\.[0-9a-f]{12}\.js">$/),
		]);
	});
});

describe("offline and strict", () => {
	const CSP =
		"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

	test("every page: the strict Content-Security-Policy; no inline script, style or handler; nothing loaded from elsewhere", async () => {
		for (const path of [
			"/",
			"/?q=git",
			"/servers/ai.exa%2Fexa",
			"/servers/zz.test%2Fmulti",
			"/servers/no.such%2Fthing",
		]) {
			const res = await get(path);
			expect(res.headers.get("content-security-policy")).toBe(CSP);
			expect(res.headers.get("x-content-type-options")).toBe("nosniff");
			const page = await res.text();
			expect(page).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
			expect(page).not.toMatch(/\sstyle\s*=/i);
			expect(page).not.toMatch(/<style/i);
			// In a tag (text's "<" is escaped, so every raw "<" opens one).
			expect(page).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
			// What the page loads (src, stylesheet, icon) is on this origin.
			for (const m of page.matchAll(/<(?:script|img|link)\b[^>]*\s(?:src|href)="([^"]+)"/g))
				expect(m[1]).toMatch(/^\/ui\//);
		}
	});

	test("servers' icons: monograms unless the operator opts in; then their https icon, and the CSP allows https images", async () => {
		const off = await html("/servers/zz.test%2Fmulti");
		expect(off).not.toContain("icons.example.com");
		expect(off).toMatch(/<span class="mono mono-lg hue-\d" aria-hidden="true">MU<\/span>/);
		const on = makeApp({ ...SETTINGS, remoteIcons: true }).app;
		const res = await get("/servers/zz.test%2Fmulti", undefined, on);
		expect(res.headers.get("content-security-policy")).toContain("img-src 'self' https:;");
		// The monogram follows, hidden, for the script to show when the icon fails to load.
		expect(await res.text()).toMatch(
			/<img class="icon icon-lg" data-icon src="https:\/\/icons\.example\.com\/multi\.png" alt="" width="56" height="56" loading="lazy" decoding="async" referrerpolicy="no-referrer"><span hidden data-icon-fallback class="mono mono-lg hue-\d" aria-hidden="true">MU<\/span>/,
		);
	});
});

describe("cached like the API", () => {
	test("a page carries an ETag; If-None-Match answers 304; the same reply twice; a new snapshot, a new page", async () => {
		const { app: a, store: s } = makeApp(SETTINGS);
		const first = await get("/", undefined, a);
		const etag = first.headers.get("etag") as string;
		expect(etag).toMatch(/^"[\w-]{27}"$/);
		expect(first.headers.get("cache-control")).toBe("public, max-age=10");
		const again = await get("/", undefined, a);
		expect(again.headers.get("etag")).toBe(etag);
		expect((await get("/", { headers: { "If-None-Match": etag } }, a)).status).toBe(304);
		const gz = await get("/", { headers: { "Accept-Encoding": "gzip" } }, a);
		expect(gz.headers.get("content-encoding")).toBe("gzip");
		expect(gz.headers.get("vary")).toBe("Accept-Encoding");
		const before = a.cacheStats.hits;
		await get("/servers/ai.exa%2Fexa", undefined, a);
		await get("/servers/ai.exa%2Fexa", undefined, a);
		expect(a.cacheStats.hits).toBeGreaterThan(before);
		s.current = testStore(snapshotData(registryDoc(SAMPLE.servers.slice(0, 5)))).current;
		const swapped = await get("/", undefined, a);
		expect(swapped.headers.get("etag")).not.toBe(etag);
		expect(countOf(await swapped.text())).toBeLessThanOrEqual(5);
	});

	test("HEAD of a page: its headers, no body", async () => {
		const res = await get("/", { method: "HEAD" });
		expect(res.status).toBe(200);
		expect(res.headers.get("etag")).toBeTruthy();
	});
});

describe("assets", () => {
	test("script, stylesheet and icon: content-hashed names, immutable for a year, the hash of their bytes", async () => {
		const page = await html("/");
		const paths = [...page.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)].map((m) => m[1] as string);
		expect(paths.map((p) => p.replace(/\.[0-9a-f]{12}\./, ".HASH."))).toEqual([
			"/ui/icon.HASH.svg",
			"/ui/style.HASH.css",
			"/ui/app.HASH.js",
		]);
		for (const p of paths) {
			const res = await get(p);
			expect(res.status).toBe(200);
			expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
			const bytes = new Uint8Array(await res.arrayBuffer());
			expect(p).toContain(`.${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}.`);
		}
		const js = await (await get(paths[2] as string)).text();
		// A script on its own: it parses, and imports nothing.
		expect(() => new Function(js)).not.toThrow();
		expect(js).not.toMatch(/\bimport\b|\brequire\(/);
		expect((await get("/ui/app.000000000000.js")).status).toBe(404);
	});

	test("the stylesheet has both themes and no remote URL or font", async () => {
		const page = await html("/");
		const css = await (await get(/href="(\/ui\/style[^"]+)"/.exec(page)?.[1] as string)).text();
		expect(css).toContain("@media (prefers-color-scheme: dark)");
		expect(css).toContain(':root[data-theme="dark"]');
		expect(css).not.toMatch(/url\(|@import|@font-face/);
	});
});

describe("configuration", () => {
	const dir = tempDir("registry-ui-");
	afterAll(() => dir.cleanup());

	test("title, organisation and logo in the header and the titles; the logo served as an asset", async () => {
		const logoPath = join(dir.path, "logo.svg");
		writeFileSync(
			logoPath,
			'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>',
		);
		const settings = uiSettings({
			ui: true,
			uiTitle: "Acme Tools",
			uiOrganization: "Acme Corp",
			uiLogo: logoPath,
			uiRemoteIcons: false,
		}) as UiSettings;
		const { app: a } = makeApp(settings);
		const page = await html("/", a);
		expect(page).toContain("<title>Acme Tools · Acme Corp</title>");
		expect(page).toContain(
			'<span class="brand-title">Acme Tools</span><span class="brand-org">Acme Corp</span>',
		);
		expect(page).toContain("Servers in the Acme Corp registry");
		const logo = /<img class="logo" src="(\/ui\/logo\.[0-9a-f]{12}\.svg)" alt="Acme Corp logo"/.exec(
			page,
		)?.[1] as string;
		expect(logo).toBeDefined();
		const res = await get(logo, undefined, a);
		expect(res.headers.get("content-type")).toBe("image/svg+xml");
		expect(res.headers.get("content-security-policy")).toContain("sandbox");
		expect(await res.text()).toContain("<rect");
	});

	test("a logo that cannot be served is a configuration error naming the variable", () => {
		expect(() => readLogo(join(dir.path, "missing.png"))).toThrow(
			/MCP_REGISTRY_UI_LOGO: .*missing\.png: no such file/,
		);
		const html = join(dir.path, "logo.html");
		writeFileSync(html, "<p>");
		expect(() => readLogo(html)).toThrow(/not an image the UI serves/);
		const big = join(dir.path, "big.png");
		writeFileSync(big, new Uint8Array(LOGO_MAX_BYTES + 1));
		expect(() => readLogo(big)).toThrow(/more than 524288/);
		expect(() => readLogo(`${dir.path}/.`)).toThrow(/not an image/);
	});

	test("MCP_REGISTRY_UI=false: no UI settings; / redirects to /docs and the UI's paths are not routed", async () => {
		expect(
			uiSettings({
				ui: false,
				uiTitle: "x",
				uiOrganization: undefined,
				uiLogo: undefined,
				uiRemoteIcons: false,
			}),
		).toBeUndefined();
		const { app: off } = makeApp(undefined);
		const root = await get("/", undefined, off);
		expect(root.status).toBe(302);
		expect(root.headers.get("location")).toBe("/docs");
		for (const path of ["/servers/ai.exa%2Fexa", "/servers/ai.exa%2Fexa/versions/3.0.9", "/ui/app.js"]) {
			const res = await get(path, undefined, off);
			expect(res.status).toBe(404);
			expect(res.headers.get("content-type")).toBe("application/problem+json");
		}
		expect(off.routes).not.toContain("/servers/:serverName");
		expect(app.routes).toEqual(
			expect.arrayContaining([
				"/servers/:serverName",
				"/servers/:serverName/versions/:version",
				"/ui/:asset",
			]),
		);
	});

	test("the UI changes no API answer, and the OpenAPI document has no UI route", async () => {
		const { app: off } = makeApp(undefined);
		for (const path of [
			"/v0.1/servers?limit=3",
			"/v0/servers/ai.exa%2Fexa/versions",
			"/openapi.json",
			"/docs",
			"/v0.1/ping",
		]) {
			const on = await get(path);
			const without = await get(path, undefined, off);
			expect(on.status).toBe(without.status);
			expect(await on.text()).toBe(await without.text());
		}
		const doc = (await (await get("/openapi.json")).json()) as {
			paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
		};
		expect(Object.keys(doc.paths).filter((p) => !p.startsWith("/v0"))).toEqual([
			"/openapi.yaml",
			"/openapi.json",
			"/docs",
			"/metrics",
			"/",
		]);
		expect(Object.keys(doc.paths["/"]?.get?.responses ?? {})).toEqual(["200", "302"]);
		// The UI's paths collide with nothing the API serves.
		expect(store.current.count).toBeGreaterThan(100);
	});
});
