/**
 * Request parameters: path segments (percent-decoded, twice for double-encoding clients),
 * form-decoded query strings, and pagination cursors.
 */
import { parseBool } from "../bool.ts";
import type { Position } from "../registry/snapshot.ts";
import { parseTimestamp } from "../registry/time.ts";
import type { Problem, ProblemItem } from "./problem.ts";

const ESCAPE = /%[0-9A-Fa-f]{2}/;

function badEscape(raw: string): string {
	const m = /%(?![0-9A-Fa-f]{2})[^%]{0,2}/.exec(raw);
	return m ? `invalid URL escape ${JSON.stringify(m[0])}` : "invalid UTF-8 in URL escape";
}

/** Decodes a path segment; decodes again when the result still holds an escape. */
export function decodePathParam(raw: string): { value: string } | { error: string } {
	let once: string;
	try {
		once = decodeURIComponent(raw);
	} catch {
		return { error: badEscape(raw) };
	}
	if (!ESCAPE.test(once)) return { value: once };
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

/** A cursor for "after this entry": base64url of `name:version`, URL-safe as it is. */
export function encodeCursor(name: string, version: string): string {
	return base64url(`${name}:${version}`);
}

/**
 * Reads a cursor: ours (base64url of `name:version`), the upstream `name:version`, or a bare
 * name. Server names always contain `/`, which base64url never does, so the forms cannot clash.
 */
export function decodeCursor(cursor: string): Position | undefined {
	if (cursor.includes("/")) {
		const colon = cursor.indexOf(":");
		return colon < 0 ? { name: cursor } : { name: cursor.slice(0, colon), version: cursor.slice(colon + 1) };
	}
	if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
	const bytes = Buffer.from(cursor, "base64url");
	let text: string;
	try {
		text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
	} catch {
		return undefined;
	}
	const colon = text.indexOf(":");
	if (colon < 0 || !text.slice(0, colon).includes("/") || base64url(text) !== cursor) return undefined;
	return { name: text.slice(0, colon), version: text.slice(colon + 1) };
}

export interface ListParams {
	limit: number;
	cursor?: Position;
	search?: string;
	version?: string;
	updatedSince?: string;
	includeDeleted: boolean;
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
	const rawCursor = given(query, "cursor", errors);
	if (rawCursor !== undefined) {
		cursor = decodeCursor(rawCursor);
		if (!cursor) errors.push({ message: "invalid cursor", location: "query.cursor", value: rawCursor });
	}
	const includeDeleted = parseIncludeDeleted(query, errors);
	const search = given(query, "search", errors)
		?.replaceAll("\u0000", "")
		.replaceAll("\u0001", "")
		.toLowerCase();
	const version = given(query, "version", errors);
	const rawSince = given(query, "updated_since", errors);
	if (errors.length > 0) return validationFailed(errors);

	let updatedSince: string | undefined;
	if (rawSince !== undefined) {
		const t = parseTimestamp(rawSince);
		if (!t) return { status: 400, detail: UPDATED_SINCE_DETAIL };
		if (includeDeleted === false) return { status: 400, detail: DELETED_CONFLICT_DETAIL };
		updatedSince = t.key;
	}
	return {
		limit,
		cursor,
		search: search || undefined,
		version,
		updatedSince,
		includeDeleted: updatedSince !== undefined ? true : (includeDeleted ?? false),
	};
}
