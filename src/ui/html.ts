/**
 * HTML building blocks for the web UI: escaping (every string that comes from the data goes
 * through `esc`), the links the data may give (only http and https become links), paths of the
 * UI's pages, and the monogram that stands in for a server's icon.
 */

const ESCAPES: Record<string, string> = {
	"&": "&amp;",
	"<": "&lt;",
	">": "&gt;",
	'"': "&quot;",
	"'": "&#39;",
};

/** What esc replaces: the markup characters, and the C0 controls but tab and newlines (U+FFFD). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
const UNSAFE = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Text or an attribute value, escaped for HTML (also inside a quoted attribute). */
export function esc(value: unknown): string {
	return String(value).replace(UNSAFE, (c) => ESCAPES[c] ?? "\ufffd");
}

/** An absolute http(s) URL, normalised; undefined for anything else (`javascript:`, `data:`, relative). */
export function safeHttpUrl(value: unknown): string | undefined {
	if (typeof value !== "string" || value.length > 2048) return undefined;
	try {
		const u = new URL(value);
		return u.protocol === "https:" || u.protocol === "http:" ? u.href : undefined;
	} catch {
		return undefined;
	}
}

/** An external link (a new context, no referrer), or the text alone when the URL is not http(s). */
export function externalLink(url: unknown, label: string): string {
	const href = safeHttpUrl(url);
	if (!href) return `<span class="unlinked">${esc(label)}</span>`;
	return `<a href="${esc(href)}" rel="noopener noreferrer nofollow" target="_blank">${esc(label)}<span class="sr-only"> (opens in a new tab)</span></a>`;
}

/** The UI page of a server, its name percent-encoded in one segment (as in the API). */
export function serverPath(name: string, version?: string): string {
	const base = `/servers/${encodeURIComponent(name)}`;
	return version === undefined ? base : `${base}/versions/${encodeURIComponent(version)}`;
}

/** The API URL of one version (the raw JSON). */
export function apiPath(name: string, version: string): string {
	return `/v0.1/servers/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`;
}

/** A query string from pairs, empty values left out; "" when nothing is left. */
export function queryString(pairs: [string, string | undefined][]): string {
	const q = new URLSearchParams();
	for (const [k, v] of pairs) if (v !== undefined && v !== "") q.set(k, v);
	const s = q.toString();
	return s === "" ? "" : `?${s}`;
}

/** How many monogram colours the stylesheet has (`.hue-0` …). */
export const HUES = 10;

/** FNV-1a: a stable small hash of a name, for its monogram colour. */
function hash(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

/** One or two letters for a server: the initials of its title or of the name's last part. */
export function initials(name: string, title?: string): string {
	const source = title?.trim() || name.slice(name.indexOf("/") + 1) || name;
	const words = source.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== "");
	const first = (w: string | undefined) => (w ? (Array.from(w)[0] ?? "") : "");
	const letters =
		words.length >= 2
			? first(words[0]) + first(words[1])
			: Array.from(words[0] ?? "?")
					.slice(0, 2)
					.join("");
	return letters.toUpperCase() || "?";
}

/** The generated icon of a server: its initials on a colour of its own (no request for an image). */
export function monogram(name: string, title: string | undefined, size: "sm" | "lg" = "sm"): string {
	return `<span class="mono mono-${size} hue-${hash(name) % HUES}" aria-hidden="true">${esc(initials(name, title))}</span>`;
}

/** A date (YYYY-MM-DD) of an RFC 3339 timestamp, in a <time> element; "" without one. */
export function dateTag(iso: string | undefined): string {
	if (!iso || !/^\d{4}-\d{2}-\d{2}T/.test(iso)) return "";
	return `<time datetime="${esc(iso)}">${esc(iso.slice(0, 10))}</time>`;
}

/** A number with thousands separators (1,234). */
export function count(n: number): string {
	return n.toLocaleString("en-US");
}

export const plural = (n: number, one: string, many: string): string => `${count(n)} ${n === 1 ? one : many}`;
