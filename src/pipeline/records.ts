/**
 * A registry as the pipeline commands see it: its entries as the server serves them (the
 * ServerResponse JSON the loader wrote, official metadata normalised), one record each, in list
 * order. Files and crawled pages are read with the server's own loader, so `pull`, `diff` and
 * `publish` judge a registry exactly as the server would; nothing about a file is read twice.
 */

import { chooseLatestSorted } from "../registry/latest.ts";
import {
	type InvalidEntries,
	loadRegistryBytes,
	loadRegistryBytesPaced,
	loadRegistryFile,
	readRegistryFile,
} from "../registry/load.ts";
import { OFFICIAL } from "../registry/official.ts";
import { byNameVersion } from "../registry/parts.ts";
import type { LoadReport } from "../registry/report.ts";
import { type SnapshotData, type SnapshotIndex, STATUSES, type Status } from "../registry/snapshot.ts";
import { splitRegistry } from "../registry/split.ts";

/** Our own metadata on a pulled entry, beside the official one: where it came from, and when. */
export const PULL_META = "registry.self-hosted/pull";

export interface RegistryRecord {
	name: string;
	version: string;
	status: Status;
	/** Timestamp keys (time.ts: fixed-width UTC), comparable as strings. */
	updated: string;
	published: string;
	/** The latest version of its name, as the loader chose it. */
	latest: boolean;
	/** The entry as served: `{"server":{…},"_meta":{…}}`, UTF-8. */
	json: Uint8Array;
}

export interface RegistryRead {
	records: RegistryRecord[];
	report: LoadReport;
}

/** The records of loaded data, in list order (each entry's bytes a view of the arena, uncopied). */
export function recordsOf(index: SnapshotIndex): RegistryRecord[] {
	const out: RegistryRecord[] = new Array(index.count);
	for (let i = 0; i < index.count; i++) {
		const chunk = index.arena[index.chunkOf[i] as number] as Uint8Array;
		out[i] = {
			name: index.names[i] as string,
			version: index.versions[i] as string,
			status: STATUSES[index.status[i] as number] as Status,
			updated: index.updated[i] as string,
			published: index.published[i] as string,
			latest: index.latest[i] === 1,
			json: chunk.subarray(index.spans[2 * i], index.spans[2 * i + 1]),
		};
	}
	return out;
}

const readOf = (data: SnapshotData): RegistryRead => ({
	records: recordsOf(data.index),
	report: data.provenance.report,
});

export interface ReadOptions {
	/** How errors name the registry (default: the path). */
	name?: string;
	invalidEntries: InvalidEntries;
	maxBytes?: number;
}

/** A registry file in any shape the server accepts, read and validated by the server's loader. */
export async function readRegistry(path: string, o: ReadOptions): Promise<RegistryRead> {
	return readOf(
		await loadRegistryFile(path, { invalidEntries: o.invalidEntries, maxBytes: o.maxBytes, name: o.name }),
	);
}

/** The same for bytes in hand (a crawl); missing timestamps default to `mtime`. */
export function readRegistryBytes(
	bytes: Uint8Array,
	name: string,
	invalidEntries: InvalidEntries,
	/** How many problems the report keeps in full (default 20). */
	keepProblems?: number,
): RegistryRead {
	return readOf(loadRegistryBytes(bytes, { file: name, invalidEntries, mtime: new Date(), keepProblems }));
}

/** The same in slices of `budgetMs`, serving the event loop between them. */
export async function readRegistryBytesPaced(
	bytes: Uint8Array,
	name: string,
	invalidEntries: InvalidEntries,
	budgetMs: number,
	signal?: AbortSignal,
	keepProblems?: number,
): Promise<RegistryRead> {
	return readOf(
		await loadRegistryBytesPaced(
			bytes,
			{ file: name, invalidEntries, mtime: new Date(), keepProblems },
			budgetMs,
			signal,
		),
	);
}

/**
 * The top-level `metadata` of a registry file in the API list shape (undefined for other shapes
 * or none): the file split as the loader splits it, only the rest of it parsed.
 */
export async function fileMetadata(
	path: string,
	maxBytes?: number,
): Promise<Record<string, unknown> | undefined> {
	const { bytes } = await readRegistryFile(path, { maxBytes });
	const split = splitRegistry(bytes);
	if (split?.top !== "object") return undefined;
	try {
		const metadata = (JSON.parse(new TextDecoder().decode(split.skeleton)) as { metadata?: unknown })
			.metadata;
		return typeof metadata === "object" && metadata !== null && !Array.isArray(metadata)
			? (metadata as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

/** The key of an entry: its name and version. */
export const keyOf = (r: { name: string; version: string }) => `${r.name}\u0000${r.version}`;

/** An ISO timestamp (RFC 3339, UTC, as the API serves it) of a timestamp key. */
export function isoOfKey(key: string): string {
	return key.replace(/\.?0*Z$/, "Z");
}

/** Records in list order. */
export function sortRecords<R extends { name: string; version: string }>(records: R[]): R[] {
	return records.sort(byNameVersion);
}

/** Which records the loader would make the latest of their names: 1 for those, in list order. */
function latestFlags(sorted: readonly RegistryRecord[]): Uint8Array {
	return chooseLatestSorted(
		sorted.map((r) => ({
			name: r.name,
			version: r.version,
			published: r.published,
			flaggedLatest: r.latest,
		})),
	);
}

/** The latest record of each name, as the loader chooses it over these records (in list order). */
export function latestOnly(sorted: readonly RegistryRecord[]): RegistryRecord[] {
	const flags = latestFlags(sorted);
	return sorted.filter((_, i) => flags[i] === 1);
}

/**
 * Records in list order, each saying whether it is the latest of its name as the loader would
 * choose it over them all: a merge may hold two versions flagged latest (one held, one newly
 * pulled) or none; the records that say otherwise are rewritten, the rest kept as they are.
 */
export function withLatestFlags(sorted: readonly RegistryRecord[]): RegistryRecord[] {
	const flags = latestFlags(sorted);
	return sorted.map((r, i) => withLatest(r, flags[i] === 1));
}

/** The record saying it is (or is not) the latest of its name: rewritten only when it says otherwise. */
export function withLatest(r: RegistryRecord, latest: boolean): RegistryRecord {
	if (latest === r.latest) return r;
	const doc = parseRecord(r);
	const official = doc._meta?.[OFFICIAL] as Record<string, unknown> | undefined;
	if (official) official.isLatest = latest;
	return { ...r, latest, json: new TextEncoder().encode(JSON.stringify(doc)) };
}

/**
 * The isLatest flag each entry of a registry's API page bytes carries, by key: what the source
 * decided over all its versions. The loader decides again over what it is given, which for an
 * incremental crawl is only the versions that changed.
 */
export function sourceLatestFlags(bytes: Uint8Array): Map<string, boolean> {
	const flags = new Map<string, boolean>();
	const doc = JSON.parse(new TextDecoder().decode(bytes)) as { servers?: unknown };
	if (!Array.isArray(doc.servers)) return flags;
	for (const e of doc.servers as {
		server?: { name?: unknown; version?: unknown };
		_meta?: Record<string, unknown>;
	}[]) {
		const name = e?.server?.name;
		const version = e?.server?.version;
		const flag = (e?._meta?.[OFFICIAL] as { isLatest?: unknown } | undefined)?.isLatest;
		if (typeof name === "string" && typeof version === "string" && typeof flag === "boolean") {
			flags.set(keyOf({ name, version }), flag);
		}
	}
	return flags;
}

/** The entry parsed: `{server, _meta}`. */
export function parseRecord(r: Pick<RegistryRecord, "json">): ParsedEntry {
	return JSON.parse(decoder.decode(r.json));
}

/** An entry as served, parsed. */
export interface ParsedEntry {
	server: Record<string, unknown>;
	_meta?: Record<string, unknown>;
}

const decoder = new TextDecoder();

/**
 * A registry file in the API list shape, `{"servers":[…],"metadata":{"count":N}}`, of records
 * in the given order: what the server writes, serves and loads again unchanged.
 */
export function registryBytes(
	records: readonly { json: Uint8Array }[],
	/** More of the file's `metadata` (which the loader ignores), beside the count. */
	metadata: Record<string, unknown> = {},
): Uint8Array {
	const close = `\n],"metadata":${JSON.stringify({ count: records.length, ...metadata })}}\n`;
	return joinEntries(
		'{"servers":[\n',
		records.map((r) => r.json),
		",\n",
		close,
	);
}

/** `open`, the entries with `separator` between them, `close`: one buffer, each entry copied once. */
export function joinEntries(
	open: string,
	entries: readonly Uint8Array[],
	separator: string,
	close: string,
): Uint8Array {
	const encoder = new TextEncoder();
	const [head, sep, tail] = [open, separator, close].map((s) => encoder.encode(s)) as [
		Uint8Array,
		Uint8Array,
		Uint8Array,
	];
	let size = head.byteLength + tail.byteLength + Math.max(0, entries.length - 1) * sep.byteLength;
	for (const e of entries) size += e.byteLength;
	const out = new Uint8Array(size);
	let at = 0;
	const put = (b: Uint8Array) => {
		out.set(b, at);
		at += b.byteLength;
	};
	put(head);
	entries.forEach((e, i) => {
		if (i > 0) put(sep);
		put(e);
	});
	put(tail);
	return out;
}
