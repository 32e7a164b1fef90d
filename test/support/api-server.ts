/**
 * The registry's HTTP app serving a registry document given inline, two ways:
 * - in process, `createApiApp(doc)`: each request is `app.fetch(new Request("http://registry.test/…"))`,
 *   no port, no server; what most tests use;
 * - on a real port, `startApiServer(doc)` (127.0.0.1, port 0, through src/runtime.ts `serve`), for
 *   what only a server shows: Content-Length, HEAD without a body, the bytes on the wire. Tests
 *   start it in beforeAll and `stop()` it in afterAll.
 * Both answer `request(path, init)` the same way, so a test reads the same against either, and
 * `swap(data)` serves other data from then on, as the end of a reload does.
 */
import { type App, createApp, type ServedData } from "../../src/http/app.ts";
import { silentLogger } from "../../src/log.ts";
import { buildSnapshotData } from "../../src/registry/load.ts";
import { Snapshot, type SnapshotData } from "../../src/registry/snapshot.ts";
import { serve } from "../../src/runtime.ts";

export const BUILD = { version: "1.2.3", gitCommit: "abc", buildTime: "2026-01-01T00:00:00Z" };
export const OFFICIAL = "io.modelcontextprotocol.registry/official";
/** The modification time standing in for missing timestamps. */
export const MTIME = new Date("2025-01-01T00:00:00.000Z");

/** The origin of in-process requests. */
export const ORIGIN = "http://registry.test";

export interface ApiTarget {
	/** What the app serves from: a plain stand-in for the RegistryStore, swapped by `swap`. */
	store: TestStore;
	/** One request for `path` (with its query): what the app sent, no redirect followed, nothing decompressed. */
	request(path: string, init?: RequestInit): Promise<Response>;
	/** Serves `data` from now on: what a reload does once its data is built (no load is counted). */
	swap(data: SnapshotData): void;
}

/** The app in process. */
export interface ApiApp extends ApiTarget {
	app: App;
}

/** The app behind a real server (its paths given to Bun as native routes, as main.ts does). */
export interface ApiServer extends ApiTarget {
	app: App;
	/** `http://127.0.0.1:<port>`, no trailing slash. */
	base: string;
	stop(): Promise<void>;
}

export interface ApiServerOptions {
	githubClientId?: string;
	file?: string;
	/** /health with its detail (MCP_REGISTRY_HEALTH_DETAIL=true). */
	healthDetail?: boolean;
}

/** Snapshot data of a registry document, as the loader builds it (invalid entries rejected). */
export function snapshotData(doc: unknown, file = "test-registry.json"): SnapshotData {
	return buildSnapshotData(doc, { file, invalidEntries: "reject", mtime: MTIME });
}

/** The app's view of a store, writable: tests swap data in as a replace would. */
export type TestStore = { -readonly [K in keyof ServedData]: ServedData[K] };

/** A store serving `data` that has seen no load (override what a test needs). */
export function testStore(data: SnapshotData, o: Partial<TestStore> = {}): TestStore {
	return {
		current: new Snapshot(data),
		lastLoad: undefined,
		loads: { success: 0, failure: 0, timeout: 0 },
		lastDurationMs: 0,
		...o,
	};
}

function swapIn(store: TestStore, data: SnapshotData): void {
	store.current = new Snapshot(data);
}

function storeAndApp(doc: unknown, options: ApiServerOptions): { store: TestStore; app: App } {
	const file = options.file ?? "test-registry.json";
	const store = testStore(snapshotData(doc, file));
	const app = createApp({
		store,
		build: BUILD,
		cacheMaxAge: 10,
		log: silentLogger,
		...(options.githubClientId !== undefined ? { githubClientId: options.githubClientId } : {}),
		...(options.healthDetail !== undefined ? { healthDetail: options.healthDetail } : {}),
	});
	return { store, app };
}

export function createApiApp(doc: unknown, options: ApiServerOptions = {}): ApiApp {
	const { store, app } = storeAndApp(doc, options);
	return {
		app,
		store,
		request: async (path, init) => app.fetch(new Request(`${ORIGIN}${path}`, init)),
		swap: (data) => swapIn(store, data),
	};
}

export function startApiServer(doc: unknown, options: ApiServerOptions = {}): ApiServer {
	const { store, app } = storeAndApp(doc, options);
	const server = serve({ hostname: "127.0.0.1", port: 0, fetch: app.fetch, routes: app.routes });
	const base = `http://127.0.0.1:${server.port}`;
	let stopped = false;
	return {
		app,
		base,
		store,
		request: (path, init) => raw(`${base}${path}`, init),
		swap: (data) => swapIn(store, data),
		async stop() {
			if (stopped) return;
			stopped = true;
			await server.stop();
		},
	};
}

export interface EntryOptions {
	description?: string;
	status?: "active" | "deprecated" | "deleted";
	statusMessage?: string;
	publishedAt?: string;
	updatedAt?: string;
	statusChangedAt?: string;
	isLatest?: boolean;
	/** Extra fields of the server document. */
	extra?: Record<string, unknown>;
	/** Extra keys of `_meta`, beside the official one. */
	meta?: Record<string, unknown>;
}

/** One API-list-shape item: `{"server": {...}, "_meta": {"io.modelcontextprotocol.registry/official": {...}}}`. */
export function entry(name: string, version: string, o: EntryOptions = {}): Record<string, unknown> {
	const official: Record<string, unknown> = {
		status: o.status ?? "active",
		publishedAt: o.publishedAt ?? "2025-06-01T00:00:00Z",
		updatedAt: o.updatedAt ?? o.publishedAt ?? "2025-06-01T00:00:00Z",
	};
	if (o.statusMessage !== undefined) official.statusMessage = o.statusMessage;
	if (o.statusChangedAt !== undefined) official.statusChangedAt = o.statusChangedAt;
	if (o.isLatest !== undefined) official.isLatest = o.isLatest;
	return {
		server: {
			$schema: "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json",
			name,
			description: o.description ?? `The ${name} server`,
			version,
			...o.extra,
		},
		_meta: { ...o.meta, [OFFICIAL]: official },
	};
}

export const registryDoc = (servers: Record<string, unknown>[]) => ({ servers });

/** A fetch with no automatic decompression and no redirect following: what the server sent. */
export function raw(url: string, init: RequestInit = {}): Promise<Response> {
	return fetch(url, { redirect: "manual", decompress: false, ...init } as RequestInit);
}

/** GET `path` with `Accept-Encoding: identity`, body parsed as JSON. */
export async function getJson(
	target: ApiTarget,
	path: string,
	headers: Record<string, string> = {},
): Promise<{ res: Response; text: string; body: unknown }> {
	const res = await target.request(path, { headers: { "Accept-Encoding": "identity", ...headers } });
	const text = await res.text();
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		body = undefined;
	}
	return { res, text, body };
}
