import { describe, expect, test } from "bun:test";
import { brotliDecompressSync } from "node:zlib";
import {
	COMPRESS_MIN,
	codingFor,
	compressed,
	isCompressible,
	negotiateEncoding,
} from "../../src/http/compression.ts";
import { type Reply, reply } from "../../src/http/respond.ts";

describe("negotiateEncoding", () => {
	const cases: [string | null, "br" | "gzip" | undefined][] = [
		[null, undefined],
		["", undefined],
		["gzip, deflate, br", "br"],
		["br", "br"],
		["gzip", "gzip"],
		["GZIP", "gzip"],
		["x-gzip", "gzip"],
		["deflate", undefined],
		["identity", undefined],
		["gzip, deflate, br, zstd", "br"],
		["br;q=0, gzip", "gzip"],
		["br; q=0, gzip", "gzip"],
		["gzip;q=0", undefined],
		["gzip;q=0, br;q=0", undefined],
		["gzip;q=0.0, deflate", undefined],
		["gzip;q=1.0, br;q=0.5", "gzip"],
		["gzip;q=0.5, br;q=0.5", "br"],
		["gzip;q=0.8, br;q=0.9", "br"],
		["*", "br"],
		["*;q=0", undefined],
		["*, br;q=0", "gzip"],
		["*;q=0, gzip", "gzip"],
		["identity;q=1, *;q=0", undefined],
		["deflate, *;q=0.1", "br"],
		["  gzip  ,  br  ", "br"],
	];
	for (const [header, expected] of cases) {
		test(`${JSON.stringify(header)} → ${expected}`, () => {
			expect(negotiateEncoding(header)).toBe(expected);
		});
	}
});

const big = (type = "application/json", status = 200): Reply =>
	reply(status, `{"text":"${"x".repeat(COMPRESS_MIN)}"}`, type, "no-store");
const get = (acceptEncoding?: string) =>
	new Request("http://registry.test/v0.1/servers", {
		headers: acceptEncoding === undefined ? {} : { "Accept-Encoding": acceptEncoding },
	});

describe("isCompressible", () => {
	test("textual types with a body", () => {
		for (const type of [
			"application/json",
			"application/problem+json",
			"application/yaml",
			"text/html; charset=utf-8",
			"text/plain; version=0.0.4; charset=utf-8",
			"application/javascript",
		])
			expect([type, isCompressible(big(type))]).toEqual([type, true]);
	});

	test("not without a body, a type, or with a binary type", () => {
		expect(isCompressible({ status: 308, body: null, cacheControl: "no-store" })).toBe(false);
		expect(isCompressible({ status: 200, body: new Uint8Array(2000), cacheControl: "no-store" })).toBe(false);
		expect(isCompressible(big("image/png"))).toBe(false);
		expect(isCompressible({ ...big(), body: null })).toBe(false);
	});
});

describe("codingFor", () => {
	test("a 200 of at least COMPRESS_MIN bytes in the negotiated coding", () => {
		expect(codingFor(get("gzip, deflate, br"), big())).toBe("br");
		expect(codingFor(get("gzip"), big())).toBe("gzip");
		expect(codingFor(get("identity"), big())).toBeUndefined();
		expect(codingFor(get(), big())).toBeUndefined();
	});

	test("never below COMPRESS_MIN bytes, for other statuses, or for binary types", () => {
		const small = reply(200, "x".repeat(COMPRESS_MIN - 1), "application/json", "no-store");
		const exact = reply(200, "x".repeat(COMPRESS_MIN), "application/json", "no-store");
		expect(codingFor(get("gzip"), small)).toBeUndefined();
		expect(codingFor(get("gzip"), exact)).toBe("gzip");
		expect(codingFor(get("gzip"), big("application/problem+json", 422))).toBeUndefined();
		expect(codingFor(get("gzip"), big("image/png"))).toBeUndefined();
	});
});

describe("compressed", () => {
	test("gzip and br decompress to the body", () => {
		const r = big();
		const body = new Uint8Array(r.body as Uint8Array);
		const gz = compressed(r, "gzip");
		const br = compressed(r, "br");
		expect(gz.byteLength).toBeLessThan(body.byteLength);
		expect(br.byteLength).toBeLessThan(body.byteLength);
		expect(Bun.gunzipSync(new Uint8Array(gz))).toEqual(body);
		expect(new Uint8Array(brotliDecompressSync(br))).toEqual(body);
	});

	test("made once per coding and kept with the reply", () => {
		const r = big();
		const first = compressed(r, "gzip");
		expect(compressed(r, "gzip")).toBe(first);
		expect(r.encoded?.gzip).toBe(first);
		expect(r.encoded?.br).toBeUndefined();
		compressed(r, "br");
		expect(r.encoded?.br).toBeDefined();
	});
});
