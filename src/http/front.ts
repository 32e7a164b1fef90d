/**
 * The front: answers ready to send for the URLs asked for again and again, so that a hot page
 * costs what a static server pays (a Map lookup and a Response of parts built once: the body and
 * a Headers object per content coding, and per 304) instead of routing, query parsing,
 * cache-key building and headers made afresh.
 *
 * It keeps only replies that are shared (kept by a response cache, or made once at start-up) and
 * lets one go as soon as its cache does (`dropped`). It is keyed by the request URL exactly as
 * the runtime gives it, and for one snapshot at a time. What it admits is bounded twice over: a
 * URL enters on its second request within the last DOORKEEPER distinct ones, so a flood of
 * unique URLs (another query order, an unknown parameter) is never admitted; and it holds at
 * most MAX_ENTRIES, the oldest out first.
 */
import type { CacheStats } from "./cache.ts";
import { type Coding, isNegotiated, negotiateEncoding } from "./compression.ts";
import { matchesEtag } from "./conditional.ts";
import { count, type HttpMetrics, type Series } from "./metrics.ts";
import type { Reply } from "./respond.ts";
import { replyParts } from "./send.ts";

export const MAX_ENTRIES = 2048;
/** The Blobs kept ready, bytes at most (they copy bodies the response cache also holds). */
export const MAX_BYTES = 16 * 1024 * 1024;
export const DOORKEEPER = 8192;
/** Distinct Accept-Encoding values whose negotiation is remembered. */
const MAX_CODINGS = 64;

/**
 * An answer as built once: what `new Response(body, init)` takes. The body is a Blob, which a
 * Response shares; a Uint8Array would be copied into every one (3 µs for a 25 KB page, Bun 1.4.5).
 */
interface Ready {
	body: Blob | null;
	init: { status: number; headers: Headers };
	/** The series it is counted under, for a GET and for a HEAD. */
	get?: Series;
	head?: Series;
}

interface Entry {
	reply: Reply;
	template: string;
	/** Whether the Accept-Encoding header matters (a compressible 200 of COMPRESS_MIN bytes or more). */
	negotiated: boolean;
	/** By coding (none, gzip, br) × (200, 304): made on first use. */
	ready: (Ready | undefined)[];
	/** The size of its Blobs. */
	bytes: number;
	/** The last If-None-Match header seen, and whether it names the reply. */
	lastInm?: string;
	lastInmMatches: boolean;
}

const CODINGS: (Coding | undefined)[] = [undefined, "gzip", "br"];

export class Front {
	/** The serial of the snapshot answered for: the front never keeps an old one alive. */
	private owner = 0;
	private readonly entries = new Map<string, Entry>();
	private readonly seen = new Set<string>();
	private readonly codings = new Map<string, number>();
	private bytes = 0;

	constructor(
		private readonly metrics: HttpMetrics,
		/** A ready answer is a response-cache hit as far as operators are concerned. */
		private readonly stats: CacheStats,
	) {}

	/** The entry for `url` while `owner` (the snapshot) is served; a new owner empties the front. */
	private entry(owner: number, url: string): Entry | undefined {
		if (owner !== this.owner) {
			this.owner = owner;
			this.entries.clear();
			this.seen.clear();
			this.bytes = 0;
			return undefined;
		}
		const e = this.entries.get(url);
		if (e?.reply.dropped) {
			this.remove(url, e);
			return undefined;
		}
		return e;
	}

	/**
	 * The answer to a GET or HEAD of `url` when the front has it, counted in the metrics with the
	 * time since `started`; undefined otherwise (the request takes the long way).
	 */
	answer(owner: number, url: string, req: Request, head: boolean, started: number): Response | undefined {
		const e = this.entry(owner, url);
		if (e === undefined) return undefined;
		const headers = req.headers;
		const inm = headers.get("if-none-match");
		let notModified = false;
		if (inm !== null && e.reply.etag !== undefined) {
			// Clients send back the one tag they were given: the last header seen is compared whole.
			if (inm !== e.lastInm) {
				e.lastInm = inm;
				e.lastInmMatches = matchesEtag(inm, e.reply.etag);
			}
			notModified = e.lastInmMatches;
		}
		const coding = e.negotiated ? this.coding(headers.get("accept-encoding")) : 0;
		const slot = coding * 2 + (notModified ? 1 : 0);
		const ready = e.ready[slot] ?? this.prepare(e, slot, coding, notModified);
		e.reply.used = true;
		this.stats.hits++;
		const res = new Response(ready.body, ready.init);
		const s = (head ? ready.head : ready.get) ?? this.series(e, ready, head);
		count(s, (performance.now() - started) / 1000);
		return res;
	}

	private prepare(e: Entry, slot: number, coding: number, notModified: boolean): Ready {
		const p = replyParts(e.reply, CODINGS[coding], notModified);
		const body = p.body === null ? null : new Blob([p.body]);
		const ready: Ready = { body, init: { status: p.status, headers: new Headers(p.headers) } };
		e.ready[slot] = ready;
		this.bytes += body?.size ?? 0;
		e.bytes += body?.size ?? 0;
		return ready;
	}

	private series(e: Entry, ready: Ready, head: boolean): Series {
		const s = this.metrics.series(head ? "HEAD" : "GET", e.template, ready.init.status);
		if (head) ready.head = s;
		else ready.get = s;
		return s;
	}

	/** `reply` was just sent for a GET or HEAD of `url`: kept ready when it is shared and asked for again. */
	offer(owner: number, url: string, template: string, reply: Reply): void {
		if (!reply.shared || reply.dropped || owner !== this.owner || this.entries.has(url)) return;
		if (!this.seen.has(url)) {
			if (this.seen.size >= DOORKEEPER) this.seen.clear();
			this.seen.add(url);
			return;
		}
		this.seen.delete(url);
		// The oldest out first, to make room for one more and its body.
		const room = MAX_BYTES - (reply.body?.byteLength ?? 0);
		for (const [k, e] of this.entries) {
			if (this.entries.size < MAX_ENTRIES && this.bytes <= room) break;
			this.remove(k, e);
		}
		if (this.bytes > room) return;
		const negotiated = isNegotiated(reply);
		this.entries.set(url, { reply, template, negotiated, ready: [], bytes: 0, lastInmMatches: false });
	}

	private remove(url: string, e: Entry): void {
		this.entries.delete(url);
		this.bytes -= e.bytes;
	}

	get size(): number {
		return this.entries.size;
	}

	/** The bytes of the Blobs kept ready. */
	get byteSize(): number {
		return this.bytes;
	}

	/** The index in CODINGS for an Accept-Encoding header; the common few are remembered. */
	private coding(header: string | null): number {
		if (header === null) return 0;
		let c = this.codings.get(header);
		if (c === undefined) {
			c = CODINGS.indexOf(negotiateEncoding(header));
			if (this.codings.size < MAX_CODINGS) this.codings.set(header, c);
		}
		return c;
	}
}
