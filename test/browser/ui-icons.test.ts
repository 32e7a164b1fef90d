/**
 * Servers' own icons (MCP_REGISTRY_UI_REMOTE_ICONS=true) in Chromium: an icon that loads is
 * shown; one that fails to load (a dead URL, a closed network) gives way to the server's
 * monogram, never the browser's broken-image box — on the browse page and on the server's page,
 * and for icons that fail before or after the page's script runs.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { buildBinary } from "../support/binary.ts";
import { type RunningRegistry, startRegistry, tempDir } from "../support/process.ts";
import { CHROMIUM_ARGS, chromiumPath } from "./chromium.ts";

const work = tempDir("registry-ui-icons-");
let registry: RunningRegistry | undefined;
let browser: Browser | undefined;
/** A 1×1 PNG, answered for the icon that loads. */
const PNG = Buffer.from(
	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
	"base64",
);

const server = (name: string, icon: string) => ({
	server: {
		$schema: "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json",
		name,
		description: `The ${name} server`,
		version: "1.0.0",
		icons: [{ src: icon, mimeType: "image/png" }],
	},
});

beforeAll(async () => {
	const file = join(work.path, "registry.json");
	writeFileSync(
		file,
		JSON.stringify({
			servers: [
				server("io.github.icons/alive", "https://icons.test/alive.png"),
				server("io.github.icons/dead", "https://icons.test/dead.png"),
			],
		}),
	);
	const [binary] = await Promise.all([buildBinary()]);
	registry = await startRegistry({
		cmd: [binary],
		cwd: work.path,
		env: { MCP_REGISTRY_JSON_FILE_PATH: file, MCP_REGISTRY_UI_REMOTE_ICONS: "true" },
	});
	browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
}, 20 * 60_000);

afterAll(async () => {
	await browser?.close();
	await registry?.stop("SIGKILL");
	work.cleanup();
});

describe("servers' own icons in Chromium", () => {
	for (const path of ["/", "/servers/io.github.icons%2Fdead", "/servers/io.github.icons%2Falive"]) {
		test(`${path}: a dead icon gives way to the monogram; a live one is shown`, async () => {
			const ctx = await (browser as Browser).newContext();
			// No request leaves this machine: the live icon is answered here, the dead one fails.
			await ctx.route("https://icons.test/**", (route) =>
				route.request().url().endsWith("/alive.png")
					? route.fulfill({ status: 200, contentType: "image/png", body: PNG })
					: route.abort("failed"),
			);
			const page = await ctx.newPage();
			await page.goto(`${(registry as RunningRegistry).base}${path}`);
			await page.waitForLoadState("networkidle");
			const icons = await page
				.locator("img[data-icon]")
				.evaluateAll((els) => els.map((e) => e.getAttribute("src")));
			const shown = await page.locator("[data-icon-fallback]:not([hidden])").allTextContents();
			const dead = path === "/" || path.endsWith("dead");
			const alive = path === "/" || path.endsWith("alive");
			expect(icons).toEqual(alive ? ["https://icons.test/alive.png"] : []);
			expect(shown).toEqual(dead ? ["DE"] : []);
			if (alive) {
				const width = await page
					.locator("img[data-icon]")
					.first()
					.evaluate((e) => (e as unknown as { naturalWidth: number }).naturalWidth);
				expect(width).toBe(1);
			}
			await ctx.close();
		}, 60_000);
	}
});
