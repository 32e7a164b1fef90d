/**
 * Trailing slashes: `/v0.1/servers/?limit=2` → 308 to `/v0.1/servers?limit=2`, before routing,
 * on any path but "/" itself.
 */
import type { Stage } from "./pipeline.ts";
import { NO_STORE } from "./respond.ts";

/** Where a path ending in "/" redirects to (query kept as it is); undefined for any other path. */
export function trailingSlashLocation(path: string, query: string | undefined): string | undefined {
	if (path === "/" || !path.endsWith("/")) return undefined;
	// One leading slash only, and no backslash after it: "//host" or "/\\host" in a Location
	// names another host to a browser.
	const target = `/${path.replace(/\/+$/, "").replace(/^[/\\]+/, "")}`;
	return query === undefined ? target : `${target}?${query}`;
}

export const trailingSlash: Stage = (r, next) => {
	const location = trailingSlashLocation(r.path, r.query);
	if (location === undefined) return next(r);
	return {
		template: "redirect",
		reply: { status: 308, body: null, cacheControl: NO_STORE, headers: { Location: location } },
	};
};
