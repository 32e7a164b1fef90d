/**
 * The UI's static assets: script, stylesheet, icon and the organisation's logo, each served at
 * `/ui/NAME.HASH.EXT` (the hash of its bytes in its name) with a year's immutable caching. They
 * are made once at start-up; a new build or logo gives new names, so no cache ever serves a stale
 * one.
 */
import { createHash } from "node:crypto";
import type { Reply } from "../http/respond.ts";
import { reply } from "../http/respond.ts";
import { CLIENT_SCRIPT } from "./client.ts";
import { ASSET_PREFIX } from "./constants.ts";
import { STYLESHEET } from "./style.ts";

export const IMMUTABLE = "public, max-age=31536000, immutable";

/** The favicon: the default mark. */
const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#4338ca"/><path d="M10 11.5a3.5 3.5 0 1 1 7 0v9a3.5 3.5 0 1 0 7 0M8 16h6m4 0h6" fill="none" stroke="#fff" stroke-width="2.4" stroke-linecap="round"/></svg>\n`;

/** An image the operator gives (MCP_REGISTRY_UI_LOGO), read at start. */
export interface LogoFile {
	bytes: Uint8Array;
	/** Its media type, from its extension. */
	type: string;
	ext: string;
}

/** An image opened on its own (an SVG can hold script): nothing runs, nothing is fetched. */
const IMAGE_HEADERS = {
	"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
	"X-Content-Type-Options": "nosniff",
};
const TEXT_HEADERS = { "X-Content-Type-Options": "nosniff" };

export interface Assets {
	/** URL paths of each asset, for the pages' links. */
	css: string;
	js: string;
	icon: string;
	logo?: string;
	/** The reply for an asset name (the last path segment), if there is one. */
	get(name: string): Reply | undefined;
	/** Every asset's name (for tests and the size report). */
	names(): string[];
}

const hashOf = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex").slice(0, 12);

export function buildAssets(logo?: LogoFile): Assets {
	const byName = new Map<string, Reply>();
	const add = (
		stem: string,
		ext: string,
		body: Uint8Array | string,
		type: string,
		headers: Record<string, string>,
	): string => {
		const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
		const name = `${stem}.${hashOf(bytes)}.${ext}`;
		const r = reply(200, bytes, type, IMMUTABLE);
		r.headers = headers;
		// Made once, sent as it is: the front may keep it ready.
		r.shared = true;
		byName.set(name, r);
		return `${ASSET_PREFIX}/${name}`;
	};
	const assets: Assets = {
		css: add("style", "css", STYLESHEET, "text/css; charset=utf-8", TEXT_HEADERS),
		js: add("app", "js", CLIENT_SCRIPT, "text/javascript; charset=utf-8", TEXT_HEADERS),
		icon: add("icon", "svg", ICON_SVG, "image/svg+xml", IMAGE_HEADERS),
		get: (name) => byName.get(name),
		names: () => [...byName.keys()],
	};
	if (logo) assets.logo = add("logo", logo.ext, logo.bytes, logo.type, IMAGE_HEADERS);
	return assets;
}
