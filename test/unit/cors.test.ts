import { describe, expect, test } from "bun:test";
import { CORS_HEADERS, corsPreflight, isPreflight, preflightReply } from "../../src/http/cors.ts";
import type { Incoming, Routed } from "../../src/http/pipeline.ts";
import type { Reply } from "../../src/http/respond.ts";

const request = (method: string, headers: Record<string, string> = {}) =>
	new Request("http://registry.test/v0.1/servers", { method, headers });
const PREFLIGHT = { Origin: "https://app.example", "Access-Control-Request-Method": "GET" };

describe("CORS_HEADERS", () => {
	test("any origin; ETag and the length readable by scripts", () => {
		expect(CORS_HEADERS).toEqual({
			"Access-Control-Allow-Origin": "*",
			"Access-Control-Expose-Headers": "Content-Type, Content-Length, ETag",
		});
	});
});

describe("isPreflight", () => {
	test("an OPTIONS with Access-Control-Request-Method", () => {
		expect(isPreflight(request("OPTIONS", PREFLIGHT))).toBe(true);
		expect(isPreflight(request("OPTIONS", { "Access-Control-Request-Method": "PUT" }))).toBe(true);
	});

	test("not a plain OPTIONS, nor another method asking", () => {
		expect(isPreflight(request("OPTIONS", { Origin: "https://app.example" }))).toBe(false);
		expect(isPreflight(request("GET", PREFLIGHT))).toBe(false);
		expect(isPreflight(request("POST", PREFLIGHT))).toBe(false);
	});
});

describe("preflightReply", () => {
	test("204 without a body: every method, the requested headers echoed, a day's max-age", () => {
		const r = preflightReply(
			request("OPTIONS", {
				...PREFLIGHT,
				"Access-Control-Request-Headers": "x-custom-header, if-none-match",
			}),
		);
		expect(r).toEqual({
			status: 204,
			body: null,
			cacheControl: "no-store",
			headers: {
				"Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
				"Access-Control-Allow-Headers": "x-custom-header, if-none-match",
				"Access-Control-Max-Age": "86400",
				Vary: "Access-Control-Request-Headers",
			},
		});
	});

	test("no (or blank) requested headers → Authorization, Content-Type", () => {
		for (const headers of [PREFLIGHT, { ...PREFLIGHT, "Access-Control-Request-Headers": "  " }]) {
			const r = preflightReply(request("OPTIONS", headers));
			expect(r.headers?.["Access-Control-Allow-Headers"]).toBe("Authorization, Content-Type");
		}
	});
});

describe("corsPreflight (stage)", () => {
	const passed: Routed = { template: "next", reply: { status: 200, body: null, cacheControl: "no-store" } };
	const run = (req: Request) => {
		const seen: Incoming[] = [];
		const out = corsPreflight({ req, path: "/anything/at/all", query: undefined }, (r) => {
			seen.push(r);
			return passed;
		});
		return { out, seen };
	};

	test("answers a preflight itself, on any path, counted as 'preflight'", () => {
		const { out, seen } = run(request("OPTIONS", PREFLIGHT));
		expect(seen).toHaveLength(0);
		expect(out.template).toBe("preflight");
		expect((out.reply as Reply).status).toBe(204);
	});

	test("hands anything else on unchanged", () => {
		for (const req of [request("GET"), request("OPTIONS")]) {
			const { out, seen } = run(req);
			expect(out).toBe(passed);
			expect(seen).toEqual([{ req, path: "/anything/at/all", query: undefined }]);
		}
	});
});
