/**
 * The registry's HTTP app on a real port (127.0.0.1, port 0), serving a registry document
 * given inline. Tests call `startApiServer(doc)` in beforeAll and `stop()` in afterAll.
 */
import { createApp } from "../../src/http/app.ts";
import { silentLogger } from "../../src/log.ts";
import { buildSnapshotData, type SnapshotData } from "../../src/registry/load.ts";
import { RegistryStore } from "../../src/registry/store.ts";
import { serve } from "../../src/runtime.ts";

export const BUILD = { version: "1.2.3", gitCommit: "abc", buildTime: "2026-01-01T00:00:00Z" };
export const OFFICIAL = "io.modelcontextprotocol.registry/official";
/** The modification time standing in for missing timestamps. */
export const MTIME = new Date("2025-01-01T00:00:00.000Z");

export interface ApiServer {
	/** `http://127.0.0.1:<port>`, no trailing slash. */
	base: string;
	store: RegistryStore;
	stop(): Promise<void>;
}

export interface ApiServerOptions {
	githubClientId?: string;
	file?: string;
}

/** Snapshot data of a registry document, as the loader builds it (invalid entries rejected). */
export function snapshotData(doc: unknown, file = "test-registry.json"): SnapshotData {
	return buildSnapshotData(doc, { file, invalidEntries: "reject", mtime: MTIME });
}

export function startApiServer(doc: unknown, options: ApiServerOptions = {}): ApiServer {
	const file = options.file ?? "test-registry.json";
	const store = new RegistryStore({
		path: file,
		invalidEntries: "reject",
		log: silentLogger,
		loader: "inline",
	});
	store.swap(snapshotData(doc, file));
	const app = createApp({
		store,
		build: BUILD,
		cacheMaxAge: 10,
		log: silentLogger,
		...(options.githubClientId !== undefined ? { githubClientId: options.githubClientId } : {}),
	});
	const server = serve({ hostname: "127.0.0.1", port: 0, fetch: app.fetch });
	let stopped = false;
	return {
		base: `http://127.0.0.1:${server.port}`,
		store,
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

/** GET with `Accept-Encoding: identity`, body parsed as JSON. */
export async function getJson(
	url: string,
	headers: Record<string, string> = {},
): Promise<{ res: Response; text: string; body: unknown }> {
	const res = await raw(url, { headers: { "Accept-Encoding": "identity", ...headers } });
	const text = await res.text();
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		body = undefined;
	}
	return { res, text, body };
}
