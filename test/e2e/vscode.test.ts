/**
 * The compiled binary as VS Code's MCP gallery uses it: a probe, a search for the first page,
 * then every later page asked with the raw cursor alone (VS Code drops `search` and does not
 * URL-encode the cursor), then a server's latest version. Every page must match the search.
 * And POST /v0.1/validate answered by the binary (the full case list runs in process, in
 * test/integration/api-validate.test.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { entry, registryDoc } from "../support/api-server.ts";
import { buildBinary } from "../support/binary.ts";
import { type RunningRegistry, startRegistry, tempDir } from "../support/process.ts";

const work = tempDir("registry-vscode-");
let r: RunningRegistry;

// 130 servers match "weather" (in the name or the description), 170 do not, interleaved by
// name; each has two versions, so `version=latest` matters too.
const MATCHING = new Set<string>();
const servers: Record<string, unknown>[] = [];
for (let i = 0; i < 300; i++) {
	const n = String(i).padStart(3, "0");
	const kind = i % 7 === 0 ? "desc" : i % 2 === 0 ? "name" : "none";
	const name = kind === "name" ? `io.github.acme/weather-${n}` : `io.github.acme/tool-${n}`;
	const description = kind === "desc" ? `Reports the Weather for ${n}` : `Tool number ${n}`;
	if (kind !== "none") MATCHING.add(name);
	servers.push(entry(name, "1.0.0", { description, publishedAt: "2025-06-01T00:00:00Z" }));
	servers.push(entry(name, "1.1.0", { description, publishedAt: "2025-07-01T00:00:00Z" }));
}

beforeAll(async () => {
	const binary = await buildBinary();
	mkdirSync(join(work.path, "data"));
	const file = join(work.path, "data", "registry.json");
	writeFileSync(file, JSON.stringify(registryDoc(servers)));
	r = await startRegistry({ cmd: [binary], cwd: work.path, env: { MCP_REGISTRY_JSON_FILE_PATH: file } });
}, 120_000);

afterAll(async () => {
	await r?.stop("SIGKILL");
	work.cleanup();
});

interface Page {
	servers: { server: { name: string; version: string } }[];
	metadata: { count: number; nextCursor?: string };
}

describe("VS Code's gallery against the binary", () => {
	test("a search is kept on every page VS Code asks with the cursor alone", async () => {
		expect(MATCHING.size).toBeGreaterThan(100);
		// The probe.
		const probe = await fetch(`${r.base}/v0.1/servers?limit=1`);
		expect(probe.status).toBe(200);
		expect(((await probe.json()) as Page).metadata.count).toBe(1);

		const seen: string[] = [];
		let res = await fetch(`${r.base}/v0.1/servers?limit=50&version=latest&search=weather`);
		let pages = 0;
		for (;;) {
			expect(res.status).toBe(200);
			const page = (await res.json()) as Page;
			pages++;
			for (const s of page.servers) {
				expect([s.server.name, MATCHING.has(s.server.name)]).toEqual([s.server.name, true]);
				expect(s.server.version).toBe("1.1.0");
				seen.push(s.server.name);
			}
			const cursor = page.metadata.nextCursor;
			if (cursor === undefined) break;
			// Appended as it is, with nothing else.
			res = await fetch(`${r.base}/v0.1/servers?cursor=${cursor}`);
		}
		expect(pages).toBeGreaterThanOrEqual(3);
		expect(seen).toEqual([...MATCHING].sort());

		// The detail view: one server's latest version.
		const name = seen[seen.length - 1] as string;
		const latest = await fetch(`${r.base}/v0.1/servers/${encodeURIComponent(name)}/versions/latest`);
		expect(latest.status).toBe(200);
		expect(((await latest.json()) as { server: { name: string; version: string } }).server).toMatchObject({
			name,
			version: "1.1.0",
		});
	});

	test("POST /v0.1/validate: valid, invalid, and not JSON", async () => {
		const post = (body: string, type = "application/json") =>
			fetch(`${r.base}/v0.1/validate`, { method: "POST", headers: { "Content-Type": type }, body });
		const doc = (version: string) =>
			JSON.stringify({
				$schema: "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json",
				name: "io.github.example/test-server",
				description: "A test server",
				version,
			});
		const ok = await post(doc("1.0.0"));
		expect(ok.status).toBe(200);
		expect(await ok.json()).toEqual({ valid: true, issues: [] });
		const latest = (await (await post(doc("latest"))).json()) as {
			valid: boolean;
			issues: { path: string }[];
		};
		expect(latest.valid).toBe(false);
		expect(latest.issues[0]?.path).toBe("version");
		const broken = await post("{");
		expect(broken.status).toBe(400);
		expect(broken.headers.get("content-type")).toBe("application/problem+json");
		expect((await post(doc("1.0.0"), "text/plain")).status).toBe(415);
		expect((await post(" ".repeat(1024 * 1024 + 1))).status).toBe(413);
	});
});
