/**
 * POST {p}/validate: a server.json in the body → 200 {"valid", "issues"} in upstream's shape,
 * by the loader's rules (upstream's own cases from internal/api/handlers/v0/validate_test.go,
 * then the loader's); a body that is no server.json to check → a problem.
 */
import { describe, expect, test } from "bun:test";
import { createApiApp, entry, registryDoc } from "../support/api-server.ts";

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
const srv = createApiApp(registryDoc([entry("io.github.user/weather", "1.0.0")]));

interface Issue {
	type: string;
	path: string;
	message: string;
	severity: string;
	reference: string;
}
interface Result {
	valid: boolean;
	issues: Issue[];
}

const minimal = (extra: Record<string, unknown> = {}) => ({
	$schema: SCHEMA,
	name: "io.github.example/test-server",
	description: "A test server",
	version: "1.0.0",
	...extra,
});

async function validate(
	body: unknown,
	prefix = "/v0",
	headers: Record<string, string> = { "Content-Type": "application/json" },
): Promise<{ res: Response; result: Result }> {
	const res = await srv.request(`${prefix}/validate`, {
		method: "POST",
		headers,
		body: typeof body === "string" ? body : JSON.stringify(body),
	});
	const text = await res.text();
	return { res, result: JSON.parse(text) as Result };
}

async function expectProblem(res: Response, status: number): Promise<Record<string, unknown>> {
	expect(res.status).toBe(status);
	expect(res.headers.get("content-type")).toBe("application/problem+json");
	expect(res.headers.get("cache-control")).toBe("no-store");
	const body = (await res.json()) as Record<string, unknown>;
	expect(body.status).toBe(status);
	return body;
}

describe("POST {p}/validate: upstream's cases", () => {
	for (const prefix of ["/v0", "/v0.1"]) {
		test(`${prefix}: a minimal valid document → valid, no issues`, async () => {
			const { res, result } = await validate(minimal(), prefix);
			expect(res.status).toBe(200);
			expect(res.headers.get("content-type")).toBe("application/json");
			expect(res.headers.get("cache-control")).toBe("no-store");
			expect(result).toEqual({ valid: true, issues: [] });
		});
	}

	test("a version range (^1.0.0) → invalid, one semantic error at version quoting the range", async () => {
		const { res, result } = await validate(minimal({ version: "^1.0.0" }));
		expect(res.status).toBe(200);
		expect(result.valid).toBe(false);
		const errors = result.issues.filter((i) => i.severity === "error");
		expect(errors).toHaveLength(1);
		expect(errors[0]).toMatchObject({ type: "semantic", path: "version", severity: "error" });
		expect(errors[0]?.message).toContain("^1.0.0");
		expect(errors[0]?.reference).not.toBe("");
	});

	for (const range of ["~1.2.3", ">=1.0.0", "1.x", "*", "1.0.0 || 2.0.0"]) {
		test(`the range ${JSON.stringify(range)} is an error at version too`, async () => {
			const { result } = await validate(minimal({ version: range }));
			expect(result.valid).toBe(false);
			expect(result.issues.some((i) => i.path === "version" && i.severity === "error")).toBe(true);
		});
	}

	test('version "latest" → invalid, a semantic error at version that mentions latest', async () => {
		const { result } = await validate(minimal({ version: "latest" }));
		expect(result.valid).toBe(false);
		const errors = result.issues.filter((i) => i.severity === "error");
		expect(errors).toHaveLength(1);
		expect(errors[0]).toMatchObject({ type: "semantic", path: "version", severity: "error" });
		expect(errors[0]?.message).toContain("latest");
	});

	test("a PyPI package with executable → exactly one semantic issue at packages[0].executable", async () => {
		const { result } = await validate(
			minimal({
				packages: [
					{
						registryType: "pypi",
						identifier: "test-package",
						version: "1.0.0",
						transport: { type: "stdio" },
						executable: "python",
					},
				],
			}),
		);
		expect(result.valid).toBe(false);
		const semantic = result.issues.filter((i) => i.type === "semantic");
		expect(semantic).toHaveLength(1);
		expect(semantic[0]).toMatchObject({ path: "packages[0].executable", severity: "error" });
		expect(semantic[0]?.message).toContain("only supported for npm packages");
	});
});

describe("POST {p}/validate: the loader's rules", () => {
	test("a missing field and a wrong type are schema errors, with the loader's paths", async () => {
		const { result } = await validate({ $schema: SCHEMA, name: "io.github.a/b", version: 3 });
		expect(result.valid).toBe(false);
		const paths = result.issues.filter((i) => i.severity === "error").map((i) => [i.path, i.type]);
		expect(paths).toContainEqual(["description", "schema"]);
		expect(paths).toContainEqual(["version", "schema"]);
		for (const i of result.issues)
			expect(Object.keys(i)).toEqual(["type", "path", "message", "severity", "reference"]);
	});

	test("advisories are warnings: the document stays valid", async () => {
		const { result } = await validate(minimal({ $schema: undefined, description: "x".repeat(150) }));
		expect(result.valid).toBe(true);
		expect(result.issues.length).toBeGreaterThan(0);
		expect(result.issues.every((i) => i.severity === "warning")).toBe(true);
		expect(result.issues.map((i) => i.path)).toContain("description");
	});

	test("a duplicate key is an error, as in a registry file", async () => {
		const { result } = await validate(
			`{"$schema":"${SCHEMA}","name":"io.github.a/b","name":"io.github.a/c","description":"d","version":"1.0.0"}`,
		);
		expect(result.valid).toBe(false);
		expect(result.issues[0]?.message).toContain('duplicate key "name"');
	});

	test("a value that is no object → invalid", async () => {
		const { res, result } = await validate("[1,2]");
		expect(res.status).toBe(200);
		expect(result.valid).toBe(false);
		expect(result.issues[0]?.path).toBe("");
	});

	test("a Content-Type with parameters, or a +json type, is JSON", async () => {
		for (const type of ["application/json; charset=utf-8", "application/vnd.mcp+json"]) {
			const { res, result } = await validate(minimal(), "/v0", { "Content-Type": type });
			expect([type, res.status, result.valid]).toEqual([type, 200, true]);
		}
	});
});

describe("POST {p}/validate: bodies that are no server.json to check → problems", () => {
	const post = (
		body: RequestInit["body"] | null,
		headers: Record<string, string> = { "Content-Type": "application/json" },
	) => srv.request("/v0.1/validate", { method: "POST", headers, body });

	test("not JSON → 400 at body", async () => {
		const b = await expectProblem(await post("{not json"), 400);
		expect(b.detail).toBe("validation failed");
		expect((b.errors as { location: string }[])[0]?.location).toBe("body");
	});

	test("no body → 400 request body is required", async () => {
		const b = await expectProblem(await post(null), 400);
		expect(b.detail).toBe("request body is required");
	});

	test("a wrong Content-Type → 415", async () => {
		for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
			const b = await expectProblem(await post(JSON.stringify(minimal()), { "Content-Type": type }), 415);
			expect(b.title).toBe("Unsupported Media Type");
		}
	});

	test("more than 1 MiB → 413, by its Content-Length or by its bytes", async () => {
		const big = JSON.stringify(minimal({ description: "x".repeat(1024 * 1024) }));
		const b = await expectProblem(await post(big), 413);
		expect(b.title).toBe("Content Too Large");
		// A streamed body without a Content-Length is cut off at the limit too.
		const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
		let sent = 0;
		const stream = new ReadableStream<Uint8Array>({
			pull(c) {
				if (sent++ < 40) c.enqueue(chunk);
				else c.close();
			},
		});
		await expectProblem(await post(stream as unknown as RequestInit["body"]), 413);
		expect(sent).toBeLessThan(40);
		// Exactly at the limit is read.
		const doc = JSON.stringify(minimal());
		const atLimit = doc + " ".repeat(1024 * 1024 - doc.length);
		expect((await post(atLimit)).status).toBe(200);
	});

	test("other methods → 405 with Allow: POST; the route is never cached", async () => {
		const res = await srv.request("/v0/validate");
		await expectProblem(res, 405);
		expect(res.headers.get("allow")).toBe("POST, OPTIONS");
		const a = await validate(minimal());
		expect(a.res.headers.get("etag")).toBeNull();
	});
});

describe("{p}/auth/* → 501 like the other write routes", () => {
	test("any path below auth, any method, both prefixes", async () => {
		const readOnly = await srv.request("/v0/publish", { method: "POST" });
		const detail = ((await readOnly.json()) as { detail: string }).detail;
		for (const p of ["/v0", "/v0.1"]) {
			for (const [method, path] of [
				["POST", "/auth/github-at"],
				["POST", "/auth/github-oidc"],
				["POST", "/auth/dns"],
				["POST", "/auth/none"],
				["GET", "/auth/http"],
				["DELETE", "/auth/oidc"],
				["POST", "/auth"],
				["POST", "/auth/a/b/c"],
			] as const) {
				const res = await srv.request(`${p}${path}`, { method, body: method === "POST" ? "{}" : undefined });
				const b = await expectProblem(res, 501);
				expect([method, path, b.detail]).toEqual([method, path, detail]);
			}
		}
		// Not a prefix of another word.
		expect((await srv.request("/v0/authors")).status).toBe(404);
	});
});
