/**
 * Requests as bytes on a real socket, for what no `fetch` can send: HTTP/1.0 without a Host, an
 * empty or invalid Host, an absolute-form request target. Each is routed on its path exactly as an
 * ordinary request (the runtime may hand the app a relative URL), so a proxy's rule on a path
 * (`location /metrics { deny all; }`) cannot be side-stepped by leaving the Host out.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { join } from "node:path";
import { type ApiServer, entry, registryDoc, startApiServer } from "../support/api-server.ts";
import { ROOT, startRegistry } from "../support/process.ts";

let srv: ApiServer;
let port: number;

beforeAll(() => {
	srv = startApiServer(registryDoc([entry("io.github.user/weather", "1.0.0")]));
	port = Number(new URL(srv.base).port);
});

afterAll(async () => {
	await srv.stop();
});

interface RawResponse {
	status: number;
	headers: Map<string, string>;
	body: string;
}

/** Writes `text` to a fresh connection and reads the answer until the server closes it. */
function send(text: string, to = port): Promise<RawResponse> {
	return new Promise((resolve, reject) => {
		const socket = connect(to, "127.0.0.1");
		const chunks: Buffer[] = [];
		socket.on("data", (c: Buffer) => chunks.push(c));
		socket.on("error", reject);
		socket.on("close", () => {
			const raw = Buffer.concat(chunks).toString("latin1");
			const end = raw.indexOf("\r\n\r\n");
			const [statusLine = "", ...lines] = raw.slice(0, end < 0 ? raw.length : end).split("\r\n");
			const headers = new Map<string, string>();
			for (const l of lines) {
				const colon = l.indexOf(":");
				headers.set(l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim());
			}
			resolve({
				status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
				headers,
				body: end < 0 ? "" : raw.slice(end + 4),
			});
		});
		socket.write(text);
	});
}

/** The request head for `target`: HTTP/1.0 without Host, or HTTP/1.1 with the given Host line. */
const forms: [label: string, head: (target: string) => string][] = [
	["HTTP/1.0 without Host", (t) => `GET ${t} HTTP/1.0\r\n\r\n`],
	["HTTP/1.1 with an empty Host", (t) => `GET ${t} HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n`],
	["HTTP/1.1 with a blank Host", (t) => `GET ${t} HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n`],
	["HTTP/1.1 with an invalid Host", (t) => `GET ${t} HTTP/1.1\r\nHost: a b/x\r\nConnection: close\r\n\r\n`],
	[
		"HTTP/1.1 with a Host holding a path",
		(t) => `GET ${t} HTTP/1.1\r\nHost: a/x\r\nConnection: close\r\n\r\n`,
	],
	[
		"HTTP/1.1 with a valid Host",
		(t) => `GET ${t} HTTP/1.1\r\nHost: registry.test\r\nConnection: close\r\n\r\n`,
	],
];

describe.each(forms)("%s: routed on the path", (_label, head) => {
	test("/v0/ping → 200 pong", async () => {
		const r = await send(head("/v0/ping"));
		expect(r.status).toBe(200);
		expect(JSON.parse(r.body)).toEqual({ pong: true });
	});

	test("/v0/health and /v0.1/health → 200 ok", async () => {
		for (const path of ["/v0/health", "/v0.1/health"]) {
			const r = await send(head(path));
			expect([path, r.status]).toEqual([path, 200]);
			expect(JSON.parse(r.body).status).toBe("ok");
		}
	});

	test("/x/v0/health → 404", async () => {
		const r = await send(head("/x/v0/health"));
		expect(r.status).toBe(404);
		expect(r.body).not.toContain('"status":"ok"');
	});

	test("/x/metrics → 404, not the metrics", async () => {
		const r = await send(head("/x/metrics"));
		expect(r.status).toBe(404);
		expect(r.body).not.toContain("registry_entries");
	});

	test("/v0/servers/ → 308 to /v0/servers, the query kept", async () => {
		const r = await send(head("/v0/servers/"));
		expect(r.status).toBe(308);
		expect(r.headers.get("location")).toBe("/v0/servers");
		const q = await send(head("/v0.1/servers/?limit=1"));
		expect(q.status).toBe(308);
		expect(q.headers.get("location")).toBe("/v0.1/servers?limit=1");
	});

	test("/v0/servers?limit=1 → the list, the query read", async () => {
		const r = await send(head("/v0/servers?limit=1"));
		expect(r.status).toBe(200);
		expect(JSON.parse(r.body).metadata).toEqual({ count: 1 });
	});

	test("/metrics itself is still /metrics", async () => {
		const r = await send(head("/metrics"));
		expect(r.status).toBe(200);
		expect(r.body).toContain("registry_entries 1");
	});
});

describe("an absolute-form request target: its path, whatever its authority", () => {
	const cases: [target: string, status: number][] = [
		["http://other.test/v0/ping", 200],
		["http://other.test/x/v0/health", 404],
		["http://other.test/x/metrics", 404],
		["https://other.test:8443/v0.1/health", 200],
	];
	for (const [target, status] of cases) {
		test(`GET ${target} → ${status}`, async () => {
			for (const host of ["registry.test", ""]) {
				const r = await send(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
				expect([target, host, r.status]).toEqual([target, host, status]);
			}
		});
	}

	test("GET http://other.test/v0/servers/ → 308 to /v0/servers", async () => {
		const r = await send(
			"GET http://other.test/v0/servers/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
		);
		expect(r.status).toBe(308);
		expect(r.headers.get("location")).toBe("/v0/servers");
	});
});

// Deno builds the URL from the Host header's text: a "/" or "?" in it must not move the path.
describe("under Deno, the same", () => {
	test("no Host, an empty Host, a Host holding a path or a query, an absolute-form target", async () => {
		const deno = join(ROOT, "node_modules", ".bin", "deno");
		const r = await startRegistry({
			cmd: [
				deno,
				"run",
				"--allow-net",
				"--allow-read",
				"--allow-env",
				"--allow-sys",
				join(ROOT, "src", "main.ts"),
			],
			env: { NO_COLOR: "1", MCP_REGISTRY_JSON_FILE_PATH: join(ROOT, "data", "registry.json") },
		});
		try {
			const to = Number(new URL(r.base).port);
			const cases: [request: string, status: number][] = [
				["GET /v0/ping HTTP/1.0\r\n\r\n", 200],
				["GET /x/metrics HTTP/1.0\r\n\r\n", 404],
				["GET /x/v0/health HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n", 404],
				["GET /v0/ping HTTP/1.1\r\nHost: a/x\r\nConnection: close\r\n\r\n", 200],
				["GET /x HTTP/1.1\r\nHost: a/metrics?\r\nConnection: close\r\n\r\n", 404],
				["GET /x HTTP/1.1\r\nHost: a/metrics#\r\nConnection: close\r\n\r\n", 404],
				["GET http://other.test/x/metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 404],
				["GET http://other.test/v0.1/health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 200],
			];
			for (const [request, status] of cases) {
				const res = await send(request, to);
				expect([request, res.status]).toEqual([request, status]);
				expect(res.body).not.toContain("registry_entries");
			}
			const redirect = await send("GET /v0/servers/ HTTP/1.0\r\n\r\n", to);
			expect([redirect.status, redirect.headers.get("location")]).toEqual([308, "/v0/servers"]);
		} finally {
			await r.stop();
		}
	}, 30_000);
});
