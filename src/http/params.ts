/**
 * Request parameters: path segments (percent-decoded, twice for double-encoding clients),
 * form-decoded query strings, and pagination cursors.
 */
import { parseBool } from "../bool.ts";
import type { Position } from "../registry/snapshot.ts";
import { parseTimestamp } from "../registry/time.ts";
import type { Problem, ProblemItem } from "./problem.ts";

function badEscape(raw: string): string {
	const m = /%(?![0-9A-Fa-f]{2})[^%]{0,2}/.exec(raw);
	return m ? `invalid URL escape ${JSON.stringify(m[0])}` : "invalid UTF-8 in URL escape";
}

/**
 * Decodes a path segment, and decodes the result once more when it still holds a `%` (as
 * upstream, which unescapes the routed parameter again): double-encoding clients work, and a
 * second decode that fails (`foo%25zz` → `foo%zz`) is an error.
 */
export function decodePathParam(raw: string): { value: string } | { error: string } {
	let once: string;
	try {
		once = decodeURIComponent(raw);
	} catch {
		return { error: badEscape(raw) };
	}
	if (!once.includes("%")) return { value: once };
	try {
		return { value: decodeURIComponent(once) };
	} catch {
		return { error: badEscape(once) };
	}
}

/**
 * Query parameters: the first occurrence wins; a key without `=` reads as "true" (as upstream);
 * `+` is a space. A value with a broken escape is kept as an error for its parameter.
 */
export function parseQuery(query: string): Map<string, string | { error: string }> {
	const out = new Map<string, string | { error: string }>();
	if (query === "") return out;
	for (const part of query.split("&")) {
		if (part === "") continue;
		const eq = part.indexOf("=");
		const rawKey = eq < 0 ? part : part.slice(0, eq);
		let key: string;
		try {
			key = decodeURIComponent(rawKey.replaceAll("+", " "));
		} catch {
			continue;
		}
		if (out.has(key)) continue;
		if (eq < 0) {
			out.set(key, "true");
			continue;
		}
		const rawValue = part.slice(eq + 1).replaceAll("+", " ");
		try {
			out.set(key, decodeURIComponent(rawValue));
		} catch {
			out.set(key, { error: badEscape(rawValue) });
		}
	}
	return out;
}

const base64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");

/** The list parameters a cursor carries: the query that produced it, in this order. */
export const CARRIED = ["search", "version", "updated_since", "include_deleted"] as const;
export type Carried = Partial<Record<(typeof CARRIED)[number], string>>;

/**
 * A cursor for "after this entry": base64url of `name:version`, URL-safe as it is; with the query
 * that produced it (`carried`), base64url of `name:version`, a newline and that query
 * form-encoded. A newline is never part of a name or version (control characters are refused).
 */
export function encodeCursor(name: string, version: string, carried: Carried = {}): string {
	const q = new URLSearchParams();
	for (const key of CARRIED) {
		const v = carried[key];
		if (v !== undefined) q.set(key, v);
	}
	const query = q.toString();
	return base64url(query === "" ? `${name}:${version}` : `${name}:${version}\n${query}`);
}

/** A position to list after, and the query a cursor of ours carried (empty for the other forms). */
export interface Cursor extends Position {
	carried: Carried;
}

/** One of our cursors, or undefined when `cursor` is not one. */
function ours(cursor: string): Cursor | undefined {
	if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
	const bytes = Buffer.from(cursor, "base64url");
	let text: string;
	try {
		text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
	} catch {
		return undefined;
	}
	if (base64url(text) !== cursor) return undefined;
	const nl = text.indexOf("\n");
	const head = nl < 0 ? text : text.slice(0, nl);
	const colon = head.indexOf(":");
	if (colon < 0 || !head.slice(0, colon).includes("/")) return undefined;
	const carried: Carried = {};
	if (nl >= 0) {
		const q = new URLSearchParams(text.slice(nl + 1));
		for (const key of CARRIED) {
			const v = q.get(key);
			if (v !== null && v !== "") carried[key] = v;
		}
	}
	return { name: head.slice(0, colon), version: head.slice(colon + 1), carried };
}

/**
 * Reads a cursor; every string is one, as upstream: ours (base64url, possibly carrying its
 * query), else the upstream `name:version` (split at the first `:`), else a bare name (items
 * with a greater name). Server names always contain `/`, which base64url never does, and ours
 * must decode to `name:version` exactly, so a string of the other forms is not taken for ours.
 */
export function decodeCursor(cursor: string): Cursor {
	const o = ours(cursor);
	if (o) return o;
	const colon = cursor.indexOf(":");
	return colon < 0
		? { name: cursor, carried: {} }
		: { name: cursor.slice(0, colon), version: cursor.slice(colon + 1), carried: {} };
}

export interface ListParams {
	limit: number;
	cursor?: Position;
	search?: string;
	version?: string;
	updatedSince?: string;
	includeDeleted: boolean;
	/** The query the next page's cursor carries: what was given, or carried by this cursor. */
	carried: Carried;
}

export const LIMIT_DEFAULT = 30;
export const LIMIT_MAX = 100;

const UPDATED_SINCE_DETAIL =
	"Invalid updated_since format: expected RFC3339 timestamp (e.g., 2025-08-07T13:15:04.280Z)";
const DELETED_CONFLICT_DETAIL =
	"Cannot set include_deleted=false when using updated_since (incremental sync requires deleted servers)";

type Query = Map<string, string | { error: string }>;

/** A given, non-empty value; undefined when absent or empty ("not given"). */
function given(query: Query, key: string, errors: ProblemItem[]): string | undefined {
	const v = query.get(key);
	if (v === undefined || v === "") return undefined;
	if (typeof v !== "string") {
		errors.push({ message: v.error, location: `query.${key}` });
		return undefined;
	}
	return v;
}

export function parseIncludeDeleted(query: Query, errors: ProblemItem[]): boolean | undefined {
	const raw = given(query, "include_deleted", errors);
	if (raw === undefined) return undefined;
	const b = parseBool(raw);
	if (b === undefined)
		errors.push({ message: "invalid boolean", location: "query.include_deleted", value: raw });
	return b;
}

export function validationFailed(errors: ProblemItem[]): Problem {
	return { status: 422, detail: "validation failed", errors };
}

/** The list route's parameters, or the problem that answers them. */
export function parseListParams(query: Query): ListParams | Problem {
	const errors: ProblemItem[] = [];
	let limit = LIMIT_DEFAULT;
	const rawLimit = given(query, "limit", errors);
	if (rawLimit !== undefined) {
		if (!/^[+-]?\d+$/.test(rawLimit)) {
			errors.push({ message: "invalid integer", location: "query.limit", value: rawLimit });
		} else {
			const n = Number(rawLimit);
			if (n < 1) errors.push({ message: "expected number >= 1", location: "query.limit", value: n });
			else if (n > LIMIT_MAX) {
				errors.push({ message: `expected number <= ${LIMIT_MAX}`, location: "query.limit", value: n });
			} else limit = n;
		}
	}
	let cursor: Position | undefined;
	let fromCursor: Carried = {};
	const rawCursor = given(query, "cursor", errors);
	if (rawCursor !== undefined) {
		const c = decodeCursor(rawCursor);
		cursor = positionOf(c);
		fromCursor = c.carried;
	}
	// A parameter the request gives wins; one it omits is the cursor's (VS Code drops `search`
	// on the pages after the first and sends only the cursor).
	const pick = (key: keyof Carried): string | undefined => given(query, key, errors) ?? fromCursor[key];
	const rawDeleted = pick("include_deleted");
	const includeDeleted = rawDeleted === undefined ? undefined : parseBool(rawDeleted);
	if (rawDeleted !== undefined && includeDeleted === undefined) {
		errors.push({ message: "invalid boolean", location: "query.include_deleted", value: rawDeleted });
	}
	const rawSearch = pick("search");
	const search = rawSearch === undefined ? undefined : searchTerm(rawSearch);
	const version = pick("version");
	const rawSince = pick("updated_since");
	if (errors.length > 0) return validationFailed(errors);

	let updatedSince: string | undefined;
	let sinceIso: string | undefined;
	if (rawSince !== undefined) {
		const t = parseTimestamp(rawSince);
		if (!t) return { status: 400, detail: UPDATED_SINCE_DETAIL };
		if (includeDeleted === false) return { status: 400, detail: DELETED_CONFLICT_DETAIL };
		updatedSince = t.key;
		sinceIso = t.iso;
	}
	const effectiveDeleted = updatedSince !== undefined ? true : (includeDeleted ?? false);
	// The query in effect, in one spelling: two requests that list the same page (and share its
	// cached answer) hand out the same cursor, whatever defaults one spelled out.
	const carried: Carried = {};
	if (search) carried.search = search;
	if (version !== undefined) carried.version = version;
	if (sinceIso !== undefined) carried.updated_since = sinceIso;
	else if (effectiveDeleted) carried.include_deleted = "true";
	return {
		limit,
		cursor,
		search: search || undefined,
		version,
		updatedSince,
		includeDeleted: effectiveDeleted,
		carried,
	};
}

/**
 * A search term as the snapshot's list takes it: lower-cased, without the two characters that
 * separate the search text (no name or description holds them).
 */
export function searchTerm(raw: string): string {
	return raw.replaceAll("\u0000", "").replaceAll("\u0001", "").toLowerCase();
}

/** Where a decoded cursor points: after that name (and version, when it has one). */
export function positionOf(c: { name: string; version?: string }): Position {
	return c.version === undefined ? { name: c.name } : { name: c.name, version: c.version };
}

/** A path parameter decoded, or the 400 that says which one is badly encoded. */
export function pathParam(raw: string, what: "server name" | "version"): string | Problem {
	const d = decodePathParam(raw);
	if ("value" in d) return d.value;
	return { status: 400, detail: `Invalid ${what} encoding`, errors: [{ message: d.error }] };
}
