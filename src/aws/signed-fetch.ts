/**
 * Signed requests with the AWS SDK's "standard" retry mode: up to 3 attempts for throttling,
 * transient 5xx and network errors; full-jitter backoff (50 ms base, 1 s for throttling, 20 s
 * cap); Retry-After hints honoured; a retry quota; re-signed on every attempt with the current
 * credentials. aws4fetch signs; its own retries are not used. Redirects are never followed.
 * Payloads are signed: S3 requests carry x-amz-content-sha256, the hex SHA-256 of the body (of
 * the empty body when there is none), never UNSIGNED-PAYLOAD; other services hash it in the
 * signature as SigV4 does.
 */
import { createHash } from "node:crypto";
import { AwsV4Signer } from "aws4fetch";
import { abortError, backoffDelay, sleep } from "../backoff.ts";
import type { CredentialProvider } from "./credentials.ts";
import { AwsError } from "./errors.ts";

export interface AwsRequest {
	service: string;
	region: string;
	method: "GET" | "POST" | "PUT" | "HEAD" | "DELETE";
	url: string;
	headers?: Record<string, string>;
	/** Sent as it is on every attempt (bytes are never copied or consumed). */
	body?: string | Uint8Array;
	signal?: AbortSignal;
	/** Until the response headers arrive; a long poll needs its wait plus a margin. */
	timeoutMs?: number;
	/** Non-2xx answers handed back as they are (S3 redirects, 304) instead of as errors. */
	passThrough?: (res: Response) => boolean;
	/** Reads a service error answer into an AwsError (with its retry class). */
	parseError: (res: Response) => Promise<AwsError>;
	/** For long polls: wait the backoff even when the retry quota is spent, so loops never spin. */
	longPoll?: boolean;
}

export interface SentResponse {
	response: Response;
	/** Aborts the response body (an idle body, a limit exceeded). */
	abort(reason?: unknown): void;
}

export interface AwsHttpOptions {
	credentials: CredentialProvider;
	fetch?: typeof fetch;
	maxAttempts?: number;
	random?: () => number;
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
	/** Called before each retry, for logs and tests. */
	onRetry?: (info: { attempt: number; delayMs: number; error: AwsError }) => void;
}

const MAX_BACKOFF_MS = 20_000;

/** The hex SHA-256 of a body (of the empty body when there is none). */
function payloadHash(body: string | Uint8Array | undefined): string {
	return createHash("sha256")
		.update(body ?? "")
		.digest("hex");
}

/**
 * The headers to sign: for S3, with x-amz-content-sha256 (the payload hash the signature covers,
 * which S3 checks against the body) unless the caller set it. aws4fetch would send
 * UNSIGNED-PAYLOAD; the SDK signs the hash, and so does this.
 */
function payloadHashed(req: AwsRequest): Record<string, string> | undefined {
	if (req.service !== "s3") return req.headers;
	const given = Object.keys(req.headers ?? {}).some((k) => k.toLowerCase() === "x-amz-content-sha256");
	return given ? req.headers : { ...req.headers, "x-amz-content-sha256": payloadHash(req.body) };
}
const QUOTA_MAX = 500;

export class AwsHttp {
	private quota = QUOTA_MAX;
	private readonly fetch: typeof fetch;
	private readonly maxAttempts: number;
	private readonly random: () => number;
	private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

	constructor(private readonly options: AwsHttpOptions) {
		this.fetch = options.fetch ?? fetch;
		this.maxAttempts = options.maxAttempts ?? 3;
		this.random = options.random ?? Math.random;
		this.sleep = options.sleep ?? sleep;
	}

	get credentials(): CredentialProvider {
		return this.options.credentials;
	}

	private backoff(retryIndex: number, error: AwsError): number {
		const base = error.throttling ? 1000 : 50;
		const computed = backoffDelay({ attempt: retryIndex, base, max: MAX_BACKOFF_MS, jitter: this.random });
		if (error.retryAfterMs === undefined) return computed;
		return Math.max(computed, Math.min(error.retryAfterMs, computed + 5000));
	}

	private async attempt(req: AwsRequest, headers: Record<string, string> | undefined): Promise<SentResponse> {
		const creds = await this.options.credentials.get();
		const signer = new AwsV4Signer({
			url: req.url,
			method: req.method,
			headers,
			body: req.body,
			accessKeyId: creds.accessKeyId,
			secretAccessKey: creds.secretAccessKey,
			sessionToken: creds.sessionToken,
			service: req.service,
			region: req.region,
		});
		const signed = await signer.sign();
		const controller = new AbortController();
		const onCallerAbort = () => controller.abort(req.signal?.reason);
		if (req.signal?.aborted) throw abortError(req.signal);
		req.signal?.addEventListener("abort", onCallerAbort, { once: true });
		const timeoutMs = req.timeoutMs ?? 30_000;
		const timer = setTimeout(
			() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError")),
			timeoutMs,
		);
		try {
			const response = await this.fetch(signed.url, {
				method: signed.method,
				headers: signed.headers,
				body: signed.body as string | Uint8Array | undefined,
				redirect: "manual",
				signal: controller.signal,
				// Bun: hand back the stored bytes; lengths and checksums are of those.
				decompress: false,
			} as RequestInit);
			return { response, abort: (reason) => controller.abort(reason) };
		} catch (err) {
			if (req.signal?.aborted) throw abortError(req.signal);
			const e = err as Error & { code?: string };
			const timeout = e.name === "TimeoutError";
			throw new AwsError(
				`${req.service} ${req.method} ${new URL(req.url).host}: ${timeout ? e.message : `network error: ${e.code ?? e.message}`}`,
				{
					service: req.service,
					code: timeout ? "TimeoutError" : (e.code ?? "NetworkError"),
					retryable: true,
				},
				{ cause: err },
			);
		} finally {
			clearTimeout(timer);
			req.signal?.removeEventListener("abort", onCallerAbort);
		}
	}

	/** Sends the request, retrying as the SDK would; resolves with a 2xx (or passed-through) answer. */
	async send(req: AwsRequest): Promise<SentResponse> {
		// Hashed once, however many attempts sign it.
		const headers = payloadHashed(req);
		let lastCost = 0;
		for (let attempt = 1; ; attempt++) {
			let error: AwsError;
			try {
				const sent = await this.attempt(req, headers);
				const res = sent.response;
				if (res.ok || req.passThrough?.(res)) {
					this.quota = Math.min(QUOTA_MAX, this.quota + (lastCost || 1));
					return sent;
				}
				error = await req.parseError(res);
			} catch (err) {
				if (!(err instanceof AwsError)) throw err;
				error = err;
			}
			if (!error.retryable || attempt >= this.maxAttempts) throw error;
			const cost = error.throttling ? 5 : 14;
			const delayMs = this.backoff(attempt - 1, error);
			if (this.quota < cost) {
				if (req.longPoll) await this.sleep(delayMs, req.signal);
				throw error;
			}
			this.quota -= cost;
			lastCost = cost;
			this.options.onRetry?.({ attempt, delayMs, error });
			await this.sleep(delayMs, req.signal);
		}
	}
}
