/**
 * Reply: what a handler says to send (status, bytes, type, ETag, Cache-Control, headers), and
 * the ways to make one. send.ts turns it into a Response by the rules every route shares.
 */
import { etagOf } from "./conditional.ts";
import { type Problem, problemBody } from "./problem.ts";

export interface Reply {
	status: number;
	body: Uint8Array | null;
	type?: string;
	/** Opaque strong validator of `body` (without quotes); set on 200s. */
	etag?: string;
	cacheControl: string;
	headers?: Record<string, string>;
	/** Compressed bodies, made on first use and kept with the reply (cached replies keep them). */
	encoded?: { gzip?: Uint8Array; br?: Uint8Array };
	/** Told the size of each compressed body kept with the reply (the cache counts them). */
	onEncoded?: (bytes: number) => void;
	/**
	 * Kept where more requests will find it (a cache, or a reply made once at start-up): what it
	 * sends may be kept ready too (front.ts), for as long as it is not `dropped`.
	 */
	shared?: boolean;
	/** Let go by the cache that kept it: whatever keeps its parts lets go of them too. */
	dropped?: boolean;
	/** Sent again without asking its cache (front.ts): the cache counts that as a recent use. */
	used?: boolean;
}

const encoder = new TextEncoder();
export const JSON_TYPE = "application/json";
export const PROBLEM_TYPE = "application/problem+json";
export const NO_STORE = "no-store";

export function reply(status: number, body: Uint8Array | string, type: string, cacheControl: string): Reply {
	const bytes = typeof body === "string" ? encoder.encode(body) : body;
	return { status, body: bytes, type, cacheControl, etag: status === 200 ? etagOf(bytes) : undefined };
}

export function jsonReply(value: unknown, cacheControl: string): Reply {
	return reply(200, `${JSON.stringify(value)}\n`, JSON_TYPE, cacheControl);
}

export function problemReply(p: Problem): Reply {
	return {
		status: p.status,
		body: encoder.encode(problemBody(p)),
		type: PROBLEM_TYPE,
		cacheControl: NO_STORE,
		headers: p.headers,
	};
}
