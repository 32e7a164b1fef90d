/**
 * The web UI in a real browser: Debian's Chromium (test/browser/chromium.ts) driven by
 * playwright-core, against the compiled binary serving a registry file of real entries (the
 * sample registry, the rest of the 358-server seed, and a few entries for statuses and hostile
 * text). Every request every page makes is recorded, and one that leaves the registry's origin
 * fails the run; so do a page error and a Content-Security-Policy violation. axe-core runs in
 * each page, light and dark. Screenshots go to test-results/browser/.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { buildBinary } from "../support/binary.ts";
import { ROOT, type RunningRegistry, startRegistry, tempDir } from "../support/process.ts";
import { CHROMIUM_ARGS, chromiumPath } from "./chromium.ts";

/** The browser globals the page functions below use (this project's TypeScript has no DOM library). */
declare const document: {
	activeElement: { id: string; textContent: string | null } | null;
	querySelector(selector: string): { textContent: string | null } | null;
	documentElement: { dataset: Record<string, string | undefined> };
	body: unknown;
};
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare function getComputedStyle(element: unknown): { backgroundColor: string };

const OUT = join(ROOT, "test-results", "browser");
/** A server that is not there: its page answers 404. */
const NOT_FOUND = "/servers/no.such%2Fserver";
/** Per test: a page load is well under a second, a test a few seconds. */
const TIMEOUT = 60_000;
const OFFICIAL = "io.modelcontextprotocol.registry/official";
const work = tempDir("registry-browser-");

type Item = Record<string, unknown>;

/** The registry file: real entries, and a few for what real data lacks (statuses, hostile text). */
function registryFile(): string {
	const sample = JSON.parse(readFileSync(join(ROOT, "data", "registry.json"), "utf8")) as {
		servers: { server: Item }[];
	};
	const seed = JSON.parse(
		readFileSync(join(ROOT, "test", "fixtures", "real-seed-358-servers.json"), "utf8"),
	) as Item[];
	const names = new Set(sample.servers.map((s) => s.server.name));
	const meta = (status: string, extra: Item = {}) => ({
		[OFFICIAL]: {
			status,
			publishedAt: "2025-10-01T00:00:00Z",
			updatedAt: "2025-10-01T00:00:00Z",
			isLatest: true,
			...extra,
		},
	});
	const servers: Item[] = [
		...sample.servers,
		...seed.filter((s) => !names.has(s.name)).map((s) => ({ server: s })),
		{
			server: {
				name: "zz.example/hostile",
				description: "<script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2>",
				version: "1.0.0",
				websiteUrl: "javascript:window.__pwned=3",
				packages: [
					{ registryType: "npm", identifier: "hostile", version: "1.0.0", transport: { type: "stdio" } },
				],
			},
			_meta: meta("active"),
		},
		{
			server: {
				name: "zz.example/old",
				description: "An older tool",
				version: "1.0.0",
				remotes: [{ type: "sse", url: "https://old.example.com/sse" }],
			},
			_meta: meta("deprecated", { statusMessage: "Replaced by zz.example/new" }),
		},
		{
			server: {
				name: "zz.example/removed",
				description: "Removed",
				version: "1.0.0",
				remotes: [{ type: "sse", url: "https://removed.example.com/sse" }],
			},
			_meta: meta("deleted"),
		},
	];
	const path = join(work.path, "registry.json");
	writeFileSync(path, JSON.stringify({ servers }));
	return path;
}

let setupError: Error | undefined;
let registry: RunningRegistry | undefined;
let browser: Browser | undefined;
let base = "";
/** Every request any page made: URL, and the page's URL then. */
const requests: { url: string; from: string }[] = [];
/** Page errors and console errors (a CSP violation is one). */
const problems: string[] = [];

beforeAll(async () => {
	try {
		mkdirSync(OUT, { recursive: true });
		const executablePath = chromiumPath();
		const [binary] = await Promise.all([buildBinary()]);
		registry = await startRegistry({
			cmd: [binary],
			cwd: work.path,
			env: { MCP_REGISTRY_JSON_FILE_PATH: registryFile(), MCP_REGISTRY_UI_ORGANIZATION: "Example Org" },
		});
		base = registry.base;
		browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
	} catch (err) {
		setupError = err as Error;
		process.stderr.write(`\n${setupError.message}\n\n`);
	}
}, 20 * 60_000);

afterAll(async () => {
	await browser?.close();
	await registry?.stop("SIGKILL");
	work.cleanup();
});

/** The browser and server, or the reason there are none (every test then fails with it). */
function ready(): Browser {
	if (setupError) throw setupError;
	return browser as Browser;
}

async function context(
	options: { javaScriptEnabled?: boolean; colorScheme?: "light" | "dark" } = {},
): Promise<BrowserContext> {
	const ctx = await ready().newContext({
		viewport: { width: 1280, height: 900 },
		javaScriptEnabled: options.javaScriptEnabled ?? true,
		colorScheme: options.colorScheme ?? "light",
	});
	ctx.on("request", (r) => requests.push({ url: r.url(), from: r.frame().url() }));
	ctx.on("page", (p) => {
		p.on("pageerror", (e) => problems.push(`page error on ${p.url()}: ${e.message}`));
		p.on("console", (m) => {
			// The not-found page is a 404 on purpose; any other error is a problem.
			const expected = p.url().endsWith(NOT_FOUND) && m.text().includes("status of 404");
			if (m.type() === "error" && !expected) problems.push(`console error on ${p.url()}: ${m.text()}`);
		});
	});
	return ctx;
}

/** The API's latest version of every server (all pages). */
async function apiLatest(query = ""): Promise<Item[]> {
	const out: Item[] = [];
	let cursor: string | undefined;
	do {
		const res = await fetch(
			`${base}/v0.1/servers?version=latest&limit=100${query}${cursor ? `&cursor=${cursor}` : ""}`,
		);
		const body = (await res.json()) as { servers: Item[]; metadata: { nextCursor?: string } };
		out.push(...body.servers);
		cursor = body.metadata.nextCursor;
	} while (cursor);
	return out;
}
const nameOf = (i: Item) => (i.server as { name: string }).name;

const cardNames = (page: Page) => page.locator(".card-name").allTextContents();
const countText = (page: Page) => page.locator("#count").textContent();

/** axe-core in the page (evaluated through the DevTools protocol, which the page's CSP does not govern). */
const AXE = readFileSync(join(ROOT, "node_modules", "axe-core", "axe.min.js"), "utf8");
/** What axe-core found: serious and critical violations, every other finding, and how many rules passed. */
async function axeFindings(page: Page): Promise<{ serious: string[]; minor: string[]; passed: number }> {
	await page.evaluate(AXE);
	const r = await page.evaluate(async () => {
		type Rule = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };
		const axe = (
			globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: Rule[]; passes: Rule[] }> } }
		).axe;
		const r = await axe.run({ resultTypes: ["violations", "passes"] });
		return {
			passed: r.passes.length,
			violations: r.violations.map((v) => ({
				impact: v.impact ?? "",
				text: `${v.impact} ${v.id}: ${v.help} (${v.nodes
					.slice(0, 3)
					.map((n) => n.target.join(" "))
					.join(", ")})`,
			})),
		};
	});
	const serious = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
	return {
		serious: serious.map((v) => v.text),
		minor: r.violations.filter((v) => !serious.includes(v)).map((v) => v.text),
		passed: r.passed,
	};
}

describe("the web UI in Chromium", () => {
	test(
		"with JavaScript off: the list, the count, paging links and the search form all work",
		async () => {
			const ctx = await context({ javaScriptEnabled: false });
			const page = await ctx.newPage();
			await page.goto(`${base}/`);
			const api = await apiLatest();
			expect(await cardNames(page)).toEqual(api.slice(0, 30).map(nameOf));
			expect(await countText(page)).toBe(`${api.length} servers`);
			// What only the script drives stays hidden; the form's own button is there.
			expect(await page.locator("#theme").isVisible()).toBe(false);
			expect(await page.locator("button[type=submit]").isVisible()).toBe(true);
			await page.fill("#q", "github");
			await page.click("button[type=submit]");
			await page.waitForURL(/\?q=github/);
			const searched = await apiLatest("&search=github");
			expect(await cardNames(page)).toEqual(searched.slice(0, 30).map(nameOf));
			await page.goto(`${base}/servers/ai.meminal%2Fmeminal`);
			// Every client's configuration is on the page, one after the other.
			for (const title of ["VS Code", "Claude Code", "Claude Desktop", "Cursor"]) {
				expect(await page.locator(".panel-title", { hasText: title }).first().isVisible()).toBe(true);
			}
			expect(await page.locator("button.copy").count()).toBeGreaterThan(0);
			expect(await page.locator("button.copy").first().isVisible()).toBe(false);
			await ctx.close();
		},
		TIMEOUT,
	);

	test(
		"typing a search narrows the list as you type, and the URL follows",
		async () => {
			const ctx = await context();
			const page = await ctx.newPage();
			await page.goto(`${base}/`);
			const before = await countText(page);
			await page.locator("#q").pressSequentially("database", { delay: 20 });
			const want = (await apiLatest("&search=database")).map(nameOf);
			await page.waitForFunction(
				(n) => document.querySelector("#count")?.textContent?.startsWith(`${n} server`),
				want.length,
			);
			expect(await countText(page)).not.toBe(before);
			expect(await cardNames(page)).toEqual(want.slice(0, 30));
			expect(page.url()).toBe(`${base}/?q=database`);
			// No page load: the search box kept its focus.
			expect(await page.evaluate(() => document.activeElement?.id)).toBe("q");
			await ctx.close();
		},
		TIMEOUT,
	);

	test(
		"filters combine, with each other and with the search",
		async () => {
			const ctx = await context();
			const page = await ctx.newPage();
			await page.goto(`${base}/`);
			const all = await apiLatest();
			type S = {
				packages?: { registryType: string; transport: { type: string } }[];
				remotes?: { type: string }[];
			};
			const srv = (i: Item) => i.server as S;
			const isType = (i: Item, t: string) => (srv(i).packages ?? []).some((p) => p.registryType === t);
			const hasTransport = (i: Item, t: string) =>
				(srv(i).packages ?? []).some((p) => p.transport.type === t) ||
				(srv(i).remotes ?? []).some((r) => r.type === t);
			const waitFor = async (names: string[]) => {
				await page.waitForFunction(
					(n) => document.querySelector("#count")?.textContent?.startsWith(`${n} server`),
					names.length,
				);
				expect(await cardNames(page)).toEqual(names.slice(0, 30));
			};
			await page.selectOption("#f-type", "npm");
			await waitFor(all.filter((i) => isType(i, "npm")).map(nameOf));
			await page.selectOption("#f-transport", "stdio");
			await waitFor(all.filter((i) => isType(i, "npm") && hasTransport(i, "stdio")).map(nameOf));
			await page.locator("#q").pressSequentially("server");
			const searched = new Set((await apiLatest("&search=server")).map(nameOf));
			await waitFor(
				all
					.filter((i) => searched.has(nameOf(i)) && isType(i, "npm") && hasTransport(i, "stdio"))
					.map(nameOf),
			);
			expect(new URL(page.url()).search).toBe("?q=server&type=npm&transport=stdio");
			await page.selectOption("#f-type", "");
			await page.selectOption("#f-transport", "sse");
			await page.fill("#q", "");
			await waitFor(all.filter((i) => hasTransport(i, "sse")).map(nameOf));
			await page.selectOption("#f-status", "deprecated");
			await waitFor(["zz.example/old"]);
			await ctx.close();
		},
		TIMEOUT,
	);

	test(
		"paging walks every server exactly once",
		async () => {
			const ctx = await context();
			const page = await ctx.newPage();
			await page.goto(`${base}/`);
			const seen: string[] = [];
			for (let pages = 0; pages < 50; pages++) {
				seen.push(...(await cardNames(page)));
				const next = page.locator("a[rel=next]");
				if ((await next.count()) === 0) break;
				await Promise.all([page.waitForURL(/cursor=/), next.click()]);
			}
			const api = (await apiLatest()).map(nameOf);
			expect(seen).toEqual(api);
			expect(new Set(seen).size).toBe(seen.length);
			expect(seen.length).toBeGreaterThan(300);
			await ctx.close();
		},
		TIMEOUT,
	);

	test(
		"a server's page: versions, the install configuration per client, copy, the VS Code link, keyboard",
		async () => {
			const ctx = await context();
			await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
			const page = await ctx.newPage();
			await page.goto(`${base}/servers/ai.mcpcap%2Fmcpcap`);
			const versions = (await (await fetch(`${base}/v0.1/servers/ai.mcpcap%2Fmcpcap/versions`)).json()) as {
				servers: Item[];
			};
			expect(await page.locator(".versions li a").allTextContents()).toEqual(
				versions.servers.map((v) => (v.server as { version: string }).version),
			);
			expect(versions.servers.length).toBeGreaterThan(5);
			// Tabs: one client shown at a time; the arrow keys move between them.
			const tabs = page.locator("[role=tab]");
			expect(await tabs.allTextContents()).toEqual(["VS Code", "Claude Code", "Claude Desktop", "Cursor"]);
			await tabs.nth(0).focus();
			await page.keyboard.press("ArrowRight");
			expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Claude Code");
			const panel = page.locator("#package-0-claude-code");
			expect(await panel.isVisible()).toBe(true);
			expect(await page.locator("#package-0-vscode").isVisible()).toBe(false);
			// Copy: the clipboard holds the command shown.
			const command = (await page.locator("#package-0-claude-code-cmd").textContent()) as string;
			expect(command.startsWith("claude mcp add --transport stdio mcpcap ")).toBe(true);
			await panel.locator("button.copy").click();
			expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command);
			expect(await panel.locator("button.copy").textContent()).toContain("Copied");
			// The VS Code link: vscode:mcp/install? and the same server as the mcp.json shown.
			await tabs.nth(0).click();
			const href = (await page.locator("#package-0-vscode a.vscode-link").getAttribute("href")) as string;
			expect(href.startsWith("vscode:mcp/install?")).toBe(true);
			const fromLink = JSON.parse(decodeURIComponent(href.slice("vscode:mcp/install?".length))) as Item;
			const file = JSON.parse((await page.locator("#package-0-vscode-json").textContent()) as string) as {
				servers: Record<string, Item>;
			};
			const { name, inputs: _inputs, ...server } = fromLink;
			expect(name).toBe("mcpcap");
			expect(server).toEqual(file.servers.mcpcap as Item);
			expect(server.command).toBe("uvx");
			// "/" goes to the search on the browse page.
			await page.goto(`${base}/`);
			await page.keyboard.press("/");
			expect(await page.evaluate(() => document.activeElement?.id)).toBe("q");
			// The first Tab reaches the skip link.
			await page.goto(`${base}/servers/ai.mcpcap%2Fmcpcap`);
			await page.keyboard.press("Tab");
			expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
			await ctx.close();
		},
		TIMEOUT,
	);

	test(
		"hostile text stays text: nothing it holds runs, no javascript: link",
		async () => {
			const ctx = await context();
			const page = await ctx.newPage();
			await page.goto(`${base}/servers/zz.example%2Fhostile`);
			expect(await page.locator(".lead").textContent()).toBe(
				"<script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2>",
			);
			expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
			expect(await page.locator("a[href^='javascript:']").count()).toBe(0);
			await ctx.close();
		},
		TIMEOUT,
	);

	test(
		"the theme toggle switches and is remembered",
		async () => {
			const ctx = await context({ colorScheme: "light" });
			const page = await ctx.newPage();
			await page.goto(`${base}/`);
			const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
			const light = await bg();
			await page.click("#theme"); // auto → light
			await page.click("#theme"); // light → dark
			expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
			expect(await bg()).not.toBe(light);
			await page.reload();
			expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
			await ctx.close();
		},
		TIMEOUT,
	);

	test(
		"axe-core: no serious or critical finding on any page, light and dark; screenshots of each",
		async () => {
			const pages: [string, string][] = [
				["browse", "/"],
				["search", "/?q=data&type=pypi"],
				["server", "/servers/ai.mcpcap%2Fmcpcap"],
				["server-remote", "/servers/ai.meminal%2Fmeminal"],
				["server-inputs", "/servers/io.github.adfin-engineering%2Fmcp-server-adfin"],
				["deprecated", "/servers/zz.example%2Fold"],
				["not-found", NOT_FOUND],
			];
			const findings: string[] = [];
			for (const scheme of ["light", "dark"] as const) {
				const ctx = await context({ colorScheme: scheme });
				const page = await ctx.newPage();
				for (const [label, path] of pages) {
					await page.goto(`${base}${path}`);
					const axe = await axeFindings(page);
					// axe ran its rules on a real page (color contrast, names, landmarks, …).
					expect(axe.passed).toBeGreaterThan(15);
					for (const f of axe.serious) findings.push(`${label} (${scheme}): ${f}`);
					for (const f of axe.minor) process.stderr.write(`axe, ${label} (${scheme}), not counted: ${f}\n`);
					await page.screenshot({
						path: join(OUT, `${label}-${scheme}.png`),
						fullPage: label !== "browse" && label !== "search",
					});
				}
				await ctx.close();
			}
			expect(findings).toEqual([]);
			// The control: a page made worse is caught (low contrast is a serious finding).
			const ctx = await context();
			const page = await ctx.newPage();
			await page.goto(`${base}/`);
			await page.evaluate(() => {
				const p = (
					document as unknown as { querySelector(s: string): { style: Record<string, string> } }
				).querySelector(".sub");
				p.style.color = "#eeeeee";
			});
			expect((await axeFindings(page)).serious.join("\n")).toContain("color-contrast");
			await ctx.close();
		},
		TIMEOUT,
	);

	test(
		"on a phone's width, no page is wider than the screen",
		async () => {
			const ctx = await ready().newContext({ viewport: { width: 390, height: 844 } });
			ctx.on("request", (r) => requests.push({ url: r.url(), from: r.frame().url() }));
			const page = await ctx.newPage();
			for (const path of [
				"/",
				"/servers/io.github.adfin-engineering%2Fmcp-server-adfin",
				"/servers/ai.meminal%2Fmeminal",
			]) {
				await page.goto(`${base}${path}`);
				expect(
					await page.evaluate(
						() =>
							(document as unknown as { documentElement: { scrollWidth: number } }).documentElement
								.scrollWidth,
					),
				).toBe(390);
			}
			await ctx.close();
		},
		TIMEOUT,
	);

	test(
		"no request left the registry's origin, no page error, no CSP violation",
		() => {
			ready();
			const origin = new URL(base).origin;
			expect(requests.length).toBeGreaterThan(50);
			expect(requests.filter((r) => new URL(r.url).origin !== origin)).toEqual([]);
			expect(problems).toEqual([]);
		},
		TIMEOUT,
	);
});
