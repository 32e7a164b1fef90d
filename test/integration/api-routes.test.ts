/**
 * The routes other than the list: one server's versions, one version (path encoding rules),
 * trailing slashes, unknown paths and methods, the read-only write routes, health, ping,
 * version, the root redirect, and both prefixes serving identical bodies. In process, but for
 * what a real server must show too (`wire`): a client following a 308, Content-Length, and the
 * //host paths of the open-redirect regression.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { loadRegistryBytes } from "../../src/registry/load.ts";
import {
	type ApiApp,
	type ApiServer,
	createApiApp,
	entry,
	getJson,
	OFFICIAL,
	registryDoc,
	startApiServer,
} from "../support/api-server.ts";

interface ServerItem {
	server: { name: string; version: string } & Record<string, unknown>;
	_meta: Record<string, Record<string, unknown>>;
}

const PREFIXES = ["/v0", "/v0.1"] as const;
const ENDPOINT_NOT_FOUND = "Endpoint not found. See /docs for the API documentation.";

const DOC = registryDoc([
	entry("io.github.user/weather", "1.0.0", { publishedAt: "2025-01-01T00:00:00Z", isLatest: false }),
	entry("io.github.user/weather", "1.0.0+20130313144700", {
		publishedAt: "2025-03-01T00:00:00Z",
		isLatest: false,
	}),
	entry("io.github.user/weather", "1.10.0", { publishedAt: "2025-05-01T00:00:00Z", isLatest: true }),
	entry("io.github.user/weather", "1.9.0", { publishedAt: "2025-04-01T00:00:00Z", isLatest: false }),
	entry("io.github.user/weather", "0.5.0", {
		publishedAt: "2025-02-01T00:00:00Z",
		status: "deleted",
		isLatest: false,
	}),
	entry("com.example/half", "1.0.0", { publishedAt: "2025-01-01T00:00:00Z", isLatest: false }),
	entry("com.example/half", "2.0.0", {
		publishedAt: "2025-02-01T00:00:00Z",
		status: "deleted",
		isLatest: true,
	}),
	entry("com.example/gone", "1.0.0", { publishedAt: "2025-01-01T00:00:00Z", status: "deleted" }),
	entry("com.example/gone", "2.0.0", { publishedAt: "2025-02-01T00:00:00Z", status: "deleted" }),
	entry("com.example/other", "1.0.0"),
]);

let srv: ApiApp;
let withClientId: ApiApp;
/** The same registry on a real port. */
let wire: ApiServer;

beforeAll(() => {
	srv = createApiApp(DOC, { healthDetail: true });
	withClientId = createApiApp(DOC, { githubClientId: "Iv1.test-client-id" });
	wire = startApiServer(DOC);
});

afterAll(async () => {
	await wire.stop();
});

const versionsOf = (body: unknown) =>
	(body as { servers: ServerItem[] }).servers.map((s) => s.server.version);

async function expectProblem(path: string, status: number, detail: string, init: RequestInit = {}) {
	const res = await srv.request(path, init);
	const text = await res.text();
	expect(res.status).toBe(status);
	expect(res.headers.get("content-type")).toBe("application/problem+json");
	const body = JSON.parse(text) as Record<string, unknown>;
	expect(Object.keys(body).slice(0, 3)).toEqual(["title", "status", "detail"]);
	expect(body.status).toBe(status);
	expect(body.detail).toBe(detail);
	return { res, body };
}

describe("GET {p}/servers/{serverName}/versions", () => {
	test("all visible versions, newest publishedAt first, with only metadata.count", async () => {
		for (const p of PREFIXES) {
			const { res, body } = await getJson(srv, `${p}/servers/io.github.user%2Fweather/versions`);
			expect(res.status).toBe(200);
			expect(res.headers.get("content-type")).toBe("application/json");
			expect(versionsOf(body)).toEqual(["1.10.0", "1.9.0", "1.0.0+20130313144700", "1.0.0"]);
			expect((body as { metadata: unknown }).metadata).toEqual({ count: 4 });
			expect(Object.keys(body as object)).toEqual(["servers", "metadata"]);
			for (const s of (body as { servers: ServerItem[] }).servers) {
				expect(s.server.name).toBe("io.github.user/weather");
				expect(s._meta[OFFICIAL]?.status).toBe("active");
			}
		}
	});

	test("include_deleted=true adds deleted versions, still newest first", async () => {
		const { body } = await getJson(
			srv,
			"/v0.1/servers/io.github.user%2Fweather/versions?include_deleted=true",
		);
		expect(versionsOf(body)).toEqual(["1.10.0", "1.9.0", "1.0.0+20130313144700", "0.5.0", "1.0.0"]);
		expect((body as { metadata: unknown }).metadata).toEqual({ count: 5 });
	});

	test("unknown server → 404 Server not found", async () => {
		await expectProblem("/v0.1/servers/io.github.user%2Fnope/versions", 404, "Server not found");
		await expectProblem("/v0/servers/io.github.user%2Fnope/versions", 404, "Server not found");
	});

	test("every version deleted → 404 unless include_deleted=true", async () => {
		await expectProblem("/v0.1/servers/com.example%2Fgone/versions", 404, "Server not found");
		await expectProblem(
			"/v0.1/servers/com.example%2Fgone/versions?include_deleted=false",
			404,
			"Server not found",
		);
		const { res, body } = await getJson(
			srv,
			"/v0.1/servers/com.example%2Fgone/versions?include_deleted=true",
		);
		expect(res.status).toBe(200);
		expect(versionsOf(body)).toEqual(["2.0.0", "1.0.0"]);
	});

	test("include_deleted with a non-boolean value → 422", async () => {
		const { body } = await expectProblem(
			"/v0.1/servers/io.github.user%2Fweather/versions?include_deleted=yes-please",
			422,
			"validation failed",
		);
		expect((body.errors as { location: string }[])[0]?.location).toBe("query.include_deleted");
	});
});

describe("GET {p}/servers/{serverName}/versions/{version}", () => {
	const get = (path: string) => getJson(srv, path);
	const one = (body: unknown) => body as ServerItem;

	test("an exact version: one ServerResponse", async () => {
		for (const p of PREFIXES) {
			const { res, body } = await get(`${p}/servers/io.github.user%2Fweather/versions/1.9.0`);
			expect(res.status).toBe(200);
			expect(res.headers.get("content-type")).toBe("application/json");
			expect(Object.keys(body as object)).toEqual(["server", "_meta"]);
			expect(one(body).server).toEqual(
				(DOC.servers[3] as { server: unknown }).server as ServerItem["server"],
			);
			expect(one(body)._meta[OFFICIAL]).toEqual({
				status: "active",
				statusChangedAt: "2025-04-01T00:00:00Z",
				publishedAt: "2025-04-01T00:00:00Z",
				updatedAt: "2025-04-01T00:00:00Z",
				isLatest: false,
			});
		}
	});

	test("latest → the version flagged latest", async () => {
		const { res, body } = await get("/v0.1/servers/io.github.user%2Fweather/versions/latest");
		expect(res.status).toBe(200);
		expect(one(body).server.version).toBe("1.10.0");
		expect(one(body)._meta[OFFICIAL]?.isLatest).toBe(true);
	});

	test("unknown server or version → 404 Server not found", async () => {
		await expectProblem("/v0.1/servers/io.github.user%2Fweather/versions/9.9.9", 404, "Server not found");
		await expectProblem("/v0.1/servers/io.github.user%2Fnope/versions/latest", 404, "Server not found");
		await expectProblem("/v0/servers/io.github.user%2Fnope/versions/1.0.0", 404, "Server not found");
	});

	test("a deleted version → 404 unless include_deleted=true", async () => {
		await expectProblem("/v0.1/servers/io.github.user%2Fweather/versions/0.5.0", 404, "Server not found");
		const { res, body } = await get(
			"/v0.1/servers/io.github.user%2Fweather/versions/0.5.0?include_deleted=true",
		);
		expect(res.status).toBe(200);
		expect(one(body)._meta[OFFICIAL]?.status).toBe("deleted");
		// latest pointing at a deleted version
		await expectProblem("/v0.1/servers/com.example%2Fhalf/versions/latest", 404, "Server not found");
		const latest = await get("/v0.1/servers/com.example%2Fhalf/versions/latest?include_deleted=true");
		expect(latest.res.status).toBe(200);
		expect(one(latest.body).server.version).toBe("2.0.0");
	});

	test("the name percent-encoded (%2F) or double-encoded (%252F)", async () => {
		const single = await get("/v0.1/servers/io.github.user%2Fweather/versions/1.9.0");
		const double = await get("/v0.1/servers/io.github.user%252Fweather/versions/1.9.0");
		expect(double.res.status).toBe(200);
		expect(double.text).toBe(single.text);
		const lower = await get("/v0.1/servers/io.github.user%2fweather/versions/1.9.0");
		expect(lower.text).toBe(single.text);
		const versions = await get("/v0/servers/io.github.user%252Fweather/versions");
		expect(versions.res.status).toBe(200);
		expect(versionsOf(versions.body)).toHaveLength(4);
	});

	test("a version with '+': encoded as %2B, double-encoded, or a literal '+' that stays '+'", async () => {
		for (const v of ["1.0.0%2B20130313144700", "1.0.0%252B20130313144700", "1.0.0+20130313144700"]) {
			const { res, body } = await get(`/v0.1/servers/io.github.user%2Fweather/versions/${v}`);
			expect(res.status).toBe(200);
			expect(one(body).server.version).toBe("1.0.0+20130313144700");
		}
		// '+' in a path is not a space: "1.0.0 20130313144700" would not match anything.
		await expectProblem(
			"/v0.1/servers/io.github.user%2Fweather/versions/1.0.0%2020130313144700",
			404,
			"Server not found",
		);
	});

	test("a second decode that fails → 400 Invalid server name encoding / Invalid version encoding", async () => {
		for (const name of ["io.github.user%252F%25ZZweather", "io.github.user%252Fweather%25C3%2528"]) {
			await expectProblem(`/v0.1/servers/${name}/versions/1.0.0`, 400, "Invalid server name encoding");
			await expectProblem(`/v0/servers/${name}/versions`, 400, "Invalid server name encoding");
		}
		await expectProblem(
			"/v0.1/servers/io.github.user%2Fweather/versions/1.0.0%252B%25ZZ",
			400,
			"Invalid version encoding",
		);
		await expectProblem(
			"/v0.1/servers/io.github.user%2Fweather/versions/1.0.0%25C3%2528",
			400,
			"Invalid version encoding",
		);
	});

	test("a % left after the first decode is decoded again, as upstream: foo%25zz → 400", async () => {
		for (const p of ["/v0", "/v0.1"]) {
			const b = await expectProblem(`${p}/servers/foo%25zz/versions`, 400, "Invalid server name encoding");
			expect(b.body.errors).toEqual([{ message: 'invalid URL escape "%zz"' }]);
			await expectProblem(`${p}/servers/foo%25zz/versions/latest`, 400, "Invalid server name encoding");
			await expectProblem(
				`${p}/servers/io.github.user%2Fweather/versions/1.0%25zz`,
				400,
				"Invalid version encoding",
			);
		}
	});

	test("an unencoded slash in the name does not match a route → 404 Endpoint not found", async () => {
		await expectProblem("/v0.1/servers/io.github.user/weather/versions/1.9.0", 404, ENDPOINT_NOT_FOUND);
		await expectProblem("/v0.1/servers/io.github.user/weather/versions", 404, ENDPOINT_NOT_FOUND);
		await expectProblem("/v0/servers/io.github.user/weather/versions/latest", 404, ENDPOINT_NOT_FOUND);
	});
});

describe("trailing slash", () => {
	for (const [from, to] of [
		["/v0/servers/", "/v0/servers"],
		["/v0.1/servers/?limit=2&search=a+b&cursor=x%2Fy", "/v0.1/servers?limit=2&search=a+b&cursor=x%2Fy"],
		[
			"/v0.1/servers/io.github.user%2Fweather/versions/latest/",
			"/v0.1/servers/io.github.user%2Fweather/versions/latest",
		],
		[
			"/v0/servers/io.github.user%252Fweather/versions/?include_deleted=true",
			"/v0/servers/io.github.user%252Fweather/versions?include_deleted=true",
		],
		["/docs/", "/docs"],
		["/v0.1/health/", "/v0.1/health"],
	] as const) {
		test(`${from} → 308 ${to}`, async () => {
			const res = await srv.request(from);
			expect(res.status).toBe(308);
			expect(res.headers.get("location")).toBe(to);
			expect(await res.text()).toBe("");
		});
	}

	test("following the redirect gives the page without the slash", async () => {
		const res = await fetch(`${wire.base}/v0.1/servers/io.github.user%2Fweather/versions/1.9.0/`, {
			headers: { "Accept-Encoding": "identity" },
		});
		expect(res.status).toBe(200);
		expect(((await res.json()) as ServerItem).server.version).toBe("1.9.0");
	});

	test("/ itself is not redirected to an empty path", async () => {
		const res = await srv.request("/");
		expect(res.status).toBe(302);
		expect(res.headers.get("location")).toBe("/docs");
	});
});

describe("unknown paths, methods and the read-only routes", () => {
	test("unknown path → 404 problem with the exact body", async () => {
		for (const path of [
			"/v0/nope",
			"/v2/servers",
			"/v0.1/servers/io.github.user%2Fweather",
			"/v0.1/servers/io.github.user%2Fweather/versions/1.9.0/extra",
			"/servers",
			"/openapi.xml",
		]) {
			const res = await srv.request(path);
			expect(res.status).toBe(404);
			expect(res.headers.get("content-type")).toBe("application/problem+json");
			expect((await res.text()).trim()).toBe(
				JSON.stringify({ title: "Not Found", status: 404, detail: ENDPOINT_NOT_FOUND }),
			);
		}
	});

	test("known path with an unsupported method → 405 problem with Allow", async () => {
		const cases: [string, string, string][] = [
			["POST", "/v0/servers", "GET, HEAD, OPTIONS"],
			["POST", "/v0.1/servers", "GET, HEAD, OPTIONS"],
			["DELETE", "/v0/health", "GET, HEAD, OPTIONS"],
			["PUT", "/v0.1/ping", "GET, HEAD, OPTIONS"],
			["GET", "/v0/publish", "POST, OPTIONS"],
			["POST", "/v0.1/servers/io.github.user%2Fweather/versions/1.9.0", "GET, HEAD, PUT, DELETE, OPTIONS"],
			["GET", "/v0.1/servers/io.github.user%2Fweather/status", "PATCH, OPTIONS"],
			["DELETE", "/metrics", "GET, HEAD, OPTIONS"],
		];
		for (const [method, path, allow] of cases) {
			const res = await srv.request(path, { method });
			expect(res.status).toBe(405);
			expect(res.headers.get("allow")).toBe(allow);
			expect(res.headers.get("content-type")).toBe("application/problem+json");
			const body = (await res.json()) as Record<string, unknown>;
			expect(Object.keys(body).slice(0, 3)).toEqual(["title", "status", "detail"]);
			expect(body.title).toBe("Method Not Allowed");
			expect(body.status).toBe(405);
		}
	});

	test("the write routes → 501 problem: the registry is read-only", async () => {
		const cases: [string, string][] = [];
		for (const p of PREFIXES) {
			cases.push(
				["POST", `${p}/publish`],
				["PUT", `${p}/servers/io.github.user%2Fweather/versions/1.9.0`],
				["DELETE", `${p}/servers/io.github.user%2Fweather/versions/1.9.0`],
				["PATCH", `${p}/servers/io.github.user%2Fweather/status`],
				["PATCH", `${p}/servers/io.github.user%2Fweather/versions/1.9.0/status`],
			);
		}
		for (const [method, path] of cases) {
			const res = await srv.request(path, {
				method,
				headers: { "Content-Type": "application/json" },
				body: JSON.stringify({ status: "deleted" }),
			});
			expect(res.status).toBe(501);
			expect(res.headers.get("content-type")).toBe("application/problem+json");
			const body = (await res.json()) as Record<string, unknown>;
			expect(Object.keys(body)).toEqual(["title", "status", "detail"]);
			expect(body.title).toBe("Not Implemented");
			expect(body.status).toBe(501);
			expect(body.detail).toContain("read-only");
		}
		// Nothing changed.
		const after = await getJson(srv, "/v0.1/servers/io.github.user%2Fweather/versions/1.9.0");
		expect(after.res.status).toBe(200);
	});
});

describe("health, ping, version, root", () => {
	test("/health → 200 status ok with the loaded data and sync disabled; no github_client_id", async () => {
		for (const p of PREFIXES) {
			const { res, body } = await getJson(srv, `${p}/health`);
			expect(res.status).toBe(200);
			expect(res.headers.get("content-type")).toBe("application/json");
			const b = body as Record<string, Record<string, unknown>> & { status: string };
			expect(b.status).toBe("ok");
			expect(Object.keys(b)[0]).toBe("status");
			expect("github_client_id" in b).toBe(false);
			expect(b.data?.entries).toBe(10);
			expect(b.data?.names).toBe(4);
			expect(b.data?.source).toBe("test-registry.json");
			expect(Number.isNaN(Date.parse(b.data?.loaded_at as string))).toBe(false);
			expect(b.data).toHaveProperty("content_hash");
			expect(b.sync?.enabled).toBe(false);
		}
	});

	test("/health reports the loaded file's content hash", async () => {
		const bytes = new TextEncoder().encode(JSON.stringify(DOC));
		const data = loadRegistryBytes(bytes, {
			file: "/data/registry.json",
			mtime: new Date("2025-01-01T00:00:00Z"),
			invalidEntries: "reject",
		});
		const other = createApiApp(registryDoc([]), { healthDetail: true });
		other.swap(data);
		const { res, body } = await getJson(other, "/v0.1/health");
		expect(res.status).toBe(200);
		const d = (body as { data: Record<string, unknown> }).data;
		expect(d.content_hash).toBe(`sha256:${createHash("sha256").update(bytes).digest("hex")}`);
		expect(d.source).toBe("/data/registry.json");
		expect(d.entries).toBe(10);
	});

	test("/health echoes github_client_id when configured", async () => {
		const { body } = await getJson(withClientId, "/v0.1/health");
		expect((body as Record<string, unknown>).github_client_id).toBe("Iv1.test-client-id");
		expect((body as Record<string, unknown>).status).toBe("ok");
	});

	test("/ping → {pong: true}", async () => {
		for (const p of PREFIXES) {
			const { res, body } = await getJson(srv, `${p}/ping`);
			expect(res.status).toBe(200);
			expect(body).toEqual({ pong: true });
		}
	});

	test("/version → the build stamps", async () => {
		for (const p of PREFIXES) {
			const { res, body } = await getJson(srv, `${p}/version`);
			expect(res.status).toBe(200);
			expect(res.headers.get("content-type")).toBe("application/json");
			expect(body).toEqual({ version: "1.2.3", git_commit: "abc", build_time: "2026-01-01T00:00:00Z" });
		}
	});

	test("/ → 302 to /docs", async () => {
		const res = await srv.request("/");
		expect(res.status).toBe(302);
		expect(res.headers.get("location")).toBe("/docs");
	});
});

describe("/v0 and /v0.1 serve identical bodies (real port: Content-Length is the server's)", () => {
	const REQUESTS: [method: string, path: string][] = [
		["GET", "/servers"],
		["GET", "/servers?limit=2"],
		["GET", "/servers?limit=2&cursor=Y29tLmV4YW1wbGUvZ29uZToxLjAuMA"],
		["GET", "/servers?search=WEATHER&version=latest"],
		["GET", "/servers?version=1.0.0&include_deleted=true"],
		["GET", "/servers?updated_since=2025-01-01T00:00:00Z"],
		["GET", "/servers?limit=abc"],
		["GET", "/servers?cursor=!"],
		["GET", "/servers?updated_since=nope"],
		["GET", "/servers?updated_since=2025-01-01T00:00:00Z&include_deleted=false"],
		["GET", "/servers/io.github.user%2Fweather/versions"],
		["GET", "/servers/io.github.user%2Fweather/versions?include_deleted=true"],
		["GET", "/servers/com.example%2Fgone/versions"],
		["GET", "/servers/io.github.user%2Fweather/versions/latest"],
		["GET", "/servers/io.github.user%2Fweather/versions/1.0.0%2B20130313144700"],
		["GET", "/servers/io.github.user%2Fweather/versions/0.5.0"],
		["GET", "/servers/io.github.user%252F%25ZZ/versions/1.0.0"],
		["GET", "/servers/io.github.user/weather/versions/1.0.0"],
		["GET", "/health"],
		["GET", "/ping"],
		["GET", "/version"],
		["HEAD", "/servers?limit=3"],
		["POST", "/publish"],
		["PUT", "/servers/io.github.user%2Fweather/versions/1.9.0"],
		["DELETE", "/servers/io.github.user%2Fweather/versions/1.9.0"],
		["PATCH", "/servers/io.github.user%2Fweather/status"],
		["PATCH", "/servers/io.github.user%2Fweather/versions/1.9.0/status"],
	];

	for (const [method, path] of REQUESTS) {
		test(`${method} ${path}`, async () => {
			const init = { method, headers: { "Accept-Encoding": "identity" } };
			const a = await wire.request(`/v0${path}`, init);
			const b = await wire.request(`/v0.1${path}`, init);
			const [ta, tb] = [await a.text(), await b.text()];
			expect(b.status).toBe(a.status);
			expect(tb).toBe(ta);
			expect(b.headers.get("content-type")).toBe(a.headers.get("content-type"));
			expect(b.headers.get("content-length")).toBe(a.headers.get("content-length"));
			expect(b.headers.get("etag")).toBe(a.headers.get("etag"));
			if (method === "GET" && a.status === 200) expect(ta.length).toBeGreaterThan(0);
		});
	}
});

describe("trailing slash: no open redirect (real port: how the server reads a //host target)", () => {
	test("a trailing-slash redirect of //host/ stays on this host", async () => {
		const cases: [string, string][] = [
			["//evil.example/", "/evil.example"],
			["///evil.example/", "/evil.example"],
			["//evil.example/x/?q=1", "/evil.example/x?q=1"],
		];
		for (const [path, location] of cases) {
			const res = await wire.request(path);
			expect(res.status).toBe(308);
			expect(res.headers.get("location")).toBe(location);
		}
	});
});
