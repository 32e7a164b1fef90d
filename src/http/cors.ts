/**
 * CORS: the headers every answer carries (any origin may read this public, read-only API), and
 * the preflight stage, which answers an OPTIONS carrying Access-Control-Request-Method itself,
 * before routing, on any path.
 */
import type { Stage } from "./pipeline.ts";
import { NO_STORE, type Reply } from "./respond.ts";

export const CORS_HEADERS = {
	"Access-Control-Allow-Origin": "*",
	"Access-Control-Expose-Headers": "Content-Type, Content-Length, ETag",
};

export function isPreflight(req: Request): boolean {
	return req.method === "OPTIONS" && req.headers.has("access-control-request-method");
}

/** 204: every method, the request headers asked for (or the usual two), cached for a day. */
export function preflightReply(req: Request): Reply {
	const requested = req.headers.get("access-control-request-headers");
	return {
		status: 204,
		body: null,
		cacheControl: NO_STORE,
		headers: {
			"Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
			"Access-Control-Allow-Headers": requested?.trim() ? requested : "Authorization, Content-Type",
			"Access-Control-Max-Age": "86400",
			Vary: "Access-Control-Request-Headers",
		},
	};
}

export const corsPreflight: Stage = (r, next) =>
	isPreflight(r.req) ? { template: "preflight", reply: preflightReply(r.req) } : next(r);
