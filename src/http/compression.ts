/**
 * Compression negotiation: which content coding a reply goes out in for a request's
 * Accept-Encoding (br, then gzip), and the compressed bytes, made on first use and kept with
 * the reply (so a cached reply is compressed once per coding).
 */
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Reply } from "./respond.ts";

export type Coding = "br" | "gzip";

/** Smaller bodies are not worth compressing. */
export const COMPRESS_MIN = 1024;

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

/** A body of a textual type: it may be compressed, so the answer varies on Accept-Encoding. */
export function isCompressible(r: Reply): boolean {
	return r.type !== undefined && /json|yaml|html|text|javascript/.test(r.type) && r.body !== null;
}

/** Whether Accept-Encoding decides how `r` goes out: only 200s of at least COMPRESS_MIN bytes are compressed. */
export function isNegotiated(r: Reply): boolean {
	return isCompressible(r) && r.status === 200 && (r.body as Uint8Array).byteLength >= COMPRESS_MIN;
}

/** The coding `r` goes out in for `req`. */
export function codingFor(req: Request, r: Reply): Coding | undefined {
	return isNegotiated(r) ? negotiateEncoding(req.headers.get("accept-encoding")) : undefined;
}

/** The body of `r` in `coding`: compressed on first use, then kept with the reply. */
export function compressed(r: Reply, coding: Coding): Uint8Array {
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
	r.onEncoded?.(bytes.byteLength);
	return bytes;
}
