/**
 * A stand-in for the upstream Go registry (modelcontextprotocol/registry), for `registry pull`
 * and the crawler: GET /v0.1/servers (and /v0/servers) on 127.0.0.1, port 0, answering from
 * entries held in memory that a test changes as a publisher would (add, update, deprecate,
 * delete, remove), the way upstream pages:
 *
 * - entries sorted by name, then version (as its SQL orders them, plain string order);
 * - `limit` (default 30, at most 100: more is a 422), `cursor` the raw `name:version` of the
 *   last entry of the page before (not base64, not carrying the query), `metadata.nextCursor`
 *   only when a page is full and more may follow;
 * - `updated_since` (RFC 3339, strictly after, lists deleted entries too), `include_deleted`
 *   (default false: deleted hidden), `version=latest`, `search` (a substring of the name);
 * - each entry `{"server": …, "_meta": {"io.modelcontextprotocol.registry/official": {status,
 *   statusChangedAt, publishedAt, updatedAt, isLatest}}}`.
 *
 * Faults for the crawler to survive or to fail on: a 429 with `Retry-After: 1` every Nth request
 * and a 503 every Mth, any answer a test hook chooses, /v0.1 answering 404 (an older registry:
 * only /v0), and a kill after K pages: the page asked for then never answers, its connection is
 * reset and the port closes (connections refused) until `heal()` listens on the same port again.
 * Every request's path and query is logged, so a test can tell what a crawl asked for.
 *
 * `loggingProxy(target)` puts the same request log in front of any server (the registry itself),
 * and lets a test answer any request in its place. `pullFilters()` are the filters a pull has by
 * default.
 */
import type { Server } from "bun";
import { DEFAULT_STATUSES, type PullFilters } from "../../src/pipeline/pull.ts";
import { parseTimestamp } from "../../src/registry/time.ts";
import { type Obj, OFFICIAL } from "./registry-docs.ts";

export { type Obj, OFFICIAL };
export type UpstreamStatus = "active" | "deprecated" | "deleted";

/** The filters of a pull given none: every name, the default statuses, every version. */
export function pullFilters(o: Partial<PullFilters> = {}): PullFilters {
	return { include: [], exclude: [], statuses: new Set(DEFAULT_STATUSES), latestOnly: false, ...o };
}

export interface Official {
	status: UpstreamStatus;
	statusChangedAt: string;
	publishedAt: string;
	updatedAt: string;
	statusMessage?: string;
}

export interface HeldEntry {
	server: Obj;
	official: Official;
}

export interface UpstreamOptions {
	/** server.json documents (or documents with their official metadata) to start with. */
	entries?: (Obj | { server: Obj; official?: Partial<Official> })[];
	/** /v0.1/servers answers 404: the registry has only /v0/servers. */
	v0Only?: boolean;
	/** Every Nth request (1-based, all paths) answers 429 with `Retry-After: 1`. */
	every429?: number;
	/** Every Nth request answers 503 (a 429 wins when both fall on one). */
	every503?: number;
	/** After this many list pages served, the next one kills the server (see the file comment). */
	killAfterPages?: number;
	/** Any answer for a request (`n`: its number, 1-based), before the faults above; undefined: none. */
	hook?: (n: number, url: URL) => Response | undefined;
	/** The largest `limit` accepted (default 100, as upstream). */
	maxLimit?: number;
	/** The clock's first tick (default 2025-10-01T00:00:00Z). */
	start?: Date;
}

export interface Upstream {
	/** `http://127.0.0.1:PORT`: the base URL a pull is given. */
	readonly base: string;
	readonly port: number;
	/** Path and query of every request, in order (faulted ones too). */
	readonly requests: string[];
	/** List pages answered 200. */
	readonly pages: number;
	/** Whether the kill has happened and no heal since. */
	readonly killed: boolean;
	/** Changes the fault options from now on. */
	options: UpstreamOptions;
	/** The next timestamp of the registry's clock: strictly after every one before it (µs precision). */
	tick(): string;
	/** Adds an entry (published now) or replaces one of the same name and version. */
	add(server: Obj, official?: Partial<Official>): HeldEntry;
	/** A new server.json for an entry (`edit` of a copy), its updatedAt bumped. */
	update(name: string, version: string, edit: (server: Obj) => Obj | undefined): HeldEntry;
	/** A status change: statusChangedAt and updatedAt bumped. */
	setStatus(name: string, version: string, status: UpstreamStatus, message?: string): HeldEntry;
	/** Forgets an entry (upstream never does: a pull with --full must notice). */
	remove(name: string, version: string): void;
	get(name: string, version: string): HeldEntry | undefined;
	/** Every entry held, in list order. */
	all(): HeldEntry[];
	/** The entry as served, `{server, _meta}`. */
	served(e: HeldEntry): Obj;
	/** Listens again on the same port after a kill (or a `kill()`); faults by `killAfterPages` end. */
	heal(): Promise<void>;
	/** Kills it now: connections reset, the port closed. */
	kill(): void;
	stop(): Promise<void>;
}

const keyOf = (name: string, version: string) => `${name}\u0000${version}`;
const byNameVersion = (a: HeldEntry, b: HeldEntry) => {
	const an = a.server.name as string;
	const bn = b.server.name as string;
	if (an !== bn) return an < bn ? -1 : 1;
	const av = a.server.version as string;
	const bv = b.server.version as string;
	return av < bv ? -1 : av > bv ? 1 : 0;
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
	new Response(JSON.stringify(body), {
		status,
		headers: { "content-type": status < 400 ? "application/json" : "application/problem+json", ...headers },
	});

const problem = (status: number, detail: string) =>
	json(status, { title: status === 400 ? "Bad Request" : "Unprocessable Entity", status, detail });

/** A comparable key of an RFC 3339 timestamp (nanosecond precision), or undefined. */
const keyOfTime = (iso: string) => parseTimestamp(iso)?.key;

export async function startUpstream(initial: UpstreamOptions = {}): Promise<Upstream> {
	const held = new Map<string, HeldEntry>();
	const requests: string[] = [];
	let pages = 0;
	let killed = false;
	let clock = (initial.start ?? new Date("2025-10-01T00:00:00Z")).getTime();
	let micro = 0;
	const tick = () => {
		clock += 1000;
		micro = (micro + 137) % 1000;
		// Microseconds, as upstream writes them (Go's RFC3339Nano of a Postgres timestamp: the
		// fraction's trailing zeros trimmed).
		const iso = new Date(clock).toISOString().replace(/Z$/, `${String(micro).padStart(3, "0")}Z`);
		return (parseTimestamp(iso) as { iso: string }).iso;
	};

	const find = (name: string, version: string) => {
		const e = held.get(keyOf(name, version));
		if (!e) throw new Error(`upstream stand-in: no entry ${name}@${version}`);
		return e;
	};

	const add = (server: Obj, official: Partial<Official> = {}): HeldEntry => {
		const at = tick();
		const entry: HeldEntry = {
			server: structuredClone(server),
			official: {
				status: official.status ?? "active",
				statusChangedAt: official.statusChangedAt ?? official.publishedAt ?? at,
				publishedAt: official.publishedAt ?? at,
				updatedAt: official.updatedAt ?? official.publishedAt ?? at,
				...(official.statusMessage !== undefined ? { statusMessage: official.statusMessage } : {}),
			},
		};
		held.set(keyOf(server.name as string, server.version as string), entry);
		return entry;
	};

	for (const e of initial.entries ?? []) {
		if ("server" in e && typeof e.server === "object" && e.server !== null) {
			const { server, official } = e as { server: Obj; official?: Partial<Official> };
			add(server, official);
		} else add(e as Obj);
	}

	const all = () => [...held.values()].sort(byNameVersion);

	/** The latest version of each name: the last published (upstream moves the flag on publish). */
	const latestKeys = () => {
		const best = new Map<string, HeldEntry>();
		for (const e of held.values()) {
			const name = e.server.name as string;
			const b = best.get(name);
			if (!b || (keyOfTime(e.official.publishedAt) ?? "") > (keyOfTime(b.official.publishedAt) ?? "")) {
				best.set(name, e);
			}
		}
		return new Set([...best.values()]);
	};

	const served = (e: HeldEntry, latest = latestKeys()): Obj => ({
		server: e.server,
		_meta: { [OFFICIAL]: { ...e.official, isLatest: latest.has(e) } },
	});

	const upstream: { options: UpstreamOptions } = { options: { ...initial, entries: undefined } };

	const list = (url: URL): Response => {
		const q = url.searchParams;
		const maxLimit = upstream.options.maxLimit ?? 100;
		let limit = 30;
		const rawLimit = q.get("limit");
		if (rawLimit) {
			if (!/^\d+$/.test(rawLimit)) return problem(422, "invalid limit");
			limit = Number(rawLimit);
			if (limit < 1 || limit > maxLimit) return problem(422, `limit must be between 1 and ${maxLimit}`);
		}
		const sinceText = q.get("updated_since");
		const since = sinceText ? keyOfTime(sinceText) : undefined;
		if (sinceText && since === undefined) return problem(400, "Invalid updated_since format");
		const rawDeleted = q.get("include_deleted");
		if (rawDeleted !== null && rawDeleted !== "true" && rawDeleted !== "false") {
			return problem(422, "invalid include_deleted");
		}
		if (since !== undefined && rawDeleted === "false") {
			return problem(400, "Cannot set include_deleted=false when using updated_since");
		}
		const includeDeleted = since !== undefined || rawDeleted === "true";
		const version = q.get("version");
		const search = q.get("search")?.toLowerCase();
		const latest = latestKeys();
		let rows = all().filter(
			(e) =>
				(includeDeleted || e.official.status !== "deleted") &&
				(since === undefined || (keyOfTime(e.official.updatedAt) ?? "") > since) &&
				(!version || (version === "latest" ? latest.has(e) : e.server.version === version)) &&
				(!search || (e.server.name as string).toLowerCase().includes(search)),
		);
		const cursor = q.get("cursor");
		if (cursor) {
			// Upstream's cursor: the last name and version of the page before, joined by a colon.
			const at = cursor.indexOf(":");
			if (at < 0) return problem(400, "Invalid cursor");
			const name = cursor.slice(0, at);
			const ver = cursor.slice(at + 1);
			rows = rows.filter((e) => {
				const n = e.server.name as string;
				return n > name || (n === name && (e.server.version as string) > ver);
			});
		}
		const page = rows.slice(0, limit);
		const last = page.at(-1);
		const metadata: Obj = { count: page.length };
		if (page.length === limit && rows.length > limit && last) {
			metadata.nextCursor = `${last.server.name}:${last.server.version}`;
		}
		return json(200, { servers: page.map((e) => served(e, latest)), metadata });
	};

	let server: Server<undefined>;
	let port = 0;
	let requestNumber = 0;
	const kill = () => {
		killed = true;
		server.stop(true);
	};
	const handle = (req: Request): Response | Promise<Response> => {
		const url = new URL(req.url);
		requests.push(`${url.pathname}${url.search}`);
		const n = ++requestNumber;
		const o = upstream.options;
		const hooked = o.hook?.(n, url);
		if (hooked) return hooked;
		if (req.method !== "GET") return problem(400, "read-only");
		const isList = url.pathname === "/v0.1/servers" || url.pathname === "/v0/servers";
		if (!isList || (o.v0Only && url.pathname.startsWith("/v0.1/"))) {
			return json(404, { title: "Not Found", status: 404, detail: "Endpoint not found" });
		}
		if (o.every429 && n % o.every429 === 0) {
			return json(429, { title: "Too Many Requests", status: 429 }, { "retry-after": "1" });
		}
		if (o.every503 && n % o.every503 === 0) {
			return json(503, { title: "Service Unavailable", status: 503 });
		}
		if (o.killAfterPages !== undefined && pages >= o.killAfterPages) {
			// Killed while this page was asked for: no answer, the connection reset, the port closed.
			setTimeout(kill, 5);
			return new Promise<Response>(() => {});
		}
		const res = list(url);
		if (res.status === 200) pages++;
		return res;
	};
	const listen = () => {
		server = Bun.serve({ hostname: "127.0.0.1", port, fetch: handle });
		port = server.port as number;
	};
	listen();

	return {
		get base() {
			return `http://127.0.0.1:${port}`;
		},
		get port() {
			return port;
		},
		requests,
		get pages() {
			return pages;
		},
		get killed() {
			return killed;
		},
		get options() {
			return upstream.options;
		},
		set options(o: UpstreamOptions) {
			upstream.options = o;
		},
		tick,
		add,
		update(name, version, edit) {
			const e = find(name, version);
			const next = edit(structuredClone(e.server)) ?? e.server;
			if (next.name !== name || next.version !== version) throw new Error("update keeps name and version");
			e.server = next;
			e.official.updatedAt = tick();
			return e;
		},
		setStatus(name, version, status, message) {
			const e = find(name, version);
			const at = tick();
			e.official = { ...e.official, status, statusChangedAt: at, updatedAt: at };
			if (message === undefined) delete e.official.statusMessage;
			else e.official.statusMessage = message;
			return e;
		},
		remove(name, version) {
			find(name, version);
			held.delete(keyOf(name, version));
		},
		get: (name, version) => held.get(keyOf(name, version)),
		all,
		served: (e) => served(e),
		async heal() {
			upstream.options = { ...upstream.options, killAfterPages: undefined };
			if (killed) {
				killed = false;
				listen();
			}
		},
		kill,
		async stop() {
			if (!killed) await server.stop(true);
			killed = true;
		},
	};
}

export interface LoggingProxy {
	/** The proxy's base URL: what a pull is given in place of the target's. */
	readonly base: string;
	/** Path and query of every request, in order. */
	readonly requests: string[];
	/**
	 * Called before a request is forwarded (awaited): `n` its number, 1-based. A Response it
	 * returns is the answer, and the request is not forwarded.
	 */
	onRequest?: (n: number, url: URL) => Response | undefined | Promise<Response | undefined>;
	stop(): Promise<void>;
}

/**
 * A proxy on 127.0.0.1 that logs every request and forwards it to `target` (GET and HEAD, the
 * answer's status, headers and body as they are); a target that does not answer is a 502.
 */
export function loggingProxy(target: string): LoggingProxy {
	const to = target.replace(/\/+$/, "");
	const requests: string[] = [];
	const server = Bun.serve({
		hostname: "127.0.0.1",
		port: 0,
		async fetch(req) {
			const url = new URL(req.url);
			requests.push(`${url.pathname}${url.search}`);
			const answer = await proxy.onRequest?.(requests.length, url);
			if (answer) return answer;
			try {
				const res = await fetch(`${to}${url.pathname}${url.search}`, {
					method: req.method,
					headers: { accept: req.headers.get("accept") ?? "*/*", "accept-encoding": "identity" },
					redirect: "manual",
				});
				const headers = new Headers(res.headers);
				headers.delete("content-encoding");
				headers.delete("content-length");
				headers.delete("transfer-encoding");
				return new Response(await res.arrayBuffer(), { status: res.status, headers });
			} catch (err) {
				return new Response(`proxy: ${(err as Error).message}`, { status: 502 });
			}
		},
	});
	const proxy: LoggingProxy = {
		base: `http://127.0.0.1:${server.port}`,
		requests,
		async stop() {
			await server.stop(true);
		},
	};
	return proxy;
}
