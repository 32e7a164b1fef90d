/**
 * Reply → Response: the header rules every route shares (CORS, strong ETags and 304s,
 * Cache-Control, content negotiation for compression). Handlers only say what to send.
 */
import { createHash } from "node:crypto";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
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
}

const encoder = new TextEncoder();
export const JSON_TYPE = "application/json";
export const PROBLEM_TYPE = "application/problem+json";
export const NO_STORE = "no-store";

/** Smaller bodies are not worth compressing. */
const COMPRESS_MIN = 1024;

export const CORS_HEADERS = {
	"Access-Control-Allow-Origin": "*",
	"Access-Control-Expose-Headers": "Content-Type, Content-Length, ETag",
};

export function etagOf(body: Uint8Array): string {
	return createHash("sha256").update(body).digest("base64url").slice(0, 27);
}

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

type Coding = "br" | "gzip";

/** The content coding to use for an Accept-Encoding header: br, then gzip, honouring q=0. */
export function negotiateEncoding(header: string | null): Coding | undefined {
	if (!header) return undefined;
	const q = new Map<string, number>();
	for (const part of header.split(",")) {
		const [token, ...params] = part.trim().toLowerCase().split(";");
		if (!token) continue;
		let weight = 1;
		for (const p of params) {
			const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
			if (m) weight = Number(m[1]);
		}
		q.set(token, Number.isNaN(weight) ? 0 : weight);
	}
	const star = q.get("*");
	const weight = (c: string) => q.get(c) ?? star ?? 0;
	const br = weight("br");
	const gzip = Math.max(weight("gzip"), q.get("x-gzip") ?? 0);
	if (br > 0 && br >= gzip) return "br";
	if (gzip > 0) return "gzip";
	return undefined;
}

function compress(r: Reply, coding: Coding): Uint8Array {
	r.encoded ??= {};
	const done = r.encoded[coding];
	if (done) return done;
	const body = r.body as Uint8Array;
	const out =
		coding === "gzip"
			? gzipSync(body, { level: 6 })
			: brotliCompressSync(body, {
					params: {
						[constants.BROTLI_PARAM_QUALITY]: 5,
						[constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
					},
				});
	const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
	r.encoded[coding] = bytes;
	return bytes;
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

function isCompressible(type: string | undefined): boolean {
	return type !== undefined && /json|yaml|html|text|javascript/.test(type);
}

export function toResponse(req: Request, r: Reply): Response {
	const headers: Record<string, string> = { ...CORS_HEADERS, "Cache-Control": r.cacheControl };
	if (r.headers) Object.assign(headers, r.headers);
	const compressible = isCompressible(r.type) && r.body !== null;
	if (compressible) headers.Vary = "Accept-Encoding";
	const coding =
		compressible && r.status === 200 && (r.body as Uint8Array).byteLength >= COMPRESS_MIN
			? negotiateEncoding(req.headers.get("accept-encoding"))
			: undefined;
	if (r.etag !== undefined) {
		headers.ETag = `"${coding ? `${r.etag}-${coding}` : r.etag}"`;
		if (matchesEtag(req.headers.get("if-none-match"), r.etag)) {
			return new Response(null, { status: 304, headers });
		}
	}
	if (r.body === null) return new Response(null, { status: r.status, headers });
	if (r.type) headers["Content-Type"] = r.type;
	let body = r.body;
	if (coding) {
		body = compress(r, coding);
		headers["Content-Encoding"] = coding;
	}
	return new Response(body, { status: r.status, headers });
}
