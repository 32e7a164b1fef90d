/**
 * The web UI: `/` (browse and search), `/servers/{name}` and `/servers/{name}/versions/{version}`
 * (a server's page), and assets under `/ui/`. Pages are HTML built from the snapshot being
 * served, cached per snapshot in the API's response cache (so they carry ETags, are compressed,
 * and a hot one is answered ready-made by the front), each with a strict Content-Security-Policy.
 */
import { parseBool } from "../bool.ts";
import type { ResponseCache, Tier } from "../http/cache.ts";
import { parseQuery, pathParam } from "../http/params.ts";
import { ENDPOINT_NOT_FOUND, type Problem } from "../http/problem.ts";
import { problemReply, type Reply, reply } from "../http/respond.ts";
import type { Snapshot } from "../registry/snapshot.ts";
import { buildAssets, type LogoFile } from "./assets.ts";
import { browsePage } from "./browse.ts";
import { type BrowseQuery, catalogOf } from "./catalog.ts";
import { PACKAGE_TYPES, STATUS_FILTERS, TRANSPORTS } from "./constants.ts";
import type { Chrome } from "./layout.ts";
import { notFoundPage, serverPage } from "./server-page.ts";

export interface UiSettings {
	/** The site's title (MCP_REGISTRY_UI_TITLE). */
	title: string;
	/** The organisation's name (MCP_REGISTRY_UI_ORGANIZATION). */
	organization?: string;
	/** The organisation's logo (MCP_REGISTRY_UI_LOGO), read at start. */
	logo?: LogoFile;
	/** Show servers' own icons from their https URLs (MCP_REGISTRY_UI_REMOTE_ICONS). */
	remoteIcons: boolean;
}

export interface UiDeps {
	/** The response cache of a snapshot (the API's). */
	cacheFor(snapshot: Snapshot): ResponseCache;
	/** Cache-Control of pages (the API's). */
	cacheControl: string;
	/** The registry's version, shown in the footer. */
	version: string;
}

export interface Ui {
	/** `/`: the browse page for the query string. */
	browse(snapshot: Snapshot, query: string): Reply;
	/** A server's page: params [name] or [name, version], still percent-encoded. */
	server(snapshot: Snapshot, params: string[], query: string): Reply;
	/** An asset by name. */
	asset(name: string): Reply;
	/** The Content-Security-Policy of every page. */
	readonly csp: string;
}

const HTML = "text/html; charset=utf-8";
/** The longest search kept (a longer one is cut: names and descriptions are shorter). */
const MAX_SEARCH = 200;

const valueIn = (list: readonly (readonly [string, string])[], v: string | undefined): string =>
	v !== undefined && list.some(([x]) => x === v) ? v : "";

/** The browse query of a query string: unknown filter values read as "any". */
export function browseQuery(query: string): BrowseQuery {
	const params = parseQuery(query);
	const text = (key: string): string | undefined => {
		const v = params.get(key);
		return typeof v === "string" ? v : undefined;
	};
	const q: BrowseQuery = {
		q: (text("q") ?? "").trim().slice(0, MAX_SEARCH),
		type: valueIn(PACKAGE_TYPES, text("type")),
		transport: valueIn(TRANSPORTS, text("transport")),
		status: valueIn(STATUS_FILTERS, text("status")),
	};
	const cursor = text("cursor");
	if (cursor) q.cursor = cursor;
	return q;
}

export function createUi(settings: UiSettings, deps: UiDeps): Ui {
	const assets = buildAssets(settings.logo);
	const chrome: Chrome = {
		title: settings.title,
		assets: { css: assets.css, js: assets.js, icon: assets.icon },
		version: deps.version,
	};
	if (settings.organization) chrome.organization = settings.organization;
	if (assets.logo)
		chrome.logo = {
			href: assets.logo,
			alt: settings.organization ? `${settings.organization} logo` : `${settings.title} logo`,
		};
	const icons = { remoteIcons: settings.remoteIcons };
	const csp = [
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		`img-src 'self'${settings.remoteIcons ? " https:" : ""}`,
		"connect-src 'self'",
		"form-action 'self'",
		"base-uri 'none'",
		"frame-ancestors 'none'",
	].join("; ");
	const headers = {
		"Content-Security-Policy": csp,
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options": "DENY",
		"Referrer-Policy": "same-origin",
	};
	// A problem on a UI route (not a page) carries the pages' policy and framing rule too.
	const problem = (p: Problem): Reply =>
		problemReply({
			...p,
			headers: { "Content-Security-Policy": csp, "X-Frame-Options": "DENY", ...p.headers },
		});
	const html = (status: number, body: string, cacheControl: string): Reply => {
		const r = reply(status, body, HTML, cacheControl);
		r.headers = headers;
		return r;
	};
	const cached = (
		snapshot: Snapshot,
		key: string,
		tier: Tier,
		make: () => { body: string; keep: boolean } | Reply,
	): Reply =>
		deps.cacheFor(snapshot).get(key, tier, () => {
			const made = make();
			if ("status" in made) return { reply: made, keep: false };
			return { reply: html(200, made.body, deps.cacheControl), keep: made.keep };
		});
	const notFound = (name: string, version: string | undefined, deletedHint: boolean): Reply =>
		html(404, notFoundPage(chrome, name, version, deletedHint), "no-store");

	return {
		csp,
		browse(snapshot, query) {
			const q = browseQuery(query);
			const key = `ui\u0000browse\u0000${q.q}\u0000${q.type}\u0000${q.transport}\u0000${q.status}\u0000${q.cursor ?? ""}`;
			// A search is ad hoc, as in the API; the lists and their filters are bounded by the data.
			return cached(snapshot, key, q.q === "" ? "hot" : "adhoc", () => {
				const result = catalogOf(snapshot).page(q);
				const body = browsePage({ chrome, snapshot, query: q, result, icons });
				return { body, keep: result.items.length > 0 && !result.strayCursor };
			});
		},
		server(snapshot, params, query) {
			const name = pathParam(params[0] ?? "", "server name");
			if (typeof name !== "string") return problem(name);
			let version: string | undefined;
			if (params[1] !== undefined) {
				const v = pathParam(params[1], "version");
				if (typeof v !== "string") return problem(v);
				version = v;
			}
			const raw = parseQuery(query).get("include_deleted");
			const includeDeleted = typeof raw === "string" && parseBool(raw) === true;
			const key = `ui\u0000server\u0000${name}\u0000${version ?? ""}\u0000${includeDeleted}`;
			return cached(snapshot, key, "hot", () => {
				const i = snapshot.find(name, version ?? "latest", includeDeleted);
				if (i === undefined) {
					const deleted = !includeDeleted && snapshot.find(name, version ?? "latest", true) !== undefined;
					return notFound(name, version, deleted);
				}
				const versions = snapshot.versions(name, includeDeleted) ?? [i];
				const all = includeDeleted
					? versions.length
					: (snapshot.versions(name, true)?.length ?? versions.length);
				const visible = includeDeleted ? (snapshot.versions(name, false)?.length ?? 0) : versions.length;
				const body = serverPage({
					chrome,
					snapshot,
					index: i,
					versions,
					includeDeleted,
					deletedCount: all - visible,
					versionAsked: version !== undefined,
					icons,
				});
				return { body, keep: true };
			});
		},
		asset(name) {
			return assets.get(name) ?? problem({ status: 404, detail: ENDPOINT_NOT_FOUND });
		},
	};
}
