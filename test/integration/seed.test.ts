/**
 * Seeding from another registry's API (crawlRegistry) against a real HTTP server on loopback:
 * a hostile or broken registry cannot fill the memory past MCP_REGISTRY_MAX_FILE_BYTES, nor
 * slip a duplicate key past the checks a registry file gets.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { crawlRegistry } from "../../src/pipeline/crawl.ts";
import { rejection } from "../support/assert.ts";

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
const servers: { stop(force?: boolean): unknown }[] = [];
afterAll(() => {
	for (const s of servers) s.stop(true);
});

/** A registry whose every page is `page(n)` and links to the next, for `pages` pages. */
function registry(pages: number, page: (n: number) => string) {
	let served = 0;
	const server = Bun.serve({
		hostname: "127.0.0.1",
		port: 0,
		fetch(req) {
			const n = Number(new URL(req.url).searchParams.get("cursor") ?? "0");
			served++;
			return new Response(page(n).replace("NEXT", n + 1 < pages ? String(n + 1) : ""), {
				headers: { "content-type": "application/json" },
			});
		},
	});
	servers.push(server);
	return { url: `http://127.0.0.1:${server.port}/v0/servers`, served: () => served };
}

const entry = (name: string) =>
	JSON.stringify({ server: { $schema: SCHEMA, name, description: "d".repeat(1000), version: "1.0.0" } });

describe("crawlRegistry", () => {
	test("stops once the pages pass the byte limit, naming the variable, long before the last page", async () => {
		// 300 pages of about 100 KB: 30 MB in all, against a limit of 1 MiB.
		const r = registry(
			300,
			(n) =>
				`{"servers":[${Array.from({ length: 100 }, (_, i) => entry(`io.github.p${n}/s${i}`)).join(",")}],"metadata":{"nextCursor":"NEXT"}}`,
		);
		const err = (await rejection(crawlRegistry(r.url, { maxBytes: 1 << 20 }))) as Error;
		expect(err.message).toContain(`the registry's pages come to more than ${1 << 20} bytes`);
		expect(err.message).toContain("MCP_REGISTRY_MAX_FILE_BYTES");
		expect(r.served()).toBeLessThan(15);
	});

	test("a duplicate key in a page is refused, naming the page and the path", async () => {
		const r = registry(2, (n) =>
			n === 0
				? `{"servers":[${entry("io.github.a/one")}],"metadata":{"nextCursor":"NEXT"}}`
				: `{"servers":[{"server":{"$schema":"${SCHEMA}","name":"io.github.a/two","description":"reviewed","description":"EVIL","version":"1.0.0"}}],"metadata":{"nextCursor":"NEXT"}}`,
		);
		const err = (await rejection(crawlRegistry(r.url))) as Error;
		expect(err.message).toContain("cursor=1");
		expect(err.message).toContain('servers[0].server has a duplicate key "description"');
	});

	test("pages within the limit are all crawled", async () => {
		const r = registry(
			3,
			(n) => `{"servers":[${entry(`io.github.ok/s${n}`)}],"metadata":{"nextCursor":"NEXT"}}`,
		);
		const bytes = await crawlRegistry(r.url, { maxBytes: 1 << 20 });
		const doc = JSON.parse(new TextDecoder().decode(bytes)) as { servers: unknown[] };
		expect(doc.servers).toHaveLength(3);
		// Each entry as the registry sent it, byte for byte.
		expect(new TextDecoder().decode(bytes)).toBe(
			`{"servers":[${[0, 1, 2].map((n) => entry(`io.github.ok/s${n}`)).join(",")}]}\n`,
		);
	});
});
