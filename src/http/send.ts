/**
 * Reply → Response: the header rules every answer shares, composed in order: CORS headers and
 * Cache-Control (cors.ts), the content coding (compression.ts), the ETag and a 304
 * (conditional.ts). Handlers and stages only say what to send.
 */
import { codingFor, compressed, isCompressible } from "./compression.ts";
import { etagHeader, isNotModified } from "./conditional.ts";
import { CORS_HEADERS } from "./cors.ts";
import type { Reply } from "./respond.ts";

export function toResponse(req: Request, r: Reply): Response {
	const headers: Record<string, string> = { ...CORS_HEADERS, "Cache-Control": r.cacheControl };
	if (r.headers) Object.assign(headers, r.headers);
	if (isCompressible(r)) headers.Vary = "Accept-Encoding";
	const coding = codingFor(req, r);
	if (r.etag !== undefined) {
		headers.ETag = etagHeader(r.etag, coding);
		if (isNotModified(req, r)) return new Response(null, { status: 304, headers });
	}
	if (r.body === null) return new Response(null, { status: r.status, headers });
	if (r.type) headers["Content-Type"] = r.type;
	if (!coding) return new Response(r.body, { status: r.status, headers });
	headers["Content-Encoding"] = coding;
	return new Response(compressed(r, coding), { status: r.status, headers });
}
