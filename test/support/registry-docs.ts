/**
 * Registry documents for the loader's unit tests, built inline: server.json documents, API list
 * items, and what a load made of them read back through a Snapshot.
 */
import { expect } from "bun:test";
import { buildSnapshotData, type InvalidEntries, RegistryLoadError } from "../../src/registry/load.ts";
import { Snapshot, type SnapshotData } from "../../src/registry/snapshot.ts";

export type Obj = Record<string, unknown>;

export const MTIME = new Date("2025-01-01T00:00:00Z");
export const MTIME_ISO = "2025-01-01T00:00:00Z";
export const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
export const OFFICIAL = "io.modelcontextprotocol.registry/official";
export const OFFICIAL_FIELD = `_meta["${OFFICIAL}"]`;
export const FILE = "test.json";

export const okPackage = { registryType: "npm", identifier: "pkg", transport: { type: "stdio" } };

export function server(name: string, version: string, extra: Obj = {}): Obj {
	return { $schema: SCHEMA, name, description: "A test server", version, ...extra };
}

/** An API list item; `official` undefined → no _meta at all. */
export function item(doc: unknown, official?: Obj, otherMeta: Obj = {}): Obj {
	if (official === undefined && Object.keys(otherMeta).length === 0) return { server: doc };
	return { server: doc, _meta: { ...otherMeta, ...(official ? { [OFFICIAL]: official } : {}) } };
}

export const api = (...items: unknown[]) => ({ servers: items });

export function build(
	doc: unknown,
	invalidEntries: InvalidEntries = "reject",
	keepProblems?: number,
): SnapshotData {
	return buildSnapshotData(doc, { file: FILE, invalidEntries, mtime: MTIME, keepProblems });
}

export function loadError(fn: () => unknown): RegistryLoadError {
	try {
		fn();
	} catch (err) {
		expect(err).toBeInstanceOf(RegistryLoadError);
		return err as RegistryLoadError;
	}
	throw new Error("expected a RegistryLoadError");
}

export const decoder = new TextDecoder();

/** Every entry as served, in list order. */
export function entries(data: SnapshotData): Obj[] {
	const snap = new Snapshot(data);
	const out: Obj[] = [];
	for (let i = 0; i < snap.count; i++) out.push(JSON.parse(decoder.decode(snap.entry(i))) as Obj);
	return out;
}

/** Every entry exactly as it is served (its bytes as text), in list order. */
export function entryTexts(data: Pick<SnapshotData, "index">): string[] {
	const { arena, chunkOf, spans, count } = data.index;
	const out: string[] = [];
	for (let i = 0; i < count; i++) {
		out.push(
			decoder.decode((arena[chunkOf[i] as number] as Uint8Array).subarray(spans[2 * i], spans[2 * i + 1])),
		);
	}
	return out;
}

export function officialOf(entry: Obj): Obj {
	return (entry._meta as Obj)[OFFICIAL] as Obj;
}

/** name@version of every entry with isLatest true, from the serialised entries. */
export function latestOf(data: SnapshotData): string[] {
	return entries(data)
		.filter((e) => officialOf(e).isLatest === true)
		.map((e) => `${(e.server as Obj).name}@${(e.server as Obj).version}`);
}

export const bytes = (text: string) => new TextEncoder().encode(text);

/**
 * A registry file's text in the API list shape: one active entry each, published and updated
 * 2025-11-01, described "Server NAME" (a name alone: version 1.0.0).
 */
export function registryJson(
	...entries: (string | { name: string; version?: string; extra?: Record<string, unknown> })[]
): string {
	return `${JSON.stringify({
		servers: entries.map((e) => {
			const { name, version = "1.0.0", extra = {} } = typeof e === "string" ? { name: e } : e;
			return {
				server: { $schema: SCHEMA, name, description: `Server ${name}`, version, ...extra },
				_meta: {
					[OFFICIAL]: {
						status: "active",
						publishedAt: "2025-11-01T00:00:00Z",
						updatedAt: "2025-11-01T00:00:00Z",
						isLatest: true,
					},
				},
			};
		}),
	})}\n`;
}
