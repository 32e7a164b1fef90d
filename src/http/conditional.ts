/**
 * Conditional GET: a strong ETag per body (and per content coding of it), and If-None-Match
 * answered with 304 when it names the body in any coding.
 */
import { createHash } from "node:crypto";
import type { Coding } from "./compression.ts";
import type { Reply } from "./respond.ts";

/** The opaque strong validator of a body (without quotes). */
export function etagOf(body: Uint8Array): string {
	return createHash("sha256").update(body).digest("base64url").slice(0, 27);
}

/** The ETag header of a reply's tag as sent in `coding`: each coding is its own representation. */
export function etagHeader(etag: string, coding: Coding | undefined): string {
	return `"${coding ? `${etag}-${coding}` : etag}"`;
}

/** If-None-Match against our tag; weak comparison as RFC 9110 asks, any coding of the same body. */
export function matchesEtag(header: string | null, etag: string): boolean {
	if (!header) return false;
	if (header.trim() === "*") return true;
	for (const raw of header.split(",")) {
		let tag = raw.trim();
		if (tag.startsWith("W/")) tag = tag.slice(2);
		if (!tag.startsWith('"') || !tag.endsWith('"')) continue;
		const opaque = tag.slice(1, -1);
		if (opaque === etag || opaque === `${etag}-gzip` || opaque === `${etag}-br`) return true;
	}
	return false;
}

/** Whether the client already has this reply's body: it has a tag and If-None-Match names it. */
export function isNotModified(req: Request, r: Reply): boolean {
	return r.etag !== undefined && matchesEtag(req.headers.get("if-none-match"), r.etag);
}
