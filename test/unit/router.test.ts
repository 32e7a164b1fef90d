import { describe, expect, test } from "bun:test";
import { createRouter, type RouteMatch, splitUrl } from "../../src/http/router.ts";
import { PREFIXES, ROUTES, type RouteDef } from "../../src/http/routes.ts";

describe("splitUrl", () => {
	const cases: [url: string, path: string, query: string | undefined][] = [
		["http://registry.test/v0.1/servers", "/v0.1/servers", undefined],
		["http://registry.test/v0.1/servers?limit=2&search=a+b", "/v0.1/servers", "limit=2&search=a+b"],
		["http://registry.test/v0.1/servers?", "/v0.1/servers", ""],
		["http://registry.test/a?b?c", "/a", "b?c"],
		["http://registry.test/", "/", undefined],
		[
			"http://127.0.0.1:8080/v0/servers/io.github.user%2Fweather/versions",
			"/v0/servers/io.github.user%2Fweather/versions",
			undefined,
		],
		[
			"http://registry.test/v0/servers/a%252Fb/versions/1.0.0%2B1?x=%2F",
			"/v0/servers/a%252Fb/versions/1.0.0%2B1",
			"x=%2F",
		],
		["http://registry.test/v0/servers/", "/v0/servers/", undefined],
		["http://registry.test", "/", undefined],
		["http://registry.test?a=1", "/", "a=1"],
		// What Bun hands over for a request without a usable Host: the request target as it came.
		["/v0/ping", "/v0/ping", undefined],
		["/x/v0/health", "/x/v0/health", undefined],
		["/x/metrics", "/x/metrics", undefined],
		["/v0/servers/", "/v0/servers/", undefined],
		["/v0.1/servers?limit=2", "/v0.1/servers", "limit=2"],
		["/", "/", undefined],
		["/?a", "/", "a"],
		// "//" in the query or a doubled slash in the path is no authority.
		["/v0/servers?cursor=//x/y", "/v0/servers", "cursor=//x/y"],
		["//evil.test/v0/ping", "//evil.test/v0/ping", undefined],
		["http://registry.test//evil.test/v0/ping", "//evil.test/v0/ping", undefined],
		["http://registry.test/v0/servers?cursor=http://a/b", "/v0/servers", "cursor=http://a/b"],
		// An empty authority.
		["http:///v0/ping", "/v0/ping", undefined],
		["http:///x/metrics?a", "/x/metrics", "a"],
		["http://", "/", undefined],
		// The authority ends at the first "/", "?" or "#", whatever it holds.
		["http://user@host:8080/v0/ping", "/v0/ping", undefined],
		["http://[::1]:8080/v0/ping", "/v0/ping", undefined],
		["https://other.test/v0/ping?x", "/v0/ping", "x"],
		["http://a?/v0/ping", "/", "/v0/ping"],
	];
	for (const [url, path, query] of cases) {
		test(`${url} → ${path} ${query === undefined ? "(no query)" : `? ${JSON.stringify(query)}`}`, () => {
			expect(splitUrl(url)).toEqual({ path, query });
		});
	}

	// Deno builds the URL from the Host header as it came: a Host holding "/" or "?" would move
	// the path. With the header given, its exact text is taken off the front instead.
	const withHost: [url: string, host: string | null, path: string, query: string | undefined][] = [
		["http://a/b/v0/ping", "a/b", "/v0/ping", undefined],
		["http://a/metrics?/v0/ping", "a/metrics?", "/v0/ping", undefined],
		["http://a b/v0/ping?x=1", "a b", "/v0/ping", "x=1"],
		["http://localhost:8080/v0/ping", "", "/v0/ping", undefined],
		["http://localhost:8080/v0/ping", null, "/v0/ping", undefined],
		// An absolute-form target: the URL is the target, the Host header another name.
		["http://other.test/v0/ping", "a/b", "/v0/ping", undefined],
		["http://ab/v0/ping", "a", "/v0/ping", undefined],
		// Bun's own URL (a normalised host) or a relative one: the header does not matter.
		["http://a/v0/ping", "A", "/v0/ping", undefined],
		["/v0/ping", "a/b", "/v0/ping", undefined],
	];
	for (const [url, host, path, query] of withHost) {
		test(`${url} with Host ${JSON.stringify(host)} → ${path}`, () => {
			expect(splitUrl(url, host)).toEqual({ path, query });
		});
	}

	test("what a Request makes of a URL: still percent-encoded", () => {
		const req = new Request("http://registry.test/v0.1/servers/io.github.user%2fweather/versions?a=%20");
		expect(splitUrl(req.url)).toEqual({
			path: "/v0.1/servers/io.github.user%2fweather/versions",
			query: "a=%20",
		});
	});
});

describe("createRouter: the table", () => {
	const router = createRouter();

	test("every versioned route under each prefix, the others from the root, in table order", () => {
		const expected: string[] = [];
		for (const route of ROUTES) {
			if (!route.versioned) expected.push(route.path);
			else for (const p of PREFIXES) expected.push(`${p}${route.path}`);
		}
		expect(router.templates).toEqual(expected);
		expect(router.templates).toContain("/v0/servers/{serverName}/versions/{version}");
		expect(router.templates).toContain("/v0.1/publish");
		expect(router.templates).toContain("/metrics");
		expect(router.templates).toContain("/");
	});

	test("every template, its parameters filled, routes back to itself", () => {
		for (const template of router.templates) {
			const path = template.replace("{serverName}", "a.b%2Fc").replace("{version}", "1.0.0");
			const m = router.match("OPTIONS", path);
			expect([path, m.kind !== "unmatched" && m.template]).toEqual([path, template]);
		}
	});

	test("another table and other prefixes", () => {
		const routes: RouteDef[] = [
			{
				path: "/things/{id}",
				versioned: true,
				operations: [
					{ method: "GET", handler: "get", operationId: "t", summary: "", tags: [], responses: {} },
				],
			},
			{
				path: "/about",
				versioned: false,
				operations: [
					{ method: "POST", handler: "docs", operationId: "a", summary: "", tags: [], responses: {} },
				],
			},
		];
		const r = createRouter(routes, ["/api/v1"]);
		expect(r.templates).toEqual(["/api/v1/things/{id}", "/about"]);
		expect(r.match("GET", "/api/v1/things/42")).toEqual({
			kind: "handler",
			template: "/api/v1/things/{id}",
			handler: "get",
			params: ["42"],
		});
		expect(r.match("GET", "/about")).toEqual({
			kind: "method-not-allowed",
			template: "/about",
			allow: "POST, OPTIONS",
		});
		expect(r.match("GET", "/v0/servers")).toEqual({ kind: "unmatched" });
	});
});

describe("createRouter: matching", () => {
	const router = createRouter();
	const cases: [method: string, path: string, expected: RouteMatch][] = [
		["GET", "/v0.1/servers", { kind: "handler", template: "/v0.1/servers", handler: "list", params: [] }],
		["GET", "/v0/servers", { kind: "handler", template: "/v0/servers", handler: "list", params: [] }],
		["HEAD", "/v0/servers", { kind: "handler", template: "/v0/servers", handler: "list", params: [] }],
		[
			"GET",
			"/v0.1/servers/io.github.user%2Fweather/versions",
			{
				kind: "handler",
				template: "/v0.1/servers/{serverName}/versions",
				handler: "versions",
				params: ["io.github.user%2Fweather"],
			},
		],
		[
			"GET",
			"/v0/servers/io.github.user%252Fweather/versions/1.0.0%2B1",
			{
				kind: "handler",
				template: "/v0/servers/{serverName}/versions/{version}",
				handler: "get",
				params: ["io.github.user%252Fweather", "1.0.0%2B1"],
			},
		],
		[
			"PUT",
			"/v0.1/servers/a.b%2Fc/versions/1.0.0",
			{
				kind: "handler",
				template: "/v0.1/servers/{serverName}/versions/{version}",
				handler: "readOnly",
				params: ["a.b%2Fc", "1.0.0"],
			},
		],
		[
			"PATCH",
			"/v0/servers/a.b%2Fc/status",
			{
				kind: "handler",
				template: "/v0/servers/{serverName}/status",
				handler: "readOnly",
				params: ["a.b%2Fc"],
			},
		],
		[
			"POST",
			"/v0.1/publish",
			{ kind: "handler", template: "/v0.1/publish", handler: "readOnly", params: [] },
		],
		["GET", "/v0/health", { kind: "handler", template: "/v0/health", handler: "health", params: [] }],
		["GET", "/v0.1/ping", { kind: "handler", template: "/v0.1/ping", handler: "ping", params: [] }],
		["GET", "/v0.1/version", { kind: "handler", template: "/v0.1/version", handler: "version", params: [] }],
		[
			"GET",
			"/openapi.yaml",
			{ kind: "handler", template: "/openapi.yaml", handler: "openapiYaml", params: [] },
		],
		[
			"GET",
			"/openapi.json",
			{ kind: "handler", template: "/openapi.json", handler: "openapiJson", params: [] },
		],
		["GET", "/docs", { kind: "handler", template: "/docs", handler: "docs", params: [] }],
		["HEAD", "/metrics", { kind: "handler", template: "/metrics", handler: "metrics", params: [] }],
		["GET", "/", { kind: "handler", template: "/", handler: "root", params: [] }],
		// Known paths, other methods.
		[
			"POST",
			"/v0/servers",
			{ kind: "method-not-allowed", template: "/v0/servers", allow: "GET, HEAD, OPTIONS" },
		],
		["DELETE", "/metrics", { kind: "method-not-allowed", template: "/metrics", allow: "GET, HEAD, OPTIONS" }],
		["GET", "/v0/publish", { kind: "method-not-allowed", template: "/v0/publish", allow: "POST, OPTIONS" }],
		["HEAD", "/v0/publish", { kind: "method-not-allowed", template: "/v0/publish", allow: "POST, OPTIONS" }],
		[
			"POST",
			"/v0.1/servers/a.b%2Fc/versions/1.0.0",
			{
				kind: "method-not-allowed",
				template: "/v0.1/servers/{serverName}/versions/{version}",
				allow: "GET, HEAD, PUT, DELETE, OPTIONS",
			},
		],
		[
			"GET",
			"/v0.1/servers/a.b%2Fc/status",
			{ kind: "method-not-allowed", template: "/v0.1/servers/{serverName}/status", allow: "PATCH, OPTIONS" },
		],
		["OPTIONS", "/v0.1/servers", { kind: "options", template: "/v0.1/servers", allow: "GET, HEAD, OPTIONS" }],
		["OPTIONS", "/", { kind: "options", template: "/", allow: "GET, HEAD, OPTIONS" }],
		// Unknown paths.
		["GET", "/v0/nope", { kind: "unmatched" }],
		["GET", "/v2/servers", { kind: "unmatched" }],
		["GET", "/servers", { kind: "unmatched" }],
		["GET", "/v0/metrics", { kind: "unmatched" }],
		["GET", "/openapi.xml", { kind: "unmatched" }],
		["GET", "/v0.1/servers/io.github.user%2Fweather", { kind: "unmatched" }],
		["GET", "/v0.1/servers/a.b%2Fc/versions/1.0.0/extra", { kind: "unmatched" }],
		// An unencoded slash in the name is two segments, and an empty segment is no parameter.
		["GET", "/v0.1/servers/io.github.user/weather/versions", { kind: "unmatched" }],
		["GET", "/v0.1/servers/io.github.user/weather/versions/1.0.0", { kind: "unmatched" }],
		["GET", "/v0.1/servers//versions", { kind: "unmatched" }],
		["GET", "/v0.1/servers/a.b%2Fc/versions/", { kind: "unmatched" }],
		// Trailing slashes are redirected before routing; the router itself does not match them.
		["GET", "/v0.1/servers/", { kind: "unmatched" }],
		["GET", "/docs/", { kind: "unmatched" }],
		// Paths match exactly: no case folding, no decoding.
		["GET", "/V0/servers", { kind: "unmatched" }],
		["GET", "/v0%2Fservers", { kind: "unmatched" }],
	];
	for (const [method, path, expected] of cases) {
		test(`${method} ${path} → ${expected.kind}${"template" in expected ? ` ${expected.template}` : ""}`, () => {
			expect(router.match(method, path)).toEqual(expected);
		});
	}
});
