/**
 * The web UI's routes besides `/` (which the API's table has: the UI, or a redirect to /docs
 * when the UI is off). Routed only when the UI is on, and never in the OpenAPI document.
 */
import type { Operation, RouteDef } from "../http/routes.ts";
import { ASSET_PREFIX } from "./constants.ts";

const page = (handler: Operation["handler"], operationId: string, summary: string): Operation => ({
	method: "GET",
	handler,
	operationId,
	summary,
	tags: ["ui"],
	responses: { "200": { description: "HTML page", contentType: "text/html" } },
});

export const UI_ROUTES: RouteDef[] = [
	{
		path: "/servers/{serverName}",
		versioned: false,
		operations: [page("uiServer", "ui-server", "A server's page (its latest version)")],
	},
	{
		path: "/servers/{serverName}/versions/{version}",
		versioned: false,
		operations: [page("uiServer", "ui-server-version", "One version's page")],
	},
	{
		path: `${ASSET_PREFIX}/{asset}`,
		versioned: false,
		operations: [page("uiAsset", "ui-asset", "A static asset (content-hashed name, immutable)")],
	},
];
