/**
 * S3 GetObject, streamed into a caller's sink: never buffered whole, refused past a byte limit,
 * its length, S3 checksum and (single-part) ETag MD5 verified at the end. PutObject of bytes in
 * hand, with their SHA-256 as S3 checksum and signed payload hash, conditional on an ETag
 * (If-Match) or on no object being there (If-None-Match: *). Region redirects (301/307/400 with
 * x-amz-bucket-region) are followed once and remembered per bucket.
 */
import { createHash } from "node:crypto";
import {
	CHECKSUM_ALGORITHMS,
	type ChecksumAlgorithm,
	checksumDigest,
	type Digest,
	md5Hex,
} from "./checksums.ts";
import { endpointOverride, s3ObjectUrl } from "./endpoints.ts";
import { AwsError, classify, retryAfterMs, xmlText } from "./errors.ts";
import type { AwsHttp, AwsRequest, SentResponse } from "./signed-fetch.ts";

export interface GetObjectRequest {
	bucket: string;
	key: string;
	/** The bucket's region when the caller knows it (from the message); else remembered or fallback. */
	region?: string;
	versionId?: string;
	/** An ETag (quoted or not): an unchanged object answers 304 → `notModified`. */
	ifNoneMatch?: string;
	/** Refuse objects larger than this many bytes. */
	maxBytes?: number;
	signal?: AbortSignal;
	/** Abort when no body bytes arrive for this long (default 60 s). */
	idleTimeoutMs?: number;
}

export interface ObjectSink {
	write(chunk: Uint8Array): void | Promise<void>;
}

export type GetObjectResult =
	| { notModified: true; etag?: string }
	| {
			notModified: false;
			bytes: number;
			etag?: string;
			versionId?: string;
			lastModified?: string;
			/** The S3 checksum verified, if S3 sent one that applies to the whole object. */
			checksum?: ChecksumAlgorithm;
			md5Verified: boolean;
	  };

export interface S3ClientOptions {
	http: AwsHttp;
	env: Record<string, string | undefined>;
	fallbackRegion: () => Promise<string>;
	forcePathStyle?: boolean;
}

export interface PutObjectRequest {
	bucket: string;
	key: string;
	/** The bucket's region when the caller knows it; else remembered or fallback. */
	region?: string;
	body: Uint8Array;
	contentType?: string;
	/** Write only if the object's ETag is this one (quoted or not): else 412 PreconditionFailed. */
	ifMatch?: string;
	/** "*": write only if there is no object at the key: else 412 PreconditionFailed. */
	ifNoneMatch?: "*";
	signal?: AbortSignal;
	/** The body's SHA-256 and MD5 (hex) when the caller has them already: not computed again. */
	digests?: { sha256: string; md5: string };
}

export interface PutObjectResult {
	/** As S3 sends it, quoted. */
	etag?: string;
	/** Set when the bucket is versioned. */
	versionId?: string;
	/** The base64 SHA-256 sent as x-amz-checksum-sha256 (and echoed by S3). */
	checksumSha256: string;
	bytes: number;
}

/** Reads an S3 XML error answer (or a bodiless one) into an AwsError. */
export async function parseS3Error(res: Response, what: string, operation = "GetObject"): Promise<AwsError> {
	const text = await res.text().catch(() => "");
	const code =
		xmlText(text, "Code") ??
		(res.status === 404 ? "NotFound" : res.status === 412 ? "PreconditionFailed" : `HTTP${res.status}`);
	const message = xmlText(text, "Message") ?? res.statusText;
	const c = classify(res.status, [code]);
	return new AwsError(`S3 ${operation} ${what}: ${code}: ${message}`, {
		service: "s3",
		code,
		status: res.status,
		...c,
		requestId: res.headers.get("x-amz-request-id") ?? xmlText(text, "RequestId"),
		retryAfterMs: retryAfterMs(res.headers),
	});
}

/** An ETag as a header carries it: quoted (a weak one as it is). */
export const quoteEtag = (etag: string) =>
	etag.startsWith('"') || etag.startsWith("W/") ? etag : `"${etag}"`;

/** SSE-KMS and SSE-C objects have ETags that are not the MD5 of their bytes. */
function encryptedWithKey(h: Headers): boolean {
	return (
		/aws:kms/.test(h.get("x-amz-server-side-encryption") ?? "") ||
		h.has("x-amz-server-side-encryption-customer-algorithm")
	);
}

/** The answer's ETag is the MD5 of the object's bytes: a single-part object, not encrypted with a key. */
function isMd5Etag(etag: string | undefined, h: Headers): etag is string {
	return etag !== undefined && /^"?[0-9a-f]{32}"?$/i.test(etag) && !encryptedWithKey(h);
}

/** The region a redirect names: S3 answers 301, 307 or 400 with x-amz-bucket-region. */
function redirectRegion(res: Response): string | undefined {
	if (![301, 307, 400].includes(res.status)) return undefined;
	return res.headers.get("x-amz-bucket-region") ?? undefined;
}

export class S3Client {
	private readonly bucketRegions = new Map<string, string>();

	constructor(private readonly options: S3ClientOptions) {}

	/** The region remembered for a bucket after a redirect. */
	regionOf(bucket: string): string | undefined {
		return this.bucketRegions.get(bucket);
	}

	/**
	 * Sends `request` signed for the bucket's region; a redirect naming another region is
	 * followed once (re-signed for it) and the region remembered for the bucket.
	 */
	private async sendToBucket(
		bucket: string,
		regionHint: string | undefined,
		operation: string,
		what: string,
		request: (region: string) => Promise<SentResponse>,
	): Promise<SentResponse> {
		let region = regionHint ?? this.bucketRegions.get(bucket) ?? (await this.options.fallbackRegion());
		let sent = await request(region);
		const next = redirectRegion(sent.response);
		if (next === undefined) return sent;
		// Sent to the region it names already: not a redirect to follow; report S3's own error.
		if (next === region) throw await parseS3Error(sent.response, what, operation);
		await sent.response.body?.cancel();
		this.bucketRegions.set(bucket, next);
		region = next;
		sent = await request(region);
		if (redirectRegion(sent.response) !== undefined) {
			await sent.response.body?.cancel();
			throw new AwsError(`S3 ${operation} ${what}: redirected again after following a region redirect`, {
				service: "s3",
				code: "PermanentRedirect",
				status: sent.response.status,
				retryable: false,
			});
		}
		return sent;
	}

	private objectUrl(r: { bucket: string; key: string; versionId?: string }, region: string): string {
		return s3ObjectUrl({
			bucket: r.bucket,
			key: r.key,
			region,
			versionId: r.versionId,
			endpoint: endpointOverride("s3", this.options.env),
			forcePathStyle: this.options.forcePathStyle,
		});
	}

	private request(r: GetObjectRequest, region: string): Promise<SentResponse> {
		const headers: Record<string, string> = { "x-amz-checksum-mode": "ENABLED" };
		if (r.ifNoneMatch) headers["if-none-match"] = quoteEtag(r.ifNoneMatch);
		return this.options.http.send({
			service: "s3",
			region,
			method: "GET",
			url: this.objectUrl(r, region),
			headers,
			signal: r.signal,
			passThrough: (res) => res.status === 304 || redirectRegion(res) !== undefined,
			parseError: (res) => parseS3Error(res, `s3://${r.bucket}/${r.key}`),
		});
	}

	async getObject(r: GetObjectRequest, sink: ObjectSink): Promise<GetObjectResult> {
		const what = `s3://${r.bucket}/${r.key}`;
		const sent = await this.sendToBucket(r.bucket, r.region, "GetObject", what, (region) =>
			this.request(r, region),
		);
		const res = sent.response;
		const etag = res.headers.get("etag") ?? undefined;
		if (res.status === 304) {
			await res.body?.cancel();
			return { notModified: true, etag: etag ?? r.ifNoneMatch };
		}
		return this.stream(r, sent, sink, what);
	}

	/**
	 * Uploads `body` in one PutObject. The SHA-256 of the bytes goes as x-amz-checksum-sha256 (S3
	 * refuses bytes that do not match it) and as the signed payload hash. A failed condition is an
	 * AwsError with status 412 (code PreconditionFailed), never retried. S3's answer is checked:
	 * an echoed checksum must be ours, and a plain MD5 ETag the MD5 of the bytes.
	 */
	async putObject(r: PutObjectRequest): Promise<PutObjectResult> {
		const what = `s3://${r.bucket}/${r.key}`;
		const sha256 = r.digests
			? Buffer.from(r.digests.sha256, "hex")
			: createHash("sha256").update(r.body).digest();
		const checksumSha256 = sha256.toString("base64");
		const headers: Record<string, string> = {
			"content-type": r.contentType ?? "application/octet-stream",
			"x-amz-content-sha256": sha256.toString("hex"),
			"x-amz-checksum-sha256": checksumSha256,
			// The SDK names the algorithm too; S3 checks the value either way.
			"x-amz-sdk-checksum-algorithm": "SHA256",
		};
		if (r.ifMatch !== undefined) headers["if-match"] = quoteEtag(r.ifMatch);
		if (r.ifNoneMatch !== undefined) headers["if-none-match"] = r.ifNoneMatch;
		const send = (region: string) => {
			const req: AwsRequest = {
				service: "s3",
				region,
				method: "PUT",
				url: this.objectUrl(r, region),
				headers,
				body: r.body,
				signal: r.signal,
				passThrough: (res) => redirectRegion(res) !== undefined,
				parseError: (res) => parseS3Error(res, what, "PutObject"),
			};
			return this.options.http.send(req);
		};
		const sent = await this.sendToBucket(r.bucket, r.region, "PutObject", what, send);
		const res = sent.response;
		await res.body?.cancel();
		const h = res.headers;
		const fail = (message: string) =>
			new AwsError(`S3 PutObject ${what}: ${message}`, {
				service: "s3",
				code: "ChecksumMismatch",
				status: res.status,
				retryable: false,
			});
		const echoed = h.get("x-amz-checksum-sha256");
		if (echoed !== null && echoed !== checksumSha256) {
			throw fail(`S3 answered x-amz-checksum-sha256 ${echoed}, but the bytes sent have ${checksumSha256}`);
		}
		const etag = h.get("etag") ?? undefined;
		if (isMd5Etag(etag, h)) {
			const md5 = r.digests?.md5 ?? createHash("md5").update(r.body).digest("hex");
			if (quoteEtag(etag).toLowerCase() !== `"${md5}"`) {
				throw fail(`the ETag ${etag} S3 answered is not the MD5 of the bytes sent (${md5})`);
			}
		}
		return {
			etag,
			versionId: h.get("x-amz-version-id") ?? undefined,
			checksumSha256,
			bytes: r.body.byteLength,
		};
	}

	private async stream(
		r: GetObjectRequest,
		sent: SentResponse,
		sink: ObjectSink,
		what: string,
	): Promise<GetObjectResult> {
		const res = sent.response;
		const h = res.headers;
		const fail = (code: string, message: string, retryable: boolean) =>
			new AwsError(`S3 GetObject ${what}: ${message}`, {
				service: "s3",
				code,
				status: res.status,
				retryable,
			});
		const lengthHeader = h.get("content-length");
		const expected = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
		if (r.maxBytes !== undefined && expected !== undefined && expected > r.maxBytes) {
			sent.abort();
			throw fail("ObjectTooLarge", `the object is ${expected} bytes, over the limit of ${r.maxBytes}`, false);
		}
		// Verify the strongest whole-object checksum S3 sent; composite (multipart) ones end in -N.
		let checksum: { algorithm: ChecksumAlgorithm; expected: string; digest: Digest } | undefined;
		for (const algorithm of CHECKSUM_ALGORITHMS) {
			const value = h.get(`x-amz-checksum-${algorithm}`);
			if (value && !/-\d+$/.test(value)) {
				checksum = { algorithm, expected: value, digest: checksumDigest(algorithm) };
				break;
			}
		}
		const etag = h.get("etag") ?? undefined;
		const md5 = isMd5Etag(etag, h) ? md5Hex() : undefined;

		let bytes = 0;
		const reader = res.body?.getReader();
		const idleMs = r.idleTimeoutMs ?? 60_000;
		// The caller's signal must reach the body too: a stop ends a stalled download at once.
		let onAbort: (() => void) | undefined;
		const aborted = new Promise<never>((_, reject) => {
			if (!r.signal) return;
			onAbort = () =>
				reject(r.signal?.reason ?? new DOMException("The operation was aborted.", "AbortError"));
			if (r.signal.aborted) onAbort();
			else r.signal.addEventListener("abort", onAbort, { once: true });
		});
		aborted.catch(() => {});
		try {
			while (reader) {
				let idle: ReturnType<typeof setTimeout> | undefined;
				const next = await Promise.race([
					reader.read(),
					aborted,
					new Promise<never>((_, reject) => {
						idle = setTimeout(() => reject(fail("TimeoutError", `no data for ${idleMs} ms`, true)), idleMs);
					}),
				]).finally(() => clearTimeout(idle));
				if (next.done) break;
				const chunk = next.value;
				bytes += chunk.byteLength;
				if (r.maxBytes !== undefined && bytes > r.maxBytes) {
					throw fail("ObjectTooLarge", `the object is over the limit of ${r.maxBytes} bytes`, false);
				}
				checksum?.digest.update(chunk);
				md5?.update(chunk);
				await sink.write(chunk);
			}
		} catch (err) {
			if (onAbort) r.signal?.removeEventListener("abort", onAbort);
			sent.abort(err);
			await reader?.cancel().catch(() => {});
			if (err instanceof AwsError) throw err;
			if (r.signal?.aborted) throw r.signal.reason ?? err;
			throw new AwsError(
				`S3 GetObject ${what}: the body broke off after ${bytes} bytes: ${(err as Error).message}`,
				{
					service: "s3",
					code: "IncompleteBody",
					status: res.status,
					retryable: true,
				},
				{ cause: err },
			);
		}
		if (onAbort) r.signal?.removeEventListener("abort", onAbort);
		if (expected !== undefined && bytes !== expected) {
			throw fail("IncompleteBody", `received ${bytes} bytes, Content-Length said ${expected}`, true);
		}
		if (checksum) {
			const got = checksum.digest.digest();
			if (got !== checksum.expected) {
				throw fail(
					"ChecksumMismatch",
					`x-amz-checksum-${checksum.algorithm} is ${checksum.expected} but the body's is ${got}`,
					true,
				);
			}
		}
		if (md5 && etag) {
			const got = md5.digest();
			if (`"${got}"` !== quoteEtag(etag).toLowerCase()) {
				throw fail("ChecksumMismatch", `the ETag ${etag} is not the MD5 of the body (${got})`, true);
			}
		}
		return {
			notModified: false,
			bytes,
			etag,
			versionId: h.get("x-amz-version-id") ?? undefined,
			lastModified: h.get("last-modified") ?? undefined,
			checksum: checksum?.algorithm,
			md5Verified: md5 !== undefined,
		};
	}
}
