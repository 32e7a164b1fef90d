/**
 * The registry's HTTP application: a plain `fetch(Request) → Response`, runtime-agnostic, made
 * of small parts. Before routing, the CORS preflight and trailing-slash stages (cors.ts,
 * trailing-slash.ts) may answer; then the router (router.ts) names a handler, a function of the
 * request and the snapshot being served; send.ts turns the reply into a Response (CORS headers,
 * compression, ETags and 304s). Around it all: /metrics timing, and a 500 that leaks nothing.
 */
import type { BuildInfo } from "../build-info.ts";
import type { Gauge } from "../gauge.ts";
import type { Logger } from "../log.ts";
import type { Snapshot } from "../registry/snapshot.ts";
import type { RegistryStore } from "../registry/store.ts";
import { runtimeName } from "../runtime.ts";
import { UI_ROUTES } from "../ui/routes.ts";
import { createUi, type UiSettings } from "../ui/ui.ts";
import { type CacheStats, ResponseCache, type Tier } from "./cache.ts";
import { corsPreflight } from "./cors.ts";
import { renderDocs } from "./docs.ts";
import { Front } from "./front.ts";
import { HttpMetrics, renderGauges } from "./metrics.ts";
import { buildOpenApi } from "./openapi.ts";
import {
	encodeCursor,
	parseIncludeDeleted,
	parseListParams,
	parseQuery,
	pathParam,
	validationFailed,
} from "./params.ts";
import { compose, type Next, type Routed } from "./pipeline.ts";
import { ENDPOINT_NOT_FOUND, notFound, type Problem, type ProblemItem, READ_ONLY } from "./problem.ts";
import { registryGauges } from "./registry-gauges.ts";
import { JSON_TYPE, jsonReply, NO_STORE, problemReply, type Reply, reply } from "./respond.ts";
import { createRouter, splitUrl } from "./router.ts";
import { type HandlerName, ROUTES } from "./routes.ts";
import { toResponse } from "./send.ts";
import { trailingSlash } from "./trailing-slash.ts";
import { validateRequest } from "./validate.ts";
import { toYaml } from "./yaml.ts";

/** `{p}/auth` and below: the prefix (group 1). */
const AUTH_PATH = /^(\/v0|\/v0\.1)\/auth(?:\/|$)/;

/**
 * What the app reads of the store: the snapshot being served (read at each request) and how the
 * loads went. The app never changes the data; a test can hand it a plain object.
 */
export type ServedData = Pick<RegistryStore, "current" | "lastLoad" | "loads" | "lastDurationMs">;

export interface AppOptions {
	store: ServedData;
	build: BuildInfo;
	cacheMaxAge: number;
	githubClientId?: string;
	registryVersion?: string;
	/**
	 * /health with the detail (the data's source and hash, the last load with its error, the sync
	 * state with the queue URL); by default only status, github_client_id and counts.
	 */
	healthDetail?: boolean;
	log: Logger;
	/** The response cache's budget per loaded data, bytes of estimated memory (default 48 MiB). */
	cacheBytes?: number;
	/** The sync listener's state, for /health (absent: sync disabled). */
	syncState?: () => Record<string, unknown>;
	/** More metrics to expose (the sync listener's). */
	extraMetrics?: () => Gauge[];
	/** The web UI at / (src/ui); absent: no UI, / redirects to /docs. */
	ui?: UiSettings;
}

interface Context {
	req: Request;
	query: string;
	params: string[];
	snapshot: Snapshot;
}

const encoder = new TextEncoder();

/** `{"servers":[…],"metadata":{…}}` from pre-serialised entries, by concatenation. */
function listBody(snapshot: Snapshot, items: number[], nextCursor?: string): Uint8Array {
	const head = encoder.encode('{"servers":[');
	const meta = nextCursor
		? `],"metadata":{"count":${items.length},"nextCursor":${JSON.stringify(nextCursor)}}}\n`
		: `],"metadata":{"count":${items.length}}}\n`;
	const tail = encoder.encode(meta);
	let size = head.length + tail.length + Math.max(0, items.length - 1);
	for (const i of items) size += snapshot.entry(i).byteLength;
	const out = new Uint8Array(size);
	out.set(head, 0);
	let at = head.length;
	for (let k = 0; k < items.length; k++) {
		if (k > 0) out[at++] = 44; // ","
		const e = snapshot.entry(items[k] as number);
		out.set(e, at);
		at += e.byteLength;
	}
	out.set(tail, at);
	return out;
}

function entryBody(snapshot: Snapshot, i: number): Uint8Array {
	const e = snapshot.entry(i);
	const out = new Uint8Array(e.byteLength + 1);
	out.set(e, 0);
	out[e.byteLength] = 10;
	return out;
}

export interface App {
	/** A Response at once, but for a route that reads the request body (POST {p}/validate). */
	fetch(req: Request): Response | Promise<Response>;
	metrics: HttpMetrics;
	cacheStats: CacheStats;
	/** The answers kept ready (front.ts): how many, and the bytes of their bodies. */
	front: Pick<Front, "size" | "byteSize">;
	/** Every path served, as Bun's route patterns (`:name` for a parameter): see ServeOptions.routes. */
	routes: string[];
}

export function createApp(options: AppOptions): App {
	const { store, build, log } = options;
	const router = createRouter(options.ui ? [...ROUTES, ...UI_ROUTES] : ROUTES);
	const metrics = new HttpMetrics();
	const cacheStats: CacheStats = { hits: 0, misses: 0 };
	const caches = new WeakMap<Snapshot, ResponseCache>();
	const apiCache = `public, max-age=${options.cacheMaxAge}`;
	const startedAt = Date.now() / 1000;

	const front = new Front(metrics, cacheStats);

	const openapi = buildOpenApi();
	const statics = {
		openapiJson: reply(200, `${JSON.stringify(openapi, null, 2)}\n`, "application/json", apiCache),
		openapiYaml: reply(200, toYaml(openapi), "application/yaml", apiCache),
		docs: reply(200, renderDocs(openapi), "text/html; charset=utf-8", apiCache),
		ping: jsonReply({ pong: true }, NO_STORE),
		version: jsonReply(
			{ version: build.version, git_commit: build.gitCommit, build_time: build.buildTime },
			apiCache,
		),
		root: { status: 302, body: null, cacheControl: NO_STORE, headers: { Location: "/docs" } } as Reply,
	};
	// Made once, sent as they are: the front may keep them ready.
	for (const r of Object.values(statics)) r.shared = true;

	const cacheFor = (s: Snapshot): ResponseCache => {
		let c = caches.get(s);
		if (!c) {
			c = new ResponseCache(cacheStats, options.cacheBytes);
			caches.set(s, c);
		}
		return c;
	};

	const ui = options.ui
		? createUi(options.ui, { cacheFor, cacheControl: apiCache, version: build.version })
		: undefined;

	const includeDeletedOnly = (query: string): boolean | Problem => {
		const errors: ProblemItem[] = [];
		const v = parseIncludeDeleted(parseQuery(query), errors);
		return errors.length > 0 ? validationFailed(errors) : (v ?? false);
	};

	const handlers: Record<HandlerName, (ctx: Context) => Reply | Promise<Reply>> = {
		list(ctx) {
			const p = parseListParams(parseQuery(ctx.query));
			if ("status" in p) return problemReply(p);
			const key = `list\u0000${p.limit}\u0000${p.cursor ? `${p.cursor.name}\u0000${p.cursor.version ?? "\u0001"}` : ""}\u0000${p.search ?? ""}\u0000${p.version ?? ""}\u0000${p.updatedSince ?? ""}\u0000${p.includeDeleted}`;
			// What can be a hot page: the plain list or its latest versions, from the start or from
			// where one of our cursors left off. Searches, exact versions and updated_since are kept
			// apart (their own budget); a cursor naming no entry and an empty page never. The
			// parameters are the effective ones: a cursor carrying a search is a search.
			const plain = p.search === undefined && p.updatedSince === undefined;
			const tier: Tier = plain && (p.version === undefined || p.version === "latest") ? "hot" : "adhoc";
			const s = ctx.snapshot;
			return cacheFor(s).get(key, tier, () => {
				const reached = p.cursor === undefined || s.isEntryAt(s.firstAfter(p.cursor) - 1, p.cursor);
				const r = s.list({
					limit: p.limit,
					after: p.cursor,
					search: p.search,
					version: p.version,
					updatedSince: p.updatedSince,
					includeDeleted: p.includeDeleted,
				});
				const last = r.items[r.items.length - 1];
				const next =
					r.more && last !== undefined
						? encodeCursor(s.index.names[last] as string, s.index.versions[last] as string, p.carried)
						: undefined;
				return {
					reply: reply(200, listBody(s, r.items, next), JSON_TYPE, apiCache),
					keep: reached && r.items.length > 0,
				};
			});
		},
		versions(ctx) {
			const name = pathParam(ctx.params[0] as string, "server name");
			if (typeof name !== "string") return problemReply(name);
			const includeDeleted = includeDeletedOnly(ctx.query);
			if (typeof includeDeleted !== "boolean") return problemReply(includeDeleted);
			// Only names that exist are kept (a 404 never is): bounded by the data.
			return cacheFor(ctx.snapshot).get(`versions\u0000${name}\u0000${includeDeleted}`, "hot", () => {
				const items = ctx.snapshot.versions(name, includeDeleted);
				if (!items) return { reply: problemReply(notFound()), keep: false };
				return { reply: reply(200, listBody(ctx.snapshot, items), JSON_TYPE, apiCache), keep: true };
			});
		},
		get(ctx) {
			const name = pathParam(ctx.params[0] as string, "server name");
			if (typeof name !== "string") return problemReply(name);
			const version = pathParam(ctx.params[1] as string, "version");
			if (typeof version !== "string") return problemReply(version);
			const includeDeleted = includeDeletedOnly(ctx.query);
			if (typeof includeDeleted !== "boolean") return problemReply(includeDeleted);
			return cacheFor(ctx.snapshot).get(
				`get\u0000${name}\u0000${version}\u0000${includeDeleted}`,
				"hot",
				() => {
					const i = ctx.snapshot.find(name, version, includeDeleted);
					if (i === undefined) return { reply: problemReply(notFound()), keep: false };
					return { reply: reply(200, entryBody(ctx.snapshot, i), JSON_TYPE, apiCache), keep: true };
				},
			);
		},
		health(ctx) {
			const d = ctx.snapshot.provenance;
			const body: Record<string, unknown> = { status: "ok" };
			if (options.githubClientId) body.github_client_id = options.githubClientId;
			const counts = { entries: ctx.snapshot.index.count, names: ctx.snapshot.index.nameCount };
			// Paths, hashes, queue URLs and error texts are for operators who ask for them.
			if (!options.healthDetail) {
				body.data = counts;
				// The same for as long as the snapshot is served.
				return cacheFor(ctx.snapshot).get("health", "hot", () => ({
					reply: jsonReply(body, NO_STORE),
					keep: true,
				}));
			}
			const last = store.lastLoad;
			body.data = {
				...counts,
				loaded_at: d.loadedAt,
				age_seconds: Math.max(0, Math.round((Date.now() - Date.parse(d.loadedAt)) / 1000)),
				source: d.source,
				content_hash: d.contentHash ? `sha256:${d.contentHash}` : "",
				bytes: d.fileBytes,
				skipped: d.report.skipped,
				warnings: d.report.warnings.count,
				...(last
					? {
							last_load: {
								at: last.at,
								ok: last.ok,
								duration_ms: last.durationMs,
								...(last.error ? { error: last.error } : {}),
							},
						}
					: {}),
			};
			body.sync = options.syncState ? options.syncState() : { enabled: false };
			return jsonReply(body, NO_STORE);
		},
		ping: () => statics.ping,
		version: () => statics.version,
		readOnly: () => problemReply({ status: 501, detail: READ_ONLY }),
		async validate(ctx) {
			const r = await validateRequest(ctx.req);
			// Not cached, not conditional: an answer about this body only.
			return "status" in r ? problemReply(r) : { ...jsonReply(r, NO_STORE), etag: undefined };
		},
		openapiYaml: () => statics.openapiYaml,
		openapiJson: () => statics.openapiJson,
		docs: () => statics.docs,
		metrics(ctx) {
			const cache = cacheFor(ctx.snapshot);
			const gauges: Gauge[] = [
				...registryGauges(ctx.snapshot, {
					store,
					build,
					registryVersion: options.registryVersion,
					cacheStats,
					cache: { entries: cache.entries, bytes: cache.bytes, budget: cache.budget },
					startedAt,
				}),
				...(options.extraMetrics ? options.extraMetrics() : []),
			];
			const text = metrics.render() + renderGauges(gauges);
			return reply(200, text, "text/plain; version=0.0.4; charset=utf-8", NO_STORE);
		},
		root: (ctx) => (ui ? ui.browse(ctx.snapshot, ctx.query) : statics.root),
		uiServer: (ctx) =>
			ui
				? ui.server(ctx.snapshot, ctx.params, ctx.query)
				: problemReply({ status: 404, detail: ENDPOINT_NOT_FOUND }),
		uiAsset: (ctx) =>
			ui ? ui.asset(ctx.params[0] as string) : problemReply({ status: 404, detail: ENDPOINT_NOT_FOUND }),
	};

	/** The last stage: the router, and the handler it names. */
	const dispatch: Next = ({ req, path, query }) => {
		const m = router.match(req.method, path);
		switch (m.kind) {
			case "unmatched": {
				// Upstream's token exchanges, at any depth and by any method: nothing to publish here.
				const auth = AUTH_PATH.exec(path);
				if (auth)
					return {
						template: `${auth[1]}/auth/{method}`,
						reply: problemReply({ status: 501, detail: READ_ONLY }),
					};
				return { template: "unmatched", reply: problemReply({ status: 404, detail: ENDPOINT_NOT_FOUND }) };
			}
			case "options":
				return {
					template: m.template,
					reply: { status: 204, body: null, cacheControl: NO_STORE, headers: { Allow: m.allow } },
				};
			case "method-not-allowed":
				return {
					template: m.template,
					reply: problemReply({
						status: 405,
						detail: `Method ${req.method} is not allowed on ${m.template}; allowed: ${m.allow}`,
						headers: { Allow: m.allow },
					}),
				};
			case "handler":
				return {
					template: m.template,
					reply: handlers[m.handler]({ req, query: query ?? "", params: m.params, snapshot: store.current }),
				};
		}
	};
	const route = compose([corsPreflight, trailingSlash], dispatch);

	const done = (req: Request, started: number, template: string, res: Response): Response => {
		metrics.record(req.method, template, res.status, (performance.now() - started) / 1000);
		return res;
	};
	const failed = (req: Request, started: number, err: unknown, template = "unmatched"): Response => {
		log.error("Request failed", { method: req.method, url: req.url, error: err as Error });
		const res = toResponse(req, problemReply({ status: 500, detail: "unexpected error occurred" }));
		return done(req, started, template, res);
	};
	// Bun makes the URL from a Host it has checked (or gives the bare target): the URL alone says
	// where a request goes. Deno puts any Host text in it: the target is taken out first.
	const frontKey =
		runtimeName === "bun"
			? (req: Request) => req.url
			: (req: Request) => {
					const { path, query } = splitUrl(req.url, req.headers.get("host"));
					return query === undefined ? path : `${path}?${query}`;
				};

	return {
		metrics,
		cacheStats,
		front,
		routes: router.templates.map((t) => t.replace(/\{(\w+)\}/g, ":$1")),
		fetch(req: Request): Response | Promise<Response> {
			const started = performance.now();
			const method = req.method;
			let key: string | undefined;
			let snapshot: Snapshot;
			try {
				// Until the answer is made (synchronously), this is the snapshot every stage sees.
				snapshot = store.current;
				if (method === "GET" || method === "HEAD") {
					key = frontKey(req);
					const ready = front.answer(snapshot.serial, key, req, method === "HEAD", started);
					if (ready) return ready;
				}
			} catch (err) {
				return failed(req, started, err);
			}
			let r: Routed;
			try {
				r = route({ req, ...splitUrl(req.url, req.headers.get("host")) });
				if (!(r.reply instanceof Promise)) {
					if (key !== undefined) front.offer(snapshot.serial, key, r.template, r.reply);
					return done(req, started, r.template, toResponse(req, r.reply));
				}
			} catch (err) {
				return failed(req, started, err);
			}
			const { template } = r;
			return r.reply.then(
				(reply) => done(req, started, template, toResponse(req, reply)),
				(err) => failed(req, started, err, template),
			);
		},
	};
}
