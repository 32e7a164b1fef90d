/**
 * The OpenAPI document (JSON and YAML), its agreement with what the server answers, the
 * /docs page and /metrics.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { PREFIXES, ROUTES } from "../../src/http/routes.ts";
import {
	type ApiApp,
	createApiApp,
	entry,
	getJson,
	registryDoc,
	snapshotData,
} from "../support/api-server.ts";

const DOC = registryDoc([
	entry("io.github.user/weather", "1.0.0", { publishedAt: "2025-01-01T00:00:00Z" }),
	entry("io.github.user/weather", "1.1.0", { publishedAt: "2025-02-01T00:00:00Z" }),
	entry("com.example/other", "2.0.0"),
]);

/** A real server name (encoded) and version for the path templates. */
const NAME = "io.github.user%2Fweather";
const VERSION = "1.1.0";

interface OpenApiOperation {
	operationId: string;
	parameters?: { name: string; in: string; required?: boolean }[];
	responses: Record<string, { description: string; content?: Record<string, unknown> }>;
}
type OpenApi = {
	openapi: string;
	info: { title: string; version: string; description: string };
	paths: Record<string, Record<string, OpenApiOperation>>;
	components: { schemas: Record<string, unknown> };
};

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

let srv: ApiApp;
let metricsSrv: ApiApp;
let openapi: OpenApi;

beforeAll(async () => {
	srv = createApiApp(DOC);
	metricsSrv = createApiApp(DOC);
	const { res, body } = await getJson(srv, "/openapi.json");
	expect(res.status).toBe(200);
	openapi = body as OpenApi;
});

const fill = (path: string) => path.replace("{serverName}", NAME).replace("{version}", VERSION);

describe("OpenAPI document", () => {
	test("/openapi.json is JSON; info.version 1.0.0; the description names the upstream API", async () => {
		const res = await srv.request("/openapi.json", { headers: { "Accept-Encoding": "identity" } });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toStartWith("application/json");
		const doc = (await res.json()) as OpenApi;
		expect(doc.openapi).toStartWith("3.1");
		expect(doc.info.version).toBe("1.0.0");
		expect(doc.info.description).toContain("https://github.com/modelcontextprotocol/registry");
	});

	test("/openapi.yaml parses to the same document as /openapi.json", async () => {
		const res = await srv.request("/openapi.yaml", { headers: { "Accept-Encoding": "identity" } });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toStartWith("application/yaml");
		const yaml = Bun.YAML.parse(await res.text());
		expect(yaml).toEqual(openapi);
		expect((yaml as OpenApi).info.version).toBe("1.0.0");
		expect(typeof (yaml as OpenApi).info.version).toBe("string");
	});

	test("every (prefix, route, method) the server has is documented, and nothing else", () => {
		const expected = new Map<string, string[]>();
		for (const route of ROUTES) {
			for (const prefix of route.versioned ? PREFIXES : [""]) {
				const path = route.path === "/" ? "/" : `${prefix}${route.path}`;
				expected.set(path, route.operations.map((o) => o.method.toLowerCase()).sort());
			}
		}
		const documented = new Map(
			Object.entries(openapi.paths).map(([p, item]) => [p, Object.keys(item).sort()]),
		);
		expect(documented).toEqual(expected);
		// The spec's route table, spelled out, under both prefixes.
		for (const p of ["/v0", "/v0.1"]) {
			expect(Object.keys(openapi.paths[`${p}/servers`] ?? {})).toEqual(["get"]);
			expect(Object.keys(openapi.paths[`${p}/servers/{serverName}/versions`] ?? {})).toEqual(["get"]);
			expect(Object.keys(openapi.paths[`${p}/servers/{serverName}/versions/{version}`] ?? {}).sort()).toEqual(
				["delete", "get", "put"],
			);
			expect(Object.keys(openapi.paths[`${p}/servers/{serverName}/status`] ?? {})).toEqual(["patch"]);
			expect(Object.keys(openapi.paths[`${p}/servers/{serverName}/versions/{version}/status`] ?? {})).toEqual(
				["patch"],
			);
			expect(Object.keys(openapi.paths[`${p}/publish`] ?? {})).toEqual(["post"]);
			for (const r of ["health", "ping", "version"])
				expect(Object.keys(openapi.paths[`${p}/${r}`] ?? {})).toEqual(["get"]);
		}
		for (const r of ["/openapi.yaml", "/openapi.json", "/docs", "/metrics", "/"]) {
			expect(Object.keys(openapi.paths[r] ?? {})).toEqual(["get"]);
		}
	});

	test("the list operation documents every query parameter of the spec", () => {
		for (const p of PREFIXES) {
			const op = openapi.paths[`${p}/servers`]?.get as OpenApiOperation;
			expect((op.parameters ?? []).map((x) => `${x.in}:${x.name}`).sort()).toEqual(
				["cursor", "include_deleted", "limit", "search", "updated_since", "version"].map((n) => `query:${n}`),
			);
		}
		const get = openapi.paths["/v0.1/servers/{serverName}/versions/{version}"]?.get as OpenApiOperation;
		const pathParams = (get.parameters ?? []).filter((x) => x.in === "path");
		expect(pathParams.map((x) => [x.name, x.required])).toEqual([
			["serverName", true],
			["version", true],
		]);
	});

	test("drift: every documented operation, called on the server, answers a documented status", async () => {
		let calls = 0;
		for (const [path, item] of Object.entries(openapi.paths)) {
			for (const [method, op] of Object.entries(item)) {
				const res = await srv.request(fill(path), {
					method: method.toUpperCase(),
					headers: { "Accept-Encoding": "identity" },
				});
				const status = String(res.status);
				const documented = Object.keys(op.responses);
				if (!documented.includes(status)) {
					throw new Error(
						`${method.toUpperCase()} ${path} → ${status}, documented: ${documented.join(", ")}`,
					);
				}
				// The media type documented for this status is the one served.
				const content = op.responses[status]?.content;
				if (content) {
					const types = Object.keys(content);
					expect(types.some((t) => (res.headers.get("content-type") ?? "").startsWith(t))).toBe(true);
				}
				await res.arrayBuffer();
				calls++;
			}
		}
		expect(calls).toBe(
			ROUTES.reduce((n, r) => n + r.operations.length * (r.versioned ? PREFIXES.length : 1), 0),
		);
	});

	test("drift: error answers of the read routes are documented statuses too", async () => {
		const cases: [template: string, url: string, status: number][] = [];
		for (const p of PREFIXES) {
			cases.push(
				[`${p}/servers`, `${p}/servers?limit=abc`, 422],
				[`${p}/servers`, `${p}/servers?include_deleted=maybe`, 422],
				[`${p}/servers`, `${p}/servers?updated_since=nope`, 400],
				[`${p}/servers`, `${p}/servers?updated_since=2025-01-01T00:00:00Z&include_deleted=false`, 400],
				[`${p}/servers/{serverName}/versions`, `${p}/servers/a.b%2Fnope/versions`, 404],
				[`${p}/servers/{serverName}/versions`, `${p}/servers/a.b%252F%25ZZ/versions`, 400],
				[`${p}/servers/{serverName}/versions`, `${p}/servers/${NAME}/versions?include_deleted=x`, 422],
				[`${p}/servers/{serverName}/versions/{version}`, `${p}/servers/${NAME}/versions/9.9.9`, 404],
				[`${p}/servers/{serverName}/versions/{version}`, `${p}/servers/${NAME}/versions/1%252B%25ZZ`, 400],
				[
					`${p}/servers/{serverName}/versions/{version}`,
					`${p}/servers/${NAME}/versions/latest?include_deleted=x`,
					422,
				],
			);
		}
		for (const [template, url, status] of cases) {
			const res = await srv.request(url);
			expect(res.status).toBe(status);
			expect(res.headers.get("content-type")).toBe("application/problem+json");
			expect(Object.keys(openapi.paths[template]?.get?.responses ?? {})).toContain(String(status));
		}
	});

	test("drift: an undocumented method on a documented path → 405 whose Allow lists the documented ones", async () => {
		for (const [path, item] of Object.entries(openapi.paths)) {
			const documented = Object.keys(item).map((m) => m.toUpperCase());
			const allow = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].filter(
				(m) => documented.includes(m) || m === "OPTIONS" || (m === "HEAD" && documented.includes("GET")),
			);
			for (const m of METHODS) {
				if (item[m]) continue;
				const res = await srv.request(fill(path), { method: m.toUpperCase() });
				expect(res.status).toBe(405);
				expect(res.headers.get("allow")).toBe(allow.join(", "));
				await res.arrayBuffer();
			}
		}
	});
});

describe("/docs", () => {
	let html: string;
	let res: Response;

	beforeAll(async () => {
		res = await srv.request("/docs", { headers: { "Accept-Encoding": "identity" } });
		html = await res.text();
	});

	test("200 text/html", () => {
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toStartWith("text/html");
		expect(html).toStartWith("<!doctype html>");
	});

	test("self-contained: no external scripts, stylesheets or other absolute src/href", () => {
		expect(html).not.toMatch(/<script[^>]*\ssrc\s*=/i);
		expect(html).not.toMatch(/<link[^>]*rel\s*=\s*["']?stylesheet["']?[^>]*href\s*=\s*["']?(https?:)?\/\//i);
		expect(html).not.toMatch(/<link[^>]*href\s*=\s*["']?(https?:)?\/\/[^>]*stylesheet/i);
		expect(html).not.toMatch(/\s(src|href)\s*=\s*["']?(https?:)?\/\//i);
		expect(html).not.toMatch(/@import\s+(url\()?["']?(https?:)?\/\//i);
	});

	test("mentions every operation: method and path", () => {
		for (const route of ROUTES) {
			const path = route.path === "/" ? "/" : route.versioned ? `/v0.1${route.path}` : route.path;
			for (const op of route.operations) {
				const heading = new RegExp(
					`>${op.method}</span>\\s*<code>${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}</code>`,
				);
				expect(html).toMatch(heading);
			}
		}
		// The /v0 prefix is named too (it mirrors /v0.1).
		expect(html).toContain("/v0</code>");
		expect(html).toContain("/openapi.yaml");
		expect(html).toContain("/openapi.json");
	});
});

describe("/metrics", () => {
	let text: string;
	let res: Response;

	beforeAll(async () => {
		const m = metricsSrv;
		const h = { headers: { "Accept-Encoding": "identity" } };
		for (let i = 0; i < 3; i++) await (await m.request("/v0.1/servers", h)).arrayBuffer();
		await (await m.request("/v0.1/servers?limit=abc", h)).arrayBuffer();
		await (await m.request(`/v0/servers/${NAME}/versions/latest`, h)).arrayBuffer();
		await (await m.request(`/v0.1/nope-${"x".repeat(8)}`, h)).arrayBuffer();
		await (await m.request("/v0/servers", { ...h, method: "POST" })).arrayBuffer();
		await (await m.request("/v0/publish", { ...h, method: "POST" })).arrayBuffer();
		res = await m.request("/metrics", h);
		text = await res.text();
	});

	const value = (line: string) => {
		const found = text.split("\n").find((l) => l.startsWith(`${line} `));
		if (found === undefined) throw new Error(`no metric line ${line}\n${text}`);
		return Number(found.slice(line.length + 1));
	};

	test("Prometheus text exposition", () => {
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toStartWith("text/plain");
		expect(text.endsWith("\n")).toBe(true);
		const sample =
			/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/;
		for (const line of text.split("\n")) {
			if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
			expect(line).toMatch(sample);
		}
	});

	test("registry_http_requests_total by route template and status", () => {
		expect(text).toContain("# TYPE registry_http_requests_total counter");
		expect(value('registry_http_requests_total{method="GET",route="/v0.1/servers",status="200"}')).toBe(3);
		expect(value('registry_http_requests_total{method="GET",route="/v0.1/servers",status="422"}')).toBe(1);
		expect(
			value(
				'registry_http_requests_total{method="GET",route="/v0/servers/{serverName}/versions/{version}",status="200"}',
			),
		).toBe(1);
		expect(value('registry_http_requests_total{method="POST",route="/v0/servers",status="405"}')).toBe(1);
		expect(value('registry_http_requests_total{method="POST",route="/v0/publish",status="501"}')).toBe(1);
		expect(text).toMatch(/^registry_http_requests_total\{method="GET",route="[^"]*",status="404"\} 1$/m);
		// Route labels are templates: neither the raw name nor an unknown path becomes a label.
		expect(text).not.toContain("io.github.user");
		expect(text).not.toContain("nope-xxxxxxxx");
	});

	test("registry_http_request_duration_seconds histogram", () => {
		expect(text).toContain("# TYPE registry_http_request_duration_seconds histogram");
		const labels = 'method="GET",route="/v0.1/servers"';
		const buckets = text
			.split("\n")
			.filter((l) => l.startsWith(`registry_http_request_duration_seconds_bucket{${labels},le="`))
			.map((l) => Number(l.slice(l.lastIndexOf(" ") + 1)));
		expect(buckets.length).toBeGreaterThan(1);
		for (let i = 1; i < buckets.length; i++)
			expect(buckets[i] as number).toBeGreaterThanOrEqual(buckets[i - 1] as number);
		expect(value(`registry_http_request_duration_seconds_bucket{${labels},le="+Inf"}`)).toBe(4);
		expect(value(`registry_http_request_duration_seconds_count{${labels}}`)).toBe(4);
		expect(value(`registry_http_request_duration_seconds_sum{${labels}}`)).toBeGreaterThan(0);
	});

	test("registry_entries and registry_last_load_timestamp_seconds", async () => {
		expect(value("registry_entries")).toBe(3);
		const loaded = value("registry_last_load_timestamp_seconds");
		expect(Math.abs(loaded - Date.now() / 1000)).toBeLessThan(600);
		// A reload is reflected.
		metricsSrv.swap(snapshotData(registryDoc([entry("io.github.user/solo", "1.0.0")])));
		const after = await (
			await metricsSrv.request("/metrics", { headers: { "Accept-Encoding": "identity" } })
		).text();
		expect(after).toMatch(/^registry_entries 1$/m);
		expect(after).toMatch(/^registry_last_load_timestamp_seconds [0-9.e+]+$/m);
		// The /metrics request itself was counted in the earlier scrape's successor.
		expect(after).toMatch(/^registry_http_requests_total\{method="GET",route="\/metrics",status="200"\} 1$/m);
	});
});
