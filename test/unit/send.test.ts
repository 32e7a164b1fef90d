import { describe, expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import { COMPRESS_MIN } from "../../src/http/compression.ts";
import { jsonReply, problemReply, type Reply, reply } from "../../src/http/respond.ts";
import { toResponse } from "../../src/http/send.ts";

const get = (headers: Record<string, string> = {}) => new Request("http://registry.test/x", { headers });
const CORS = {
	"access-control-allow-origin": "*",
	"access-control-expose-headers": "Content-Type, Content-Length, ETag",
};

describe("toResponse", () => {
	test("a small JSON 200: CORS, Cache-Control, Vary, a quoted ETag, the type; not compressed", async () => {
		const r = jsonReply({ pong: true }, "public, max-age=10");
		const res = toResponse(get({ "Accept-Encoding": "gzip" }), r);
		expect(res.status).toBe(200);
		expect(Object.fromEntries(res.headers)).toEqual({
			...CORS,
			"cache-control": "public, max-age=10",
			vary: "Accept-Encoding",
			etag: `"${r.etag}"`,
			"content-type": "application/json",
		});
		expect(await res.text()).toBe('{"pong":true}\n');
	});

	test("a reply without a body keeps its own headers, and CORS", async () => {
		const r: Reply = { status: 308, body: null, cacheControl: "no-store", headers: { Location: "/docs" } };
		const res = toResponse(get(), r);
		expect(res.status).toBe(308);
		expect(Object.fromEntries(res.headers)).toEqual({
			...CORS,
			"cache-control": "no-store",
			location: "/docs",
		});
		expect(await res.text()).toBe("");
	});

	test("a problem: its headers, no ETag, so If-None-Match never makes it a 304", () => {
		const r = problemReply({ status: 405, detail: "no", headers: { Allow: "GET, HEAD, OPTIONS" } });
		const res = toResponse(get({ "If-None-Match": "*" }), r);
		expect(res.status).toBe(405);
		expect(res.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
		expect(res.headers.get("etag")).toBeNull();
		expect(res.headers.get("content-type")).toBe("application/problem+json");
	});

	test("a large body in the negotiated coding, with that coding's ETag", async () => {
		const text = `{"text":"${"y".repeat(COMPRESS_MIN * 4)}"}`;
		const r = reply(200, text, "application/json", "no-store");
		const res = toResponse(get({ "Accept-Encoding": "gzip" }), r);
		expect(res.headers.get("content-encoding")).toBe("gzip");
		expect(res.headers.get("etag")).toBe(`"${r.etag}-gzip"`);
		expect(res.headers.get("vary")).toBe("Accept-Encoding");
		expect(new TextDecoder().decode(gunzipSync(new Uint8Array(await res.arrayBuffer())))).toBe(text);
		const plain = toResponse(get({ "Accept-Encoding": "identity" }), r);
		expect(plain.headers.get("content-encoding")).toBeNull();
		expect(plain.headers.get("etag")).toBe(`"${r.etag}"`);
	});

	test("If-None-Match naming the tag → 304 without a body, keeping the ETag, CORS and Vary", async () => {
		const r = reply(200, `{"text":"${"z".repeat(COMPRESS_MIN)}"}`, "application/json", "public, max-age=10");
		const res = toResponse(get({ "Accept-Encoding": "br", "If-None-Match": `"${r.etag}"` }), r);
		expect(res.status).toBe(304);
		expect(Object.fromEntries(res.headers)).toEqual({
			...CORS,
			"cache-control": "public, max-age=10",
			vary: "Accept-Encoding",
			etag: `"${r.etag}-br"`,
		});
		expect((await res.arrayBuffer()).byteLength).toBe(0);
		// Nothing was compressed for it.
		expect(r.encoded).toBeUndefined();
	});
});
