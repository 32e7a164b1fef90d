/**
 * This registry's OpenAPI 3.1 document, generated from the route table (routes.ts) and the
 * server.json schema, so what is documented is what is served.
 */
import serverSchema from "../registry/server.schema.json" with { type: "json" };
import { PREFIXES, ROUTES } from "./routes.ts";

const UPSTREAM = "https://github.com/modelcontextprotocol/registry";

function rewriteRefs(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(rewriteRefs);
	if (value === null || typeof value !== "object") return value;
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(value)) {
		out[k] =
			k === "$ref" && typeof v === "string"
				? v.replace("#/definitions/", "#/components/schemas/")
				: rewriteRefs(v);
	}
	return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function componentSchemas(): Record<string, unknown> {
	const definitions = rewriteRefs(serverSchema.definitions) as Record<string, unknown>;
	return {
		...definitions,
		ServerJSON: ref("ServerDetail"),
		OfficialMeta: {
			type: "object",
			required: ["status", "publishedAt", "updatedAt", "isLatest"],
			properties: {
				status: { type: "string", enum: ["active", "deprecated", "deleted"] },
				statusMessage: { type: "string" },
				statusChangedAt: { type: "string", format: "date-time" },
				publishedAt: { type: "string", format: "date-time" },
				updatedAt: { type: "string", format: "date-time" },
				isLatest: { type: "boolean" },
			},
		},
		ServerResponse: {
			type: "object",
			required: ["server", "_meta"],
			properties: {
				server: ref("ServerDetail"),
				_meta: {
					type: "object",
					properties: { "io.modelcontextprotocol.registry/official": ref("OfficialMeta") },
					additionalProperties: true,
				},
			},
		},
		ServerList: {
			type: "object",
			required: ["servers", "metadata"],
			properties: {
				servers: { type: "array", items: ref("ServerResponse") },
				metadata: {
					type: "object",
					required: ["count"],
					properties: {
						count: { type: "integer" },
						nextCursor: { type: "string", description: "Present when more items follow." },
					},
				},
			},
		},
		ErrorDetail: {
			type: "object",
			properties: { message: { type: "string" }, location: { type: "string" }, value: {} },
		},
		ErrorModel: {
			type: "object",
			description: "RFC 9457 problem details",
			properties: {
				title: { type: "string" },
				status: { type: "integer" },
				detail: { type: "string" },
				errors: { type: "array", items: ref("ErrorDetail") },
			},
		},
		Health: {
			type: "object",
			required: ["status"],
			properties: {
				status: { type: "string", enum: ["ok"] },
				github_client_id: {
					type: "string",
					description: "MCP_REGISTRY_GITHUB_CLIENT_ID, when configured (as upstream).",
				},
				data: {
					type: "object",
					description:
						"The data served: its counts; with MCP_REGISTRY_HEALTH_DETAIL=true also its source, content hash, load time and the last load.",
					required: ["entries", "names"],
					properties: {
						entries: { type: "integer", description: "Entries (server versions) served." },
						names: { type: "integer", description: "Distinct server names served." },
					},
					additionalProperties: true,
				},
				sync: {
					type: "object",
					description: "The S3 sync's state; only with MCP_REGISTRY_HEALTH_DETAIL=true.",
					additionalProperties: true,
				},
			},
		},
		ValidationIssue: {
			type: "object",
			required: ["type", "path", "message", "severity", "reference"],
			properties: {
				type: { type: "string", enum: ["schema", "semantic"] },
				path: {
					type: "string",
					description: "The field, e.g. `packages[0].executable`; empty for the document.",
				},
				message: { type: "string" },
				severity: { type: "string", enum: ["error", "warning"] },
				reference: { type: "string", description: "A stable identifier of the rule." },
			},
		},
		ValidationResult: {
			type: "object",
			required: ["valid", "issues"],
			properties: {
				valid: { type: "boolean", description: "False when an issue has severity `error`." },
				issues: { type: "array", items: ref("ValidationIssue") },
			},
		},
		Ping: { type: "object", required: ["pong"], properties: { pong: { type: "boolean" } } },
		VersionBody: {
			type: "object",
			required: ["version", "git_commit", "build_time"],
			properties: {
				version: { type: "string" },
				git_commit: { type: "string" },
				build_time: { type: "string" },
			},
		},
	};
}

export function buildOpenApi(): Record<string, unknown> {
	const paths: Record<string, Record<string, unknown>> = {};
	for (const route of ROUTES) {
		const prefixes = route.versioned ? PREFIXES : [""];
		for (const prefix of prefixes) {
			const path = route.path === "/" ? "/" : `${prefix}${route.path}`;
			const item: Record<string, unknown> = {};
			for (const op of route.operations) {
				const suffix = prefix ? `-${prefix.slice(1)}` : "";
				const responses: Record<string, unknown> = {};
				for (const [status, r] of Object.entries(op.responses)) {
					const type =
						r.contentType ?? (status.startsWith("2") ? "application/json" : "application/problem+json");
					responses[status] = r.schema
						? { description: r.description, content: { [type]: { schema: ref(r.schema) } } }
						: r.contentType
							? { description: r.description, content: { [type]: { schema: { type: "string" } } } }
							: { description: r.description };
				}
				item[op.method.toLowerCase()] = {
					operationId: `${op.operationId}${suffix}`,
					summary: op.summary,
					...(op.description ? { description: op.description } : {}),
					tags: op.tags,
					...(op.requestBody
						? {
								requestBody: {
									required: true,
									description: op.requestBody.description,
									content: { "application/json": { schema: ref(op.requestBody.schema) } },
								},
							}
						: {}),
					...(op.params && op.params.length > 0
						? {
								parameters: op.params.map((p) => ({
									name: p.name,
									in: p.in,
									...(p.in === "path" ? { required: true } : {}),
									description: p.description,
									schema: p.schema,
									...(p.example ? { example: p.example } : {}),
								})),
							}
						: {}),
					responses,
				};
			}
			paths[path] = item;
		}
	}
	return {
		openapi: "3.1.0",
		info: {
			title: "MCP Registry",
			version: "1.0.0",
			description:
				`A read-only MCP Registry implementing the API of ${UPSTREAM} (under /v0 and /v0.1), ` +
				"served from a registry file that is kept current from S3. " +
				"The API is the same over plain HTTP and over HTTPS: HTTPS is the server's own when its " +
				"operator gives it a certificate (MCP_REGISTRY_TLS_CERT_FILE and MCP_REGISTRY_TLS_KEY_FILE), " +
				"or a proxy's in front of it; nothing in a request or an answer depends on which. " +
				"Paging: a `cursor` carries the query that produced it (search, version, updated_since, " +
				"include_deleted); a request that omits one of those uses the cursor's, one that gives it wins.",
		},
		tags: [
			{ name: "servers", description: "Browse MCP servers and their versions" },
			{
				name: "publish",
				description: "Write routes: not available in this read-only registry; validation of a server.json is",
			},
			{
				name: "auth",
				description: "Token exchanges for publishing: not available in this read-only registry",
			},
			{ name: "health", description: "Health and metrics" },
			{ name: "ping" },
			{ name: "version" },
			{ name: "docs", description: "This document and its reference page" },
		],
		paths,
		components: { schemas: componentSchemas() },
	};
}
