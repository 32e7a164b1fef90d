/**
 * The web UI's variables as the compiled binary reads them (no browser needed): on by default,
 * MCP_REGISTRY_UI=false turns it off (/ redirects to /docs as before), the title, organisation
 * and logo reach the page, and a logo that cannot be served stops start-up with exit 2.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildBinary } from "../support/binary.ts";
import { ROOT, type RunningRegistry, startRegistry, startUpOutcome, tempDir } from "../support/process.ts";

const work = tempDir("registry-ui-config-");
const running: RunningRegistry[] = [];
let binary = "";
let file = "";

beforeAll(async () => {
	binary = await buildBinary();
	file = join(work.path, "registry.json");
	copyFileSync(join(ROOT, "data", "registry.json"), file);
}, 120_000);

afterAll(async () => {
	for (const r of running) await r.stop("SIGKILL");
	work.cleanup();
});

async function start(env: Record<string, string>): Promise<RunningRegistry> {
	const r = await startRegistry({
		cmd: [binary],
		cwd: work.path,
		env: { MCP_REGISTRY_JSON_FILE_PATH: file, ...env },
	});
	running.push(r);
	return r;
}

describe("the web UI's variables, in the binary", () => {
	test("on by default: / is the browse page, with the configured title, organisation and logo", async () => {
		const logo = join(work.path, "acme.png");
		writeFileSync(logo, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
		const r = await start({
			MCP_REGISTRY_UI_TITLE: "Acme MCP",
			MCP_REGISTRY_UI_ORGANIZATION: "Acme",
			MCP_REGISTRY_UI_LOGO: logo,
		});
		const res = await fetch(`${r.base}/`);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-security-policy")).toStartWith("default-src 'none'; script-src 'self'");
		const page = await res.text();
		expect(page).toContain("<title>Acme MCP · Acme</title>");
		expect(page).toContain('<p id="count" class="count" role="status">81 servers</p>');
		const src = /<img class="logo" src="([^"]+)"/.exec(page)?.[1] as string;
		const img = await fetch(`${r.base}${src}`);
		expect(img.headers.get("content-type")).toBe("image/png");
		expect(new Uint8Array(await img.arrayBuffer())).toEqual(
			new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
		);
		expect(await r.stop()).toBe(0);
	});

	test("MCP_REGISTRY_UI=false: / redirects to /docs and the UI's paths are not served", async () => {
		const r = await start({ MCP_REGISTRY_UI: "false" });
		const root = await fetch(`${r.base}/`, { redirect: "manual" });
		expect(root.status).toBe(302);
		expect(root.headers.get("location")).toBe("/docs");
		const server = await fetch(`${r.base}/servers/ai.exa%2Fexa`);
		expect(server.status).toBe(404);
		expect(server.headers.get("content-type")).toBe("application/problem+json");
		expect((await fetch(`${r.base}/v0.1/servers/ai.exa%2Fexa/versions/latest`)).status).toBe(200);
		expect(await r.stop()).toBe(0);
	});

	test("a logo that cannot be served stops start-up with exit 2, naming the variable", async () => {
		const r = await startRegistry({
			cmd: [binary],
			cwd: work.path,
			env: { MCP_REGISTRY_JSON_FILE_PATH: file, MCP_REGISTRY_UI_LOGO: join(work.path, "nope.svg") },
			expectListening: false,
		});
		running.push(r);
		expect(await startUpOutcome(r)).toBe("exit 2");
		expect(r.logs()).toContain("MCP_REGISTRY_UI_LOGO:");
		expect(r.logs()).toContain("nope.svg: no such file");
	});
});
