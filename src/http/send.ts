/**
 * Reply → Response: the header rules every answer shares, composed in order: CORS headers and
 * Cache-Control (cors.ts), the content coding (compression.ts), the ETag and a 304
 * (conditional.ts). Handlers and stages only say what to send.
 */
import { type Coding, codingFor, compressed, isCompressible } from "./compression.ts";
import { etagHeader, isNotModified } from "./conditional.ts";
import { CORS_HEADERS } from "./cors.ts";
import type { Reply } from "./respond.ts";

/** What goes out for a reply: status, headers and body, before they become a Response. */
export interface Parts {
	status: number;
	headers: Record<string, string>;
	body: Uint8Array | null;
}

/**
 * The parts of `r` as sent in `coding` (undefined: as it is), or as a 304 when `notModified`.
 * A reply's parts depend on nothing else, so a cached reply's parts can be built once (front.ts).
 */
export function replyParts(r: Reply, coding: Coding | undefined, notModified: boolean): Parts {
	const headers: Record<string, string> = { ...CORS_HEADERS, "Cache-Control": r.cacheControl };
	if (r.headers) Object.assign(headers, r.headers);
	if (isCompressible(r)) headers.Vary = "Accept-Encoding";
	if (r.etag !== undefined) {
		headers.ETag = etagHeader(r.etag, coding);
		if (notModified) return { status: 304, headers, body: null };
	}
	if (r.body === null) return { status: r.status, headers, body: null };
	if (r.type) headers["Content-Type"] = r.type;
	if (!coding) return { status: r.status, headers, body: r.body };
	headers["Content-Encoding"] = coding;
	return { status: r.status, headers, body: compressed(r, coding) };
}

export function toResponse(req: Request, r: Reply): Response {
	const p = replyParts(r, codingFor(req, r), isNotModified(req, r));
	return new Response(p.body, { status: p.status, headers: p.headers });
}
