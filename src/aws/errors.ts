/** Typed errors for AWS calls: what failed, the service's own code, and whether a retry can help. */
import { retryAfterOf } from "../backoff.ts";

export interface AwsErrorInfo {
	service: string;
	/** The service's error code (`NoSuchKey`, `AWS.SimpleQueueService.NonExistentQueue`, …). */
	code: string;
	/** HTTP status, when the service answered. */
	status?: number;
	retryable: boolean;
	throttling?: boolean;
	requestId?: string;
	/** A server hint (Retry-After / x-amz-retry-after), in milliseconds. */
	retryAfterMs?: number;
}

export class AwsError extends Error {
	readonly service: string;
	readonly code: string;
	readonly status: number | undefined;
	readonly retryable: boolean;
	readonly throttling: boolean;
	readonly requestId: string | undefined;
	readonly retryAfterMs: number | undefined;

	constructor(message: string, info: AwsErrorInfo, options?: { cause?: unknown }) {
		super(message, options);
		this.name = "AwsError";
		this.service = info.service;
		this.code = info.code;
		this.status = info.status;
		this.retryable = info.retryable;
		this.throttling = info.throttling ?? false;
		this.requestId = info.requestId;
		this.retryAfterMs = info.retryAfterMs;
	}
}

/** Error codes the AWS SDK treats as throttling (retried with the longer backoff). */
export const THROTTLING_CODES = new Set([
	"BandwidthLimitExceeded",
	"EC2ThrottledException",
	"LimitExceededException",
	"PriorRequestNotComplete",
	"ProvisionedThroughputExceededException",
	"RequestLimitExceeded",
	"RequestThrottled",
	"RequestThrottledException",
	"SlowDown",
	"ThrottledException",
	"Throttling",
	"ThrottlingException",
	"TooManyRequestsException",
	"TransactionInProgressException",
]);

const TRANSIENT_CODES = new Set([
	"TimeoutError",
	"RequestTimeout",
	"RequestTimeoutException",
	"InternalError",
]);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

/** Classifies an HTTP error answer as the SDK's standard retry mode does. */
export function classify(status: number, codes: string[]): { retryable: boolean; throttling: boolean } {
	const throttling = status === 429 || codes.some((c) => THROTTLING_CODES.has(c));
	const transient = TRANSIENT_STATUS.has(status) || codes.some((c) => TRANSIENT_CODES.has(c));
	return { retryable: throttling || transient, throttling };
}

/** Milliseconds from `x-amz-retry-after` (ms) or `Retry-After` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
	const amz = headers.get("x-amz-retry-after");
	if (amz && /^\d+$/.test(amz)) return Number(amz);
	return retryAfterOf(headers, now);
}

/** The text of the first `<tag>…</tag>` in a small XML document, entities decoded. */
export function xmlText(xml: string, tag: string): string | undefined {
	const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(xml);
	if (!m) return undefined;
	return (m[1] as string)
		.replace(/&lt;/g, "<")
		.replace(/&gt;/g, ">")
		.replace(/&quot;/g, '"')
		.replace(/&apos;/g, "'")
		.replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
		.replace(/&#x([0-9a-fA-F]+);/g, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
		.replace(/&amp;/g, "&");
}
