/** buildOpenApi: the OpenAPI 3.1 document generated from the route table. */
import { describe, expect, test } from "bun:test";
import { buildOpenApi } from "../../src/http/openapi.ts";

describe("buildOpenApi", () => {
	const doc = buildOpenApi() as {
		openapi: string;
		info: { version: string; description: string; title: string };
		paths: Record<string, Record<string, unknown>>;
		components: { schemas: Record<string, unknown> };
	};

	test("info.version is 1.0.0", () => {
		expect(doc.info.version).toBe("1.0.0");
	});

	test("info.description names the upstream registry repository", () => {
		expect(doc.info.description).toContain("https://github.com/modelcontextprotocol/registry");
	});

	test("is an OpenAPI 3.1 document", () => {
		expect(doc.openapi).toMatch(/^3\.1\./);
	});

	test("describes the API routes under both /v0 and /v0.1", () => {
		for (const prefix of ["/v0", "/v0.1"]) {
			expect(doc.paths[`${prefix}/servers`]?.get).toBeDefined();
			expect(doc.paths[`${prefix}/servers/{serverName}/versions`]?.get).toBeDefined();
			expect(doc.paths[`${prefix}/servers/{serverName}/versions/{version}`]?.get).toBeDefined();
			expect(doc.paths[`${prefix}/health`]?.get).toBeDefined();
			expect(doc.paths[`${prefix}/ping`]?.get).toBeDefined();
			expect(doc.paths[`${prefix}/version`]?.get).toBeDefined();
			expect(doc.paths[`${prefix}/publish`]?.post).toBeDefined();
		}
	});

	test("every $ref points at a defined component schema", () => {
		const refs: string[] = [];
		const walk = (v: unknown) => {
			if (Array.isArray(v)) v.forEach(walk);
			else if (v && typeof v === "object") {
				for (const [k, x] of Object.entries(v)) {
					if (k === "$ref" && typeof x === "string") refs.push(x);
					else walk(x);
				}
			}
		};
		walk(doc);
		expect(refs.length).toBeGreaterThan(0);
		for (const r of refs) {
			expect(r.startsWith("#/components/schemas/")).toBe(true);
			const name = r.slice("#/components/schemas/".length);
			expect([r, name in doc.components.schemas]).toEqual([r, true]);
		}
	});

	test("operationIds are unique", () => {
		const ids: string[] = [];
		for (const item of Object.values(doc.paths)) {
			for (const op of Object.values(item)) ids.push((op as { operationId: string }).operationId);
		}
		expect(new Set(ids).size).toBe(ids.length);
	});
});

describe("what the document says of the API as a whole", () => {
	test("the same over HTTP and HTTPS, and the cursor carrying its query", () => {
		const d = (buildOpenApi() as { info: { description: string } }).info.description;
		expect(d).toContain("The API is the same over plain HTTP and over HTTPS");
		expect(d).toContain("MCP_REGISTRY_TLS_CERT_FILE");
		expect(d).toContain("a `cursor` carries the query that produced it");
	});

	test("describes POST /validate under both prefixes", () => {
		const paths = buildOpenApi().paths as Record<string, Record<string, unknown>>;
		for (const p of ["/v0/validate", "/v0.1/validate"]) expect(paths[p]?.post).toBeDefined();
	});
});
