/** What the UI's parts share: the asset prefix, and the values its filters offer. */
export { OFFICIAL as OFFICIAL_META } from "../registry/official.ts";

/** Every asset (script, stylesheet, icons, logo) is served below this prefix, immutable. */
export const ASSET_PREFIX = "/ui";

/** Servers per browse page (the API's default page size). */
export const PAGE_SIZE = 30;

/** The package types the filter offers (server.json's registryType), with their labels. */
export const PACKAGE_TYPES: readonly (readonly [value: string, label: string])[] = [
	["npm", "npm"],
	["pypi", "PyPI"],
	["oci", "OCI (Docker)"],
	["nuget", "NuGet"],
	["mcpb", "MCP bundle"],
];

/** The transports the filter offers. */
export const TRANSPORTS: readonly (readonly [value: string, label: string])[] = [
	["stdio", "stdio (local)"],
	["streamable-http", "Streamable HTTP"],
	["sse", "SSE"],
];

/** The status filter: the API's default (deleted hidden), one status, or everything. */
export const STATUS_FILTERS: readonly (readonly [value: string, label: string])[] = [
	["", "Active and deprecated"],
	["active", "Active only"],
	["deprecated", "Deprecated only"],
	["deleted", "Deleted only"],
	["all", "All, with deleted"],
];
