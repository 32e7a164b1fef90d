/**
 * The browse page (`/`): the search box and filters (a plain GET form, so it works without
 * JavaScript), the number of servers that match, one page of them, and the links to the pages
 * before and after (the API's cursors).
 */
import type { Snapshot } from "../registry/snapshot.ts";
import type { BrowseQuery, BrowseResult } from "./catalog.ts";
import { PACKAGE_TYPES, STATUS_FILTERS, TRANSPORTS } from "./constants.ts";
import { count, esc, monogram, plural, queryString, safeHttpUrl, serverPath } from "./html.ts";
import { transportLabel } from "./install.ts";
import { type Chrome, page } from "./layout.ts";
import { readEntry, type ServerDoc } from "./server-json.ts";

/** How the page shows servers' icons: their own https icons (opted in), or monograms. */
export interface IconPolicy {
	remoteIcons: boolean;
}

/** The server's own https icon (the first fit for a light theme), when the operator opts in. */
export function iconOf(server: ServerDoc, policy: IconPolicy, size: "sm" | "lg"): string {
	if (policy.remoteIcons) {
		const icon = server.icons.find((i) => i.theme !== "dark" && safeHttpUrl(i.src)?.startsWith("https:"));
		const src = icon ? safeHttpUrl(icon.src) : undefined;
		if (src) {
			const px = size === "lg" ? 56 : 40;
			// The monogram follows, hidden: the script shows it instead of an icon that fails to load.
			const fallback = monogram(server.name, server.title, size).replace(
				"<span ",
				"<span hidden data-icon-fallback ",
			);
			return `<img class="icon icon-${size}" data-icon src="${esc(src)}" alt="" width="${px}" height="${px}" loading="lazy" decoding="async" referrerpolicy="no-referrer">${fallback}`;
		}
	}
	return monogram(server.name, server.title, size);
}

/** The short name shown for a server without a title: the part after the namespace. */
export const shortName = (name: string): string => name.slice(name.indexOf("/") + 1) || name;

const REGISTRY_TAGS: Record<string, string> = {
	npm: "npm",
	pypi: "PyPI",
	oci: "OCI",
	nuget: "NuGet",
	mcpb: "MCPB",
};

export function statusBadge(status: string): string {
	if (status === "active") return "";
	const cls = status === "deleted" ? "bad" : "warn";
	return `<span class="tag tag-${cls}">${esc(status)}</span>`;
}

/** The tags of a server: status (unless active), version, package types, transports. */
export function tags(server: ServerDoc, status: string): string {
	const out = [statusBadge(status), `<span class="tag tag-version">v${esc(server.version)}</span>`];
	const types = new Set(server.packages.map((p) => p.registryType));
	for (const t of types) out.push(`<span class="tag tag-type">${esc(REGISTRY_TAGS[t] ?? t)}</span>`);
	const transports = new Set([
		...server.packages.map((p) => p.transport.type),
		...server.remotes.map((r) => r.type),
	]);
	for (const t of transports) out.push(`<span class="tag tag-transport">${esc(transportLabel(t))}</span>`);
	return out.filter((s) => s !== "").join("");
}

function card(snapshot: Snapshot, i: number, policy: IconPolicy, withDeleted: boolean): string {
	const { server, official } = readEntry(snapshot.entry(i));
	const name = server.name;
	const display = server.title ?? shortName(name);
	const href =
		serverPath(name) + (official.status === "deleted" && withDeleted ? "?include_deleted=true" : "");
	return `<li class="card${official.status === "active" ? "" : ` card-${esc(official.status)}`}">
${iconOf(server, policy, "sm")}<div class="card-main">
<h2 class="card-title"><a href="${esc(href)}">${esc(display)}</a></h2>
<p class="card-name">${esc(name)}</p>
<p class="card-desc">${esc(server.description)}</p>
<p class="tags">${tags(server, official.status)}</p>
</div>
</li>`;
}

function options(list: readonly (readonly [string, string])[], selected: string, any?: string): string {
	const all = any === undefined ? list : [["", any] as const, ...list];
	return all
		.map(
			([v, label]) => `<option value="${esc(v)}"${v === selected ? " selected" : ""}>${esc(label)}</option>`,
		)
		.join("");
}

/** The URL of this query's page at `cursor` (undefined: the first page). */
export function browseHref(q: BrowseQuery, cursor?: string): string {
	return `/${queryString([
		["q", q.q],
		["type", q.type],
		["transport", q.transport],
		["status", q.status],
		["cursor", cursor],
	])}`;
}

function countText(q: BrowseQuery, r: BrowseResult): string {
	// A broad search is counted up to a bound: "1,000+ servers".
	const servers =
		r.start === undefined
			? "More servers"
			: r.exact
				? plural(r.total, "server", "servers")
				: r.total === 0
					? "No servers so far"
					: `${count(r.total)}+ servers`;
	const filtered = q.q !== "" || q.type !== "" || q.transport !== "" || q.status !== "";
	if (!filtered) return `${servers}`;
	return q.q !== "" ? `${servers} matching “${esc(q.q)}”` : `${servers} matching the filters`;
}

function pager(q: BrowseQuery, r: BrowseResult): string {
	if (r.start === 0 && r.next === undefined) return "";
	const prev =
		r.start === undefined
			? `<a class="pager-link" href="${esc(browseHref(q))}">← First page</a>`
			: r.prev === undefined
				? `<span class="pager-link" aria-hidden="true">← Previous</span>`
				: `<a class="pager-link" rel="prev" href="${esc(browseHref(q, r.prev === "" ? undefined : r.prev))}">← Previous</a>`;
	const next =
		r.next === undefined
			? `<span class="pager-link" aria-hidden="true">Next →</span>`
			: `<a class="pager-link" rel="next" href="${esc(browseHref(q, r.next))}">Next →</a>`;
	const position =
		r.start === undefined || r.items.length === 0
			? ""
			: `${count(r.start + 1)}–${count(r.start + r.items.length)} of ${count(r.total)}${r.exact ? "" : "+"}`;
	return `<nav class="pager" aria-label="Pages">${prev}<span class="pager-pos">${position}</span>${next}</nav>`;
}

export interface BrowseInput {
	chrome: Chrome;
	snapshot: Snapshot;
	query: BrowseQuery;
	result: BrowseResult;
	icons: IconPolicy;
}

export function browsePage({ chrome, snapshot, query: q, result: r, icons }: BrowseInput): string {
	const withDeleted = q.status === "deleted" || q.status === "all";
	const cards = r.items.map((i) => card(snapshot, i, icons, withDeleted)).join("\n");
	const list =
		r.items.length === 0
			? r.next !== undefined
				? `<div class="empty"><p><strong>None here yet.</strong></p><p>None of the servers this search looked at so far match the filters: <a href="${esc(browseHref(q, r.next))}">look further</a>, or <a href="/">clear the search and filters</a>.</p></div>`
				: `<div class="empty"><p><strong>No servers match.</strong></p><p>Try another search, or <a href="/">clear the search and filters</a>.</p></div>`
			: `<ol class="cards">\n${cards}\n</ol>`;
	const intro = chrome.organization
		? `Servers in the ${esc(chrome.organization)} registry, ready to add to VS Code, Claude Code, Claude Desktop or Cursor.`
		: "Find an MCP server and add it to VS Code, Claude Code, Claude Desktop or Cursor in one step.";
	const main = `<section class="hero" aria-labelledby="page-title">
<h1 id="page-title">Find an MCP server</h1>
<p class="sub">${intro}</p>
<form id="search" class="search" role="search" action="/" method="get">
<div class="search-box">
<svg class="search-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"><circle cx="11" cy="11" r="7" fill="none" stroke="currentColor" stroke-width="2"/><path d="m20 20-3.5-3.5" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>
<label class="sr-only" for="q">Search servers by name or description</label>
<input type="search" id="q" name="q" value="${esc(q.q)}" placeholder="Search by name or description" autocomplete="off" spellcheck="false" enterkeyhint="search">
<kbd class="kbd-hint" title="Press / to search">/</kbd>
</div>
<div class="filters">
<div class="field"><label for="f-type">Package type</label><select id="f-type" name="type">${options(PACKAGE_TYPES, q.type, "Any type")}</select></div>
<div class="field"><label for="f-transport">Transport</label><select id="f-transport" name="transport">${options(TRANSPORTS, q.transport, "Any transport")}</select></div>
<div class="field"><label for="f-status">Status</label><select id="f-status" name="status">${options(STATUS_FILTERS, q.status)}</select></div>
<button type="submit" class="btn btn-primary" data-nojs>Search</button>
</div>
</form>
</section>
<p id="count" class="count" role="status">${countText(q, r)}</p>
<div id="results" class="results">
${list}
${pager(q, r)}
</div>`;
	return page(chrome, {
		title: q.q !== "" ? `“${q.q}”` : undefined,
		description: "MCP servers: search, browse and install",
		main,
		section: "servers",
	});
}
