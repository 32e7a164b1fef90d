import { describe, expect, test } from "bun:test";
import type { Routed } from "../../src/http/pipeline.ts";
import { trailingSlash, trailingSlashLocation } from "../../src/http/trailing-slash.ts";

describe("trailingSlashLocation", () => {
	const cases: [path: string, query: string | undefined, location: string | undefined][] = [
		["/", undefined, undefined],
		["/", "a=1", undefined],
		["/v0.1/servers", undefined, undefined],
		["/v0.1/servers", "limit=2", undefined],
		["/v0/servers/", undefined, "/v0/servers"],
		["/v0.1/servers/", "limit=2&search=a+b&cursor=x%2Fy", "/v0.1/servers?limit=2&search=a+b&cursor=x%2Fy"],
		["/v0.1/servers/", "", "/v0.1/servers?"],
		["/v0.1/servers///", undefined, "/v0.1/servers"],
		[
			"/v0.1/servers/io.github.user%2Fweather/versions/latest/",
			undefined,
			"/v0.1/servers/io.github.user%2Fweather/versions/latest",
		],
		["/docs/", undefined, "/docs"],
		// Never "//host": that Location would name another host.
		["//evil.example/", undefined, "/evil.example"],
		["///evil.example//", "x=1", "/evil.example?x=1"],
		["//", undefined, "/"],
	];
	for (const [path, query, location] of cases) {
		test(`${path}${query === undefined ? "" : `?${query}`} → ${location}`, () => {
			expect(trailingSlashLocation(path, query)).toBe(location);
		});
	}
});

describe("trailingSlash (stage)", () => {
	const passed: Routed = { template: "next", reply: { status: 200, body: null, cacheControl: "no-store" } };
	const req = new Request("http://registry.test/");

	test("308 with the Location, no body, not cached, counted as 'redirect'", () => {
		let called = false;
		const out = trailingSlash({ req, path: "/v0/servers/", query: "limit=2" }, () => {
			called = true;
			return passed;
		});
		expect(called).toBe(false);
		expect(out).toEqual({
			template: "redirect",
			reply: {
				status: 308,
				body: null,
				cacheControl: "no-store",
				headers: { Location: "/v0/servers?limit=2" },
			},
		});
	});

	test("any other path goes on", () => {
		for (const path of ["/", "/v0/servers", "/v0/servers/x%2F"]) {
			expect(trailingSlash({ req, path, query: undefined }, () => passed)).toBe(passed);
		}
	});
});

describe("a backslash after the slash", () => {
	test("never leads the Location: a browser reads /\\host as //host, another host", () => {
		expect(trailingSlashLocation("/\\evil.com/", undefined)).toBe("/evil.com");
		expect(trailingSlashLocation("/\\/\\evil.com/", "a=1")).toBe("/evil.com?a=1");
		expect(trailingSlashLocation("//\\evil.com/", undefined)).toBe("/evil.com");
	});
});
