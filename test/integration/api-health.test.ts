/**
 * /health tells anyone only what upstream's does — `{"status":"ok"}`, `github_client_id` when
 * configured — and the counts of the data served. The data source's path, its content hash, the
 * last load's error text and the sync state (with the queue URL, the AWS account in it) only with
 * MCP_REGISTRY_HEALTH_DETAIL=true (`healthDetail`); operators have the numbers on /metrics.
 */
import { describe, expect, test } from "bun:test";
import { type AppOptions, createApp } from "../../src/http/app.ts";
import { silentLogger } from "../../src/log.ts";
import { BUILD, entry, registryDoc, snapshotData, testStore } from "../support/api-server.ts";

const FILE = "/srv/secret-mount/registry.json";
const QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/registry-updates";
const ERROR = `${FILE}: servers[3] (io.github.x/y 1.0.0): name: invalid`;

const DOC = registryDoc([
	entry("io.github.user/weather", "1.0.0"),
	entry("io.github.user/weather", "1.1.0"),
	entry("com.example/other", "1.0.0"),
]);

function app(options: Partial<AppOptions> = {}) {
	// A failed reload since: its error text names the file.
	const store = testStore(snapshotData(DOC, FILE), {
		lastLoad: { at: "2026-01-01T00:00:00.000Z", ok: false, durationMs: 12, error: ERROR },
		loads: { success: 0, failure: 1, timeout: 0 },
	});
	const a = createApp({
		store,
		build: BUILD,
		cacheMaxAge: 10,
		log: silentLogger,
		syncState: () => ({
			enabled: true,
			queue_url: QUEUE_URL,
			last_error: `AccessDenied on ${QUEUE_URL}`,
			s3_url: { url: "s3://secret-bucket/registry.json" },
		}),
		...options,
	});
	return {
		async health(path = "/v0/health") {
			const res = await a.fetch(new Request(`http://registry.test${path}`));
			const text = await res.text();
			return { res, text, body: JSON.parse(text) as Record<string, unknown> };
		},
		async metrics() {
			return (await a.fetch(new Request("http://registry.test/metrics"))).text();
		},
	};
}

describe("/health by default", () => {
	test("{status: ok} and the counts, nothing else, under both prefixes", async () => {
		const a = app();
		for (const path of ["/v0/health", "/v0.1/health"]) {
			const { res, body } = await a.health(path);
			expect(res.status).toBe(200);
			expect(res.headers.get("cache-control")).toBe("no-store");
			expect(body).toEqual({ status: "ok", data: { entries: 3, names: 2 } });
		}
	});

	test("no path, hash, queue URL, account or error text anywhere in the body", async () => {
		const { text } = await app().health();
		for (const secret of [
			"/srv",
			"secret",
			"sqs.",
			"123456789012",
			"AccessDenied",
			"sha256",
			"invalid",
			"s3://",
		]) {
			expect([secret, text.includes(secret)]).toEqual([secret, false]);
		}
	});

	test("github_client_id when configured, as upstream", async () => {
		const { body } = await app({ githubClientId: "Iv1.test-client-id" }).health();
		expect(body).toEqual({
			status: "ok",
			github_client_id: "Iv1.test-client-id",
			data: { entries: 3, names: 2 },
		});
		expect(Object.keys(body)).toEqual(["status", "github_client_id", "data"]);
	});

	test("the failed load stays visible to operators on /metrics, as a number", async () => {
		const text = await app().metrics();
		expect(text).toContain('registry_loads_total{result="failure"} 1');
		expect(text).not.toContain(FILE);
	});
});

describe("/health with healthDetail (MCP_REGISTRY_HEALTH_DETAIL=true)", () => {
	test("the data's source, hash, load and the sync state", async () => {
		const { body } = await app({ healthDetail: true }).health();
		expect(body.status).toBe("ok");
		const data = body.data as Record<string, unknown>;
		expect(data.entries).toBe(3);
		expect(data.names).toBe(2);
		expect(data.source).toBe(FILE);
		expect(data.content_hash).toMatch(/^sha256:[0-9a-f]{64}$|^$/);
		expect(data.last_load).toEqual({
			at: "2026-01-01T00:00:00.000Z",
			ok: false,
			duration_ms: 12,
			error: ERROR,
		});
		expect((body.sync as Record<string, unknown>).queue_url).toBe(QUEUE_URL);
	});
});
