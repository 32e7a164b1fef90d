/**
 * Another registry's list endpoint, crawled page by page with its cursors: for a seed, `registry
 * pull` and the live mirror. Cursors are opaque (ours carry the query, upstream's are a raw
 * `name:version`); a 429 or 5xx answer or a broken connection is retried with backoff, honouring
 * Retry-After; every page is checked as a registry file is, and all pages together may not pass
 * a byte limit.
 */
import { abortError, backoffDelay, retryAfterOf, sleep } from "../backoff.ts";
import { readCapped } from "../read-capped.ts";
import { redactRegistryUrl, redactText } from "../redact.ts";
import { RegistryLoadError } from "../registry/report.ts";
import { splitRegistry } from "../registry/split.ts";
import { joinEntries } from "./records.ts";

const MAX_PAGES = 100_000;
const MAX_CURSOR = 4096;
const PAGE_TIMEOUT_MS = 30_000;
/** Tries per page: the first and five retries, about a minute of backoff in all. */
const ATTEMPTS = 6;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** The longest Retry-After obeyed: a source asking for more is retried after this. */
const RETRY_AFTER_MAX_MS = 120_000;

export interface CrawlProgress {
	pages: number;
	entries: number;
}

export interface CrawlOptions {
	fetch?: typeof fetch;
	/** All pages together may not pass this many bytes (MCP_REGISTRY_MAX_FILE_BYTES). */
	maxBytes?: number;
	/** RFC 3339: only entries updated after it (the source then lists deleted ones too). */
	updatedSince?: string;
	/** Ask for deleted entries too (`include_deleted=true`). */
	includeDeleted?: boolean;
	signal?: AbortSignal;
	onPage?: (progress: CrawlProgress) => void;
	/** Called before a retry: what failed and how long until the next try. */
	onRetry?: (info: { url: string; attempt: number; delayMs: number; reason: string }) => void;
	/** Tries per page (default 6). */
	attempts?: number;
	/** For tests: a sleep that need not wait. */
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
	random?: () => number;
}

/** A page that answered 404: the source has no such endpoint (an older registry lacks /v0.1). */
class NoEndpoint extends Error {}

/**
 * The list endpoints to try for a source URL: the URL itself when it names one (`…/servers`),
 * else its `/v0.1/servers`, then its `/v0/servers`.
 */
export function listEndpoints(source: string): URL[] {
	const url = new URL(source);
	if (/\/servers\/?$/.test(url.pathname)) return [url];
	const base = url.pathname.replace(/\/+$/, "");
	return ["/v0.1/servers", "/v0/servers"].map((path) => {
		const u = new URL(url);
		u.pathname = `${base}${path}`;
		return u;
	});
}

const retryable = (status: number) => status === 429 || (status >= 500 && status !== 501);

/**
 * A page's entries as the registry sent them (byte ranges, never parsed and written again), and
 * its next cursor. The scanner that splits a registry file splits the page, so a duplicate key or
 * nesting past 64 levels is refused here, naming the page; only the rest of the page is parsed.
 */
function pageEntries(bytes: Uint8Array, shown: string): { entries: Uint8Array[]; next: unknown } {
	const split = splitRegistry(bytes);
	if (split?.top !== "object") {
		let body: unknown;
		try {
			body = JSON.parse(new TextDecoder().decode(bytes));
		} catch {
			throw new RegistryLoadError(`${shown}: the answer is not JSON`);
		}
		throw new RegistryLoadError(
			`${shown}: the answer has no "servers" array${Array.isArray(body) ? " (a bare array is no API page)" : ""}`,
		);
	}
	const problem =
		split.fileProblem ??
		[...split.problems].map(([i, p]) => ({ ...p, path: `servers[${i}]${p.path ? `.${p.path}` : ""}` }))[0];
	if (problem) throw new RegistryLoadError(`${shown}: ${`${problem.path} ${problem.message}`.trim()}`);
	let skeleton: { metadata?: { nextCursor?: unknown } };
	try {
		skeleton = JSON.parse(new TextDecoder().decode(split.skeleton));
	} catch {
		throw new RegistryLoadError(`${shown}: the answer is not JSON`);
	}
	const { ranges } = split;
	const entries: Uint8Array[] = [];
	for (let i = 0; i < ranges.length; i += 2) entries.push(bytes.subarray(ranges[i], ranges[i + 1]));
	return { entries, next: skeleton.metadata?.nextCursor };
}

/**
 * One page, retried while the source is overloaded or unreachable. Throws NoEndpoint on a 404,
 * anything else that is not 2xx after the last try as an Error naming the page.
 */
async function fetchPage(u: URL, limit: number, maxBytes: number, o: CrawlOptions): Promise<Uint8Array> {
	const attempts = o.attempts ?? ATTEMPTS;
	const fetcher = o.fetch ?? fetch;
	const wait = o.sleep ?? sleep;
	// Errors name the page without the URL's user information (a password in the source URL).
	const shown = redactRegistryUrl(u);
	for (let attempt = 1; ; attempt++) {
		if (o.signal?.aborted) throw abortError(o.signal);
		let reason: string;
		let hint: number | undefined;
		try {
			const signal = o.signal
				? AbortSignal.any([o.signal, AbortSignal.timeout(PAGE_TIMEOUT_MS)])
				: AbortSignal.timeout(PAGE_TIMEOUT_MS);
			const res = await fetcher(u, { headers: { accept: "application/json" }, signal, redirect: "follow" });
			if (res.ok) {
				const bytes = await readCapped(res.body, limit);
				if (bytes === undefined) {
					throw new RegistryLoadError(
						`${shown}: the registry's pages come to more than ${maxBytes} bytes, the limit (MCP_REGISTRY_MAX_FILE_BYTES)`,
					);
				}
				return bytes;
			}
			await res.body?.cancel().catch(() => {});
			if (res.status === 404) throw new NoEndpoint(`${shown}: HTTP 404`);
			reason = `HTTP ${res.status}`;
			if (!retryable(res.status)) throw new RegistryLoadError(`${shown}: ${reason}`);
			hint = retryAfterOf(res.headers);
		} catch (err) {
			if (err instanceof NoEndpoint || err instanceof RegistryLoadError) throw err;
			if (o.signal?.aborted) throw abortError(o.signal);
			reason = redactText((err as Error).message);
			// A redirect loop, or one to file:// or another scheme, answers the same every time.
			if (UNRETRYABLE.has(String((err as { code?: unknown }).code))) {
				throw new RegistryLoadError(`${shown}: ${reason.replace(/\. For more information.*$/, "")}`);
			}
		}
		if (attempt >= attempts) {
			throw new RegistryLoadError(
				`${shown}: ${reason}${attempts > 1 ? ` (gave up after ${attempts} tries)` : ""}`,
			);
		}
		const backoff = backoffDelay({
			attempt: attempt - 1,
			base: BACKOFF_BASE_MS,
			max: BACKOFF_MAX_MS,
			jitter: () => 0.5 + (o.random ?? Math.random)() / 2,
		});
		const delayMs = hint === undefined ? backoff : Math.min(Math.max(hint, backoff), RETRY_AFTER_MAX_MS);
		o.onRetry?.({ url: shown, attempt, delayMs, reason });
		await wait(delayMs, o.signal);
	}
}

/** fetch's errors that no retry changes (Bun's codes). */
const UNRETRYABLE = new Set(["TooManyRedirects", "UnsupportedRedirectProtocol"]);

/**
 * Crawls a registry's list endpoint page by page with its cursors; returns a registry file in the
 * API list shape holding every entry as the registry sent it. `source` is a registry's base URL
 * (its /v0.1/servers is crawled, or /v0/servers when it has none) or a list endpoint itself.
 */
export async function crawlRegistry(source: string, o: CrawlOptions = {}): Promise<Uint8Array> {
	const maxBytes = o.maxBytes ?? Number.POSITIVE_INFINITY;
	const endpoints = listEndpoints(source);
	for (const [n, start] of endpoints.entries()) {
		try {
			return await crawlEndpoint(start, o, maxBytes);
		} catch (err) {
			// Only a 404 on the first page means "no such endpoint": try the next one.
			if (!(err instanceof NoEndpoint)) throw err;
			if (n === endpoints.length - 1) throw new RegistryLoadError(err.message);
		}
	}
	throw new RegistryLoadError(`${redactRegistryUrl(source)}: no list endpoint`);
}

async function crawlEndpoint(start: URL, o: CrawlOptions, maxBytes: number): Promise<Uint8Array> {
	const first = new URL(start);
	if (!first.searchParams.has("limit")) first.searchParams.set("limit", "100");
	if (o.updatedSince !== undefined) first.searchParams.set("updated_since", o.updatedSince);
	// With updated_since the API lists deleted entries anyway, and refuses include_deleted=false.
	else if (o.includeDeleted) first.searchParams.set("include_deleted", "true");
	const endpoint = redactRegistryUrl(start);
	const entries: Uint8Array[] = [];
	const seen = new Set<string>();
	let read = 0;
	let cursor: string | undefined;
	for (let page = 0; page < MAX_PAGES; page++) {
		const u = new URL(first);
		if (cursor !== undefined) u.searchParams.set("cursor", cursor);
		const shown = redactRegistryUrl(u);
		let bytes: Uint8Array;
		try {
			bytes = await fetchPage(u, maxBytes - read, maxBytes, o);
		} catch (err) {
			// A 404 past the first page is no missing endpoint: the crawl fails.
			if (err instanceof NoEndpoint && page > 0) throw new RegistryLoadError(err.message);
			throw err;
		}
		read += bytes.byteLength;
		const { entries: these, next } = pageEntries(bytes, shown);
		for (const e of these) entries.push(e);
		o.onPage?.({ pages: page + 1, entries: entries.length });
		// `{"servers":[…]}` of the entries, each as it was sent.
		if (typeof next !== "string" || next === "") return joinEntries('{"servers":[', entries, ",", "]}\n");
		// Cursors are short (a name and a version, or a few of our bytes): a long one would be
		// sent back, logged and shown in every error that names the page.
		if (next.length > MAX_CURSOR) {
			throw new RegistryLoadError(
				`${shown}: the next cursor is ${next.length} characters long, over ${MAX_CURSOR}`,
			);
		}
		if (seen.has(next)) {
			throw new RegistryLoadError(`${shown}: the registry returned cursor ${JSON.stringify(next)} twice`);
		}
		seen.add(next);
		cursor = next;
	}
	throw new RegistryLoadError(`${endpoint}: more than ${MAX_PAGES} pages`);
}
