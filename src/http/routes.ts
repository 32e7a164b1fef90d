/**
 * Every route this registry serves, with what the OpenAPI document says of it. The router
 * matches against this table and the OpenAPI document is generated from it, so the two
 * cannot drift apart.
 */

export type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

export const PREFIXES = ["/v0", "/v0.1"] as const;

export type HandlerName =
	| "list"
	| "versions"
	| "get"
	| "health"
	| "ping"
	| "version"
	| "readOnly"
	| "validate"
	| "openapiYaml"
	| "openapiJson"
	| "docs"
	| "metrics"
	| "root"
	// The web UI's (src/ui/routes.ts): routed only when it is on, never in the OpenAPI document.
	| "uiServer"
	| "uiAsset";

export interface ParamDoc {
	name: string;
	in: "query" | "path";
	description: string;
	schema: Record<string, unknown>;
	example?: string;
}

export interface ResponseDoc {
	description: string;
	/** A components/schemas name; the content type follows from the status. */
	schema?: string;
	contentType?: string;
}

export interface Operation {
	method: Method;
	handler: HandlerName;
	operationId: string;
	summary: string;
	description?: string;
	tags: string[];
	params?: ParamDoc[];
	/** A JSON request body: its components/schemas name and what it is. */
	requestBody?: { schema: string; description: string };
	responses: Record<string, ResponseDoc>;
}

export interface RouteDef {
	/** Path template below the prefix (or from the root when not versioned). */
	path: string;
	versioned: boolean;
	operations: Operation[];
}

const serverName: ParamDoc = {
	name: "serverName",
	in: "path",
	description: "URL-encoded server name (the `/` as `%2F`), e.g. `io.github.user%2Fweather`.",
	schema: { type: "string" },
	example: "io.github.user%2Fweather",
};

const version: ParamDoc = {
	name: "version",
	in: "path",
	description: "URL-encoded version (`+` as `%2B`), or `latest` for the version marked latest.",
	schema: { type: "string" },
	example: "1.0.0",
};

const includeDeleted: ParamDoc = {
	name: "include_deleted",
	in: "query",
	description: "Include entries whose status is `deleted`.",
	schema: { type: "boolean", default: false },
};

const authMethod: ParamDoc = {
	name: "method",
	in: "path",
	description: "Upstream's token exchange: `github-at`, `github-oidc`, `oidc`, `dns`, `http` or `none`.",
	schema: { type: "string" },
	example: "github-at",
};

const problem = (description: string): ResponseDoc => ({ description, schema: "ErrorModel" });

const readOnly = (method: Method, operationId: string, summary: string, params: ParamDoc[]): Operation => ({
	method,
	handler: "readOnly",
	operationId,
	summary,
	description: "Not available: this registry is read-only and is updated from its registry file or from S3.",
	tags: ["publish"],
	params,
	responses: { "501": problem("Not Implemented: this registry is read-only") },
});

export const ROUTES: RouteDef[] = [
	{
		path: "/servers",
		versioned: true,
		operations: [
			{
				method: "GET",
				handler: "list",
				operationId: "list-servers",
				summary: "List MCP servers",
				description:
					"Every version of every server, by name then version (code-unit order), paginated with an opaque cursor.",
				tags: ["servers"],
				params: [
					{
						name: "cursor",
						in: "query",
						description:
							"Opaque pagination cursor: `metadata.nextCursor` of the previous page, usable in a URL as it is. " +
							"It carries the query that produced it (`search`, `version`, `updated_since`, `include_deleted`): " +
							"a request that omits one of them uses the cursor's value, a request that gives one wins " +
							"(so a client that sends only the cursor for the next page keeps its search). " +
							"Every string is accepted, as upstream: `name:version` (split at the first `:`) lists after that entry, " +
							"any other string is a bare name (items with a greater name).",
						schema: { type: "string" },
					},
					{
						name: "limit",
						in: "query",
						description: "Number of items per page.",
						schema: { type: "integer", minimum: 1, maximum: 100, default: 30 },
					},
					{
						name: "search",
						in: "query",
						description: "Case-insensitive substring of the server name or description.",
						schema: { type: "string" },
					},
					{
						name: "version",
						in: "query",
						description: "`latest` for only the latest version of each server, or an exact version.",
						schema: { type: "string" },
						example: "latest",
					},
					{
						name: "updated_since",
						in: "query",
						description:
							"RFC 3339 timestamp: only entries updated strictly after it (deleted entries included).",
						schema: { type: "string", format: "date-time" },
						example: "2025-08-07T13:15:04.280Z",
					},
					includeDeleted,
				],
				responses: {
					"200": { description: "A page of servers", schema: "ServerList" },
					"400": problem("Bad Request: invalid updated_since or include_deleted combination"),
					"422": problem("Unprocessable Entity: invalid limit or include_deleted"),
				},
			},
		],
	},
	{
		path: "/servers/{serverName}/versions",
		versioned: true,
		operations: [
			{
				method: "GET",
				handler: "versions",
				operationId: "get-server-versions",
				summary: "All versions of one MCP server",
				description: "Newest publish first.",
				tags: ["servers"],
				params: [serverName, includeDeleted],
				responses: {
					"200": { description: "All versions of the server", schema: "ServerList" },
					"400": problem("Bad Request: invalid server name encoding"),
					"404": problem("Not Found: no such server"),
					"422": problem("Unprocessable Entity: invalid include_deleted"),
				},
			},
		],
	},
	{
		path: "/servers/{serverName}/versions/{version}",
		versioned: true,
		operations: [
			{
				method: "GET",
				handler: "get",
				operationId: "get-server-version",
				summary: "One version of an MCP server",
				description: "`latest` as the version gives the version marked latest.",
				tags: ["servers"],
				params: [serverName, version, includeDeleted],
				responses: {
					"200": { description: "The server version", schema: "ServerResponse" },
					"400": problem("Bad Request: invalid server name or version encoding"),
					"404": problem("Not Found: no such server or version"),
					"422": problem("Unprocessable Entity: invalid include_deleted"),
				},
			},
			readOnly("PUT", "edit-server", "Edit a server version (not available)", [serverName, version]),
			readOnly("DELETE", "delete-server-version", "Delete a server version (not available)", [
				serverName,
				version,
			]),
		],
	},
	{
		path: "/servers/{serverName}/status",
		versioned: true,
		operations: [
			readOnly("PATCH", "update-server-status", "Set the status of all versions (not available)", [
				serverName,
			]),
		],
	},
	{
		path: "/servers/{serverName}/versions/{version}/status",
		versioned: true,
		operations: [
			readOnly("PATCH", "update-server-version-status", "Set the status of one version (not available)", [
				serverName,
				version,
			]),
		],
	},
	{
		path: "/publish",
		versioned: true,
		operations: [readOnly("POST", "publish-server", "Publish a server (not available)", [])],
	},
	{
		path: "/validate",
		versioned: true,
		operations: [
			{
				method: "POST",
				handler: "validate",
				operationId: "validate-server",
				summary: "Validate a server.json",
				description:
					"Checks a server.json document with the rules this registry loads its file by. Answers 200 whether it is valid or not: " +
					"`valid` is false when an issue has severity `error`; warnings (advisory limits) leave it valid. " +
					"The body is at most 1 MiB, `Content-Type: application/json`. Never cached.",
				tags: ["publish"],
				requestBody: { schema: "ServerDetail", description: "One server.json document" },
				responses: {
					"200": { description: "The validation result", schema: "ValidationResult" },
					"400": problem("Bad Request: the body is missing or not JSON"),
					"413": problem("Content Too Large: the body is larger than 1 MiB"),
					"415": problem("Unsupported Media Type: the body is not application/json"),
				},
			},
		],
	},
	{
		path: "/auth/{method}",
		versioned: true,
		operations: (["GET", "POST", "PUT", "PATCH", "DELETE"] as const).map((m) => ({
			...readOnly(m, `auth-${m.toLowerCase()}`, "Exchange a token for publishing (not available)", [
				authMethod,
			]),
			description:
				"Not available: upstream's token exchanges (`github-at`, `github-oidc`, `oidc`, `dns`, `http`, `none`) serve publishing, " +
				"and this registry is read-only. Any path below `auth`, by any method, answers 501.",
			tags: ["auth"],
		})),
	},
	{
		path: "/health",
		versioned: true,
		operations: [
			{
				method: "GET",
				handler: "health",
				operationId: "get-health",
				summary: "Health",
				description:
					'`{"status":"ok"}` while the registry serves, with `github_client_id` when configured (as upstream) and the counts of the data served. The data\'s source, hash and last load and the sync state only with MCP_REGISTRY_HEALTH_DETAIL=true.',
				tags: ["health"],
				responses: { "200": { description: "The registry is serving", schema: "Health" } },
			},
		],
	},
	{
		path: "/ping",
		versioned: true,
		operations: [
			{
				method: "GET",
				handler: "ping",
				operationId: "ping",
				summary: "Ping",
				tags: ["ping"],
				responses: { "200": { description: "Pong", schema: "Ping" } },
			},
		],
	},
	{
		path: "/version",
		versioned: true,
		operations: [
			{
				method: "GET",
				handler: "version",
				operationId: "get-version",
				summary: "Build version",
				tags: ["version"],
				responses: { "200": { description: "Version, commit and build time", schema: "VersionBody" } },
			},
		],
	},
	{
		path: "/openapi.yaml",
		versioned: false,
		operations: [
			{
				method: "GET",
				handler: "openapiYaml",
				operationId: "get-openapi-yaml",
				summary: "This OpenAPI document, as YAML",
				tags: ["docs"],
				responses: { "200": { description: "OpenAPI 3.1 document", contentType: "application/yaml" } },
			},
		],
	},
	{
		path: "/openapi.json",
		versioned: false,
		operations: [
			{
				method: "GET",
				handler: "openapiJson",
				operationId: "get-openapi-json",
				summary: "This OpenAPI document, as JSON",
				tags: ["docs"],
				responses: { "200": { description: "OpenAPI 3.1 document", contentType: "application/json" } },
			},
		],
	},
	{
		path: "/docs",
		versioned: false,
		operations: [
			{
				method: "GET",
				handler: "docs",
				operationId: "get-docs",
				summary: "API reference page",
				tags: ["docs"],
				responses: { "200": { description: "HTML page", contentType: "text/html" } },
			},
		],
	},
	{
		path: "/metrics",
		versioned: false,
		operations: [
			{
				method: "GET",
				handler: "metrics",
				operationId: "get-metrics",
				summary: "Prometheus metrics",
				tags: ["health"],
				responses: { "200": { description: "Prometheus text exposition", contentType: "text/plain" } },
			},
		],
	},
	{
		path: "/",
		versioned: false,
		operations: [
			{
				method: "GET",
				handler: "root",
				operationId: "get-root",
				summary: "The web UI, or a redirect to the API reference",
				description:
					"The web UI's page for browsing and searching the servers (HTML, for people); with MCP_REGISTRY_UI=false, a redirect to /docs.",
				tags: ["docs"],
				responses: {
					"200": { description: "The web UI (MCP_REGISTRY_UI=true, the default)", contentType: "text/html" },
					"302": { description: "Redirect to /docs (MCP_REGISTRY_UI=false)" },
				},
			},
		],
	},
];

/** Methods a route answers, in a stable order, for Allow headers. */
export function allowedMethods(route: RouteDef): string {
	const methods = new Set<string>();
	for (const op of route.operations) {
		methods.add(op.method);
		if (op.method === "GET") methods.add("HEAD");
	}
	methods.add("OPTIONS");
	const order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
	return order.filter((m) => methods.has(m)).join(", ");
}
