/**
 * Header rules shared by every route: CORS (and preflight), strong ETags and 304s,
 * Cache-Control, compression, HEAD, and a 500 that does not leak internals. CORS, ETags and
 * Cache-Control in process; compression and HEAD on a real port (`wire`), where the server adapter
 * sets Content-Length, drops HEAD bodies and puts the bytes on the wire.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as http from "node:http";
import { brotliDecompressSync } from "node:zlib";
import {
	type ApiApp,
	type ApiServer,
	createApiApp,
	entry,
	registryDoc,
	snapshotData,
	startApiServer,
} from "../support/api-server.ts";

/** 60 entries with long descriptions: list bodies well above any compression threshold. */
const bigDoc = (description: string) =>
	registryDoc(
		Array.from({ length: 60 }, (_, i) =>
			entry(`io.github.big/server-${String(i).padStart(2, "0")}`, "1.0.0", {
				description: `${description} number ${i}`,
				extra: { websiteUrl: `https://example.com/${i}` },
			}),
		),
	);

const DOC = bigDoc("A server with a reasonably long description to make the body large");

let srv: ApiApp;
let reloading: ApiApp;
let failing: ApiApp;
/** The same registry on a real port. */
let wire: ApiServer;

beforeAll(() => {
	srv = createApiApp(DOC);
	reloading = createApiApp(DOC);
	failing = createApiApp(DOC);
	wire = startApiServer(DOC);
	// A store that blows up when read: the 500 path.
	Object.defineProperty(failing.store, "current", {
		get() {
			throw new Error("secret-internal-detail at /srv/registry/private.json");
		},
	});
});

afterAll(async () => {
	await wire.stop();
});

const IDENTITY = { "Accept-Encoding": "identity" };
const NAME = "io.github.big%2Fserver-07";

/** One request of each response kind. */
const KINDS: {
	kind: string;
	status: number;
	method: string;
	path: string;
	headers?: Record<string, string>;
}[] = [
	{ kind: "200 list", status: 200, method: "GET", path: "/v0.1/servers?limit=5" },
	{ kind: "200 get", status: 200, method: "GET", path: `/v0/servers/${NAME}/versions/latest` },
	{ kind: "200 HEAD", status: 200, method: "HEAD", path: "/v0.1/servers" },
	{ kind: "302", status: 302, method: "GET", path: "/" },
	{ kind: "308", status: 308, method: "GET", path: "/v0.1/servers/?limit=2" },
	{ kind: "400", status: 400, method: "GET", path: "/v0.1/servers?updated_since=x" },
	{ kind: "404 route", status: 404, method: "GET", path: "/v0.1/nope" },
	{ kind: "404 server", status: 404, method: "GET", path: "/v0.1/servers/a.b%2Fc/versions" },
	{ kind: "405", status: 405, method: "POST", path: "/v0.1/servers" },
	{ kind: "422", status: 422, method: "GET", path: "/v0.1/servers?limit=0" },
	{ kind: "501", status: 501, method: "POST", path: "/v0.1/publish" },
	{ kind: "200 docs", status: 200, method: "GET", path: "/docs" },
	{ kind: "200 metrics", status: 200, method: "GET", path: "/metrics" },
];

describe("CORS", () => {
	const expectCors = (res: Response) => {
		expect(res.headers.get("access-control-allow-origin")).toBe("*");
		expect(res.headers.get("access-control-expose-headers")).toBe("Content-Type, Content-Length, ETag");
	};

	for (const k of KINDS) {
		test(`on ${k.kind}`, async () => {
			const res = await srv.request(k.path, {
				method: k.method,
				headers: { ...IDENTITY, Origin: "https://app.example", ...k.headers },
			});
			expect(res.status).toBe(k.status);
			expectCors(res);
		});
	}

	test("on 304", async () => {
		const first = await srv.request("/v0.1/servers?limit=5", { headers: IDENTITY });
		const etag = first.headers.get("etag") as string;
		const res = await srv.request("/v0.1/servers?limit=5", {
			headers: { ...IDENTITY, Origin: "https://app.example", "If-None-Match": etag },
		});
		expect(res.status).toBe(304);
		expectCors(res);
	});

	test("on 500, which does not echo internals", async () => {
		const res = await failing.request("/v0.1/servers", { headers: IDENTITY });
		expect(res.status).toBe(500);
		expectCors(res);
		expect(res.headers.get("content-type")).toBe("application/problem+json");
		const text = await res.text();
		expect(text).not.toContain("secret");
		expect(text).not.toContain("/srv/registry");
		const body = JSON.parse(text) as Record<string, unknown>;
		expect(Object.keys(body)).toEqual(["title", "status", "detail"]);
		expect(body.title).toBe("Internal Server Error");
		expect(body.status).toBe(500);
	});

	test("preflight → 204 with methods, echoed request headers and max-age", async () => {
		for (const path of ["/v0.1/servers", "/v0/publish", `/v0.1/servers/${NAME}/versions/1.0.0`]) {
			const res = await srv.request(path, {
				method: "OPTIONS",
				headers: {
					Origin: "https://app.example",
					"Access-Control-Request-Method": "GET",
					"Access-Control-Request-Headers": "x-custom-header, if-none-match",
				},
			});
			expect(res.status).toBe(204);
			expectCors(res);
			expect(res.headers.get("access-control-allow-methods")).toBe(
				"GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
			);
			expect(res.headers.get("access-control-allow-headers")).toBe("x-custom-header, if-none-match");
			expect(res.headers.get("access-control-max-age")).toBe("86400");
			expect(await res.text()).toBe("");
		}
	});

	test("preflight without requested headers → Authorization, Content-Type", async () => {
		const res = await srv.request("/v0/servers", {
			method: "OPTIONS",
			headers: { Origin: "https://app.example", "Access-Control-Request-Method": "PUT" },
		});
		expect(res.status).toBe(204);
		expectCors(res);
		expect(res.headers.get("access-control-allow-methods")).toBe(
			"GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
		);
		expect(res.headers.get("access-control-allow-headers")).toBe("Authorization, Content-Type");
		expect(res.headers.get("access-control-max-age")).toBe("86400");
	});
});

describe("ETag and 304", () => {
	const GETS = [
		"/v0.1/servers",
		"/v0/servers?limit=3",
		"/v0.1/servers?search=server-1",
		"/v0.1/servers?updated_since=2020-01-01T00:00:00Z",
		`/v0.1/servers/${NAME}/versions`,
		`/v0.1/servers/${NAME}/versions/1.0.0`,
		`/v0/servers/${NAME}/versions/latest`,
		"/v0.1/health",
		"/v0/ping",
		"/v0.1/version",
		"/openapi.json",
		"/openapi.yaml",
		"/docs",
	];

	test("/metrics (a body that changes with every request) also carries a strong ETag", async () => {
		const res = await srv.request("/metrics", { headers: IDENTITY });
		expect(res.status).toBe(200);
		expect(res.headers.get("etag")).toMatch(/^"[^"]+"$/);
	});

	for (const path of GETS) {
		test(`${path}: strong ETag, If-None-Match (strong and W/) → 304 without a body`, async () => {
			const res = await srv.request(path, { headers: IDENTITY });
			expect(res.status).toBe(200);
			await res.arrayBuffer();
			const etag = res.headers.get("etag");
			expect(etag).toMatch(/^"[^"]+"$/);
			expect(etag?.startsWith("W/")).toBe(false);
			for (const inm of [etag as string, `W/${etag}`, `"something-else", ${etag}`]) {
				const again = await srv.request(path, { headers: { ...IDENTITY, "If-None-Match": inm } });
				expect(again.status).toBe(304);
				expect(again.headers.get("etag")).toBe(etag);
				expect((await again.arrayBuffer()).byteLength).toBe(0);
			}
			const other = await srv.request(path, { headers: { ...IDENTITY, "If-None-Match": '"nope"' } });
			expect(other.status).toBe(200);
		});
	}

	test("different bodies have different ETags; the same body the same ETag", async () => {
		const tag = async (path: string) => {
			const r = await srv.request(path, { headers: IDENTITY });
			return { etag: r.headers.get("etag"), text: await r.text() };
		};
		const a = await tag("/v0.1/servers?limit=1");
		const b = await tag("/v0.1/servers?limit=2");
		const a2 = await tag("/v0.1/servers?limit=1&unknown=1");
		const a0 = await tag("/v0/servers?limit=1");
		expect(a.text).not.toBe(b.text);
		expect(a.etag).not.toBe(b.etag);
		expect(a2.text).toBe(a.text);
		expect(a2.etag).toBe(a.etag);
		expect(a0.etag).toBe(a.etag);
	});

	test("the ETag changes exactly when the body changes across a reload", async () => {
		const fetchTag = async (path: string) => {
			const r = await reloading.request(path, { headers: IDENTITY });
			return { status: r.status, etag: r.headers.get("etag") as string, text: await r.text() };
		};
		const list = "/v0.1/servers?limit=10";
		const one = `/v0.1/servers/${NAME}/versions/1.0.0`;
		const before = await fetchTag(list);
		const beforeOne = await fetchTag(one);

		// Identical data swapped in: same bodies, same tags, and the old tag still gives 304.
		reloading.swap(snapshotData(DOC));
		const same = await fetchTag(list);
		expect(same.text).toBe(before.text);
		expect(same.etag).toBe(before.etag);
		const revalidated = await reloading.request(list, {
			headers: { ...IDENTITY, "If-None-Match": before.etag },
		});
		expect(revalidated.status).toBe(304);

		// Different data: the list body changes and so does its tag; the old tag no longer matches.
		const changed = bigDoc("A server with a reasonably long description to make the body large");
		(changed.servers[0] as { server: Record<string, unknown> }).server.description = "Changed";
		reloading.swap(snapshotData(changed));
		const after = await fetchTag(list);
		expect(after.text).not.toBe(before.text);
		expect(after.etag).not.toBe(before.etag);
		const stale = await reloading.request(list, { headers: { ...IDENTITY, "If-None-Match": before.etag } });
		expect(stale.status).toBe(200);
		expect(await stale.text()).toBe(after.text);
		// An entry the change did not touch: same body, same tag.
		const afterOne = await fetchTag(one);
		expect(afterOne.text).toBe(beforeOne.text);
		expect(afterOne.etag).toBe(beforeOne.etag);
	});
});

describe("Cache-Control", () => {
	for (const path of [
		"/v0.1/servers",
		"/v0/servers?limit=2",
		`/v0.1/servers/${NAME}/versions`,
		`/v0/servers/${NAME}/versions/latest`,
		"/v0.1/version",
		"/openapi.json",
	]) {
		test(`${path}: public, max-age=10`, async () => {
			const res = await srv.request(path, { headers: IDENTITY });
			expect(res.status).toBe(200);
			expect(res.headers.get("cache-control")).toBe("public, max-age=10");
		});
	}
});

/** A request through node:http: no Accept-Encoding unless given, raw bytes back. */
function nodeGet(
	url: string,
	headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method: "GET", headers }, (res) => {
			const chunks: Buffer[] = [];
			res.on("data", (c: Buffer) => chunks.push(c));
			res.on("end", () =>
				resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
			);
			res.on("error", reject);
		});
		req.on("error", reject);
		req.end();
	});
}

describe("in process and on a real port: the same answer", () => {
	// The server adapter adds Date and Content-Length, and drops HEAD bodies; nothing else differs.
	const comparable = (res: Response) => {
		const h = Object.fromEntries(res.headers);
		delete h.date;
		delete h["content-length"];
		return h;
	};

	for (const k of KINDS.filter((k) => k.kind !== "200 metrics")) {
		for (const enc of ["identity", "gzip, br"]) {
			test(`${k.kind} (${enc})`, async () => {
				const init = { method: k.method, headers: { "Accept-Encoding": enc, ...k.headers } };
				const mine = await srv.request(k.path, init);
				const served = await wire.request(k.path, init);
				expect(served.status).toBe(mine.status);
				expect(comparable(served)).toEqual(comparable(mine));
				const [a, b] = [new Uint8Array(await mine.arrayBuffer()), new Uint8Array(await served.arrayBuffer())];
				if (k.method === "HEAD") expect(b.byteLength).toBe(0);
				else expect(b).toEqual(a);
				if (served.headers.has("content-length"))
					expect(Number(served.headers.get("content-length"))).toBe(a.byteLength);
			});
		}
	}
});

describe("compression (real port)", () => {
	const paths = ["/v0.1/servers?limit=100", "/openapi.json", "/docs"];

	for (const path of paths) {
		test(`${path}: gzip and br decompress to the identical bytes`, async () => {
			const plain = await wire.request(path, { headers: IDENTITY });
			const plainBytes = new Uint8Array(await plain.arrayBuffer());
			expect(plain.headers.get("content-encoding")).toBeNull();
			expect(plain.headers.get("vary")).toContain("Accept-Encoding");
			expect(plainBytes.byteLength).toBeGreaterThan(4096);

			const gz = await wire.request(path, { headers: { "Accept-Encoding": "gzip" } });
			expect(gz.status).toBe(200);
			expect(gz.headers.get("content-encoding")).toBe("gzip");
			expect(gz.headers.get("vary")).toContain("Accept-Encoding");
			const gzBytes = new Uint8Array(await gz.arrayBuffer());
			expect(gzBytes.byteLength).toBeLessThan(plainBytes.byteLength);
			expect(Number(gz.headers.get("content-length"))).toBe(gzBytes.byteLength);
			expect(Bun.gunzipSync(gzBytes)).toEqual(plainBytes);

			const br = await wire.request(path, { headers: { "Accept-Encoding": "br" } });
			expect(br.status).toBe(200);
			expect(br.headers.get("content-encoding")).toBe("br");
			expect(br.headers.get("vary")).toContain("Accept-Encoding");
			const brBytes = new Uint8Array(await br.arrayBuffer());
			expect(brBytes.byteLength).toBeLessThan(plainBytes.byteLength);
			expect(new Uint8Array(brotliDecompressSync(brBytes))).toEqual(plainBytes);

			// Each coding has its own strong tag, and the plain tag revalidates any of them.
			const tags = [plain, gz, br].map((r) => r.headers.get("etag"));
			expect(new Set(tags).size).toBe(3);
			const reval = await wire.request(path, {
				headers: { "Accept-Encoding": "gzip", "If-None-Match": gz.headers.get("etag") as string },
			});
			expect(reval.status).toBe(304);
		});
	}

	test("a browser-like Accept-Encoding gets a compressed body", async () => {
		const res = await wire.request("/v0.1/servers?limit=100", {
			headers: { "Accept-Encoding": "gzip, deflate, br, zstd" },
		});
		expect(["gzip", "br"]).toContain(res.headers.get("content-encoding") as string);
	});

	test("no Accept-Encoding → not compressed (node:http, raw bytes)", async () => {
		const plain = await wire.request("/v0.1/servers?limit=100", { headers: IDENTITY });
		const plainText = await plain.text();
		const r = await nodeGet(`${wire.base}/v0.1/servers?limit=100`);
		expect(r.status).toBe(200);
		expect(r.headers["content-encoding"]).toBeUndefined();
		expect(r.headers.vary).toContain("Accept-Encoding");
		expect(r.body.toString("utf8")).toBe(plainText);
		expect(JSON.parse(r.body.toString("utf8")).metadata.count).toBe(60);
	});

	test("node:http with Accept-Encoding: gzip sees gzip bytes on the wire", async () => {
		const r = await nodeGet(`${wire.base}/v0.1/servers?limit=100`, { "Accept-Encoding": "gzip" });
		expect(r.headers["content-encoding"]).toBe("gzip");
		expect(r.body[0]).toBe(0x1f);
		expect(r.body[1]).toBe(0x8b);
		expect(
			JSON.parse(Buffer.from(Bun.gunzipSync(new Uint8Array(r.body))).toString("utf8")).metadata.count,
		).toBe(60);
	});
});

describe("HEAD (real port)", () => {
	const PATHS = [
		"/v0.1/servers",
		"/v0/servers?limit=2",
		`/v0.1/servers/${NAME}/versions`,
		`/v0.1/servers/${NAME}/versions/1.0.0`,
		"/v0.1/health",
		"/v0/ping",
		"/v0.1/version",
		"/openapi.yaml",
		"/docs",
		"/v0.1/nope",
		"/v0.1/servers?limit=abc",
		"/v0.1/servers/a.b%2Fc/versions/latest",
	];

	const comparable = (res: Response) => {
		const h = Object.fromEntries(res.headers);
		delete h.date; // a clock value, not a property of the representation
		return h;
	};

	for (const path of PATHS) {
		for (const enc of ["identity", "gzip"]) {
			test(`HEAD ${path} (${enc}): same status and headers as GET, no body`, async () => {
				const get = await wire.request(path, { headers: { "Accept-Encoding": enc } });
				const getBytes = new Uint8Array(await get.arrayBuffer());
				const head = await wire.request(path, { method: "HEAD", headers: { "Accept-Encoding": enc } });
				expect(head.status).toBe(get.status);
				expect((await head.arrayBuffer()).byteLength).toBe(0);
				expect(Number(head.headers.get("content-length"))).toBe(getBytes.byteLength);
				expect(comparable(head)).toEqual(comparable(get));
			});
		}
	}

	test("HEAD with a matching If-None-Match → 304", async () => {
		const get = await wire.request("/v0.1/servers", { headers: IDENTITY });
		const res = await wire.request("/v0.1/servers", {
			method: "HEAD",
			headers: { ...IDENTITY, "If-None-Match": get.headers.get("etag") as string },
		});
		expect(res.status).toBe(304);
	});
});
