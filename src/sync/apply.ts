/**
 * One S3 object → the served registry, or nothing at all: stream it into a uniquely named
 * temporary file beside the target and fsync it; the store then validates and builds it, and
 * the commit step given here renames it over the target and fsyncs the directory before the
 * swap. Any failure leaves the old file and the old data exactly as they were and removes the
 * temporary file.
 */
import { chmod, open, readdir, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { AwsError } from "../aws/errors.ts";
import type { S3Client } from "../aws/s3.ts";
import { commitTemp, makeParentDir, modeFor, tempPathFor } from "../fsutil.ts";
import type { Logger } from "../log.ts";
import type { AppliedObject } from "../registry/applied.ts";
import { type InvalidEntries, RegistryLoadError } from "../registry/load.ts";
import type { RegistryStore } from "../registry/store.ts";
import { compareSequencers, type ObjectRef } from "./messages.ts";

export interface ApplyContext {
	s3: S3Client;
	store: RegistryStore;
	/** MCP_REGISTRY_JSON_FILE_PATH. */
	target: string;
	maxBytes: number;
	log: Logger;
}

export type ApplyOutcome =
	| { result: "applied"; bytes: number; etag?: string }
	| { result: "skipped"; reason: string };

/** A failure that no retry of the same message can fix (an invalid or too-large object). */
export class PermanentSyncError extends Error {
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = "PermanentSyncError";
	}
}

export const describeRef = (ref: Pick<ObjectRef, "bucket" | "key">) => `s3://${ref.bucket}/${ref.key}`;

/** Why `ref` need not be downloaded, or undefined. */
export function skipReason(ref: ObjectRef, applied: Readonly<AppliedObject>): string | undefined {
	const key = refKey(ref);
	const known = applied.sequencerOf(key);
	if (ref.sequencer && known) {
		const order = compareSequencers(ref.sequencer, known);
		// An older event never wins; the same event again only while its bytes are still served.
		if (order < 0) return `its S3 event sequencer ${ref.sequencer} is older than the applied ${known}`;
		if (order === 0 && applied.fromKey === key)
			return `its S3 event sequencer ${ref.sequencer} is already applied`;
	}
	if (ref.etag && applied.etag && ref.etag === applied.etag) return `ETag ${ref.etag} is already applied`;
	return undefined;
}

const refKey = (ref: ObjectRef) => `${ref.bucket}/${ref.key}`;

/** Removes temporary files a crash left beside the target. */
export async function removeLeftoverTempFiles(target: string, log: Logger): Promise<number> {
	const dir = dirname(target);
	const prefix = `.${basename(target)}.`;
	let removed = 0;
	let names: string[];
	try {
		names = await readdir(dir);
	} catch {
		return 0;
	}
	for (const name of names) {
		// Ours, or one a mirror round's pull made beside its own (`..registry.json.….tmp.….tmp`).
		const ours = name.startsWith(prefix) || name.startsWith(`.${prefix}`);
		if (!ours || !/\.\d+\.[0-9a-f]{12}\.tmp$/.test(name)) continue;
		try {
			await unlink(join(dir, name));
			removed++;
			log.info(`Removed leftover temporary file ${join(dir, name)}`);
		} catch {}
	}
	return removed;
}

/**
 * Downloads one object and has the store replace the served data with it (steps 3–6 of the sync
 * workflow). The download runs under the store's lock, so it sees the applied state the last
 * replace left and nothing swaps in between; `onProgress` is called as bytes arrive.
 */
export async function applyObject(
	ctx: ApplyContext,
	ref: ObjectRef,
	signal?: AbortSignal,
	onProgress?: () => void,
	/** Overrides MCP_REGISTRY_INVALID_ENTRIES for this object (a seed must be wholly valid). */
	invalidEntries?: InvalidEntries,
): Promise<ApplyOutcome> {
	const { log, target } = ctx;
	const what = describeRef(ref);
	let bytes = 0;
	let etag: string | undefined;
	const outcome = await ctx.store
		.replace({
			prepare: async (applied) => {
				onProgress?.();
				const skip = skipReason(ref, applied);
				if (skip) return { skip };
				const fetched = await download(ctx, ref, applied.etag, signal, onProgress);
				if ("skip" in fetched) return fetched;
				bytes = fetched.bytes;
				etag = fetched.etag;
				const temp = fetched.temp;
				onProgress?.();
				log.info("Reloading database from updated file...");
				return {
					source: temp,
					name: what,
					invalidEntries,
					origin: { key: refKey(ref), etag: fetched.etag, sequencer: ref.sequencer },
					commit: async () => {
						await chmod(temp, await modeFor(target));
						await commitTemp(temp, target);
					},
					// Gone by now when committed; otherwise it must not stay behind.
					cleanup: () => unlink(temp).catch(() => {}),
				};
			},
		})
		.catch((err: unknown) => {
			throw permanence(err);
		});
	if (outcome.result === "skipped") return outcome;
	log.info("Database reloaded successfully", { entries: outcome.snapshot.count, source: what });
	return { result: "applied", bytes, etag };
}

/** Streams the object into a new temporary file beside the target, fsynced; or a 304 skip. */
async function download(
	ctx: ApplyContext,
	ref: ObjectRef,
	appliedEtag: string | undefined,
	signal: AbortSignal | undefined,
	onProgress: (() => void) | undefined,
): Promise<{ temp: string; bytes: number; etag?: string } | { skip: string }> {
	const { log, target } = ctx;
	log.info(`Downloading ${describeRef(ref)} to ${target}`);
	// A new replica's folder may not exist yet: the first object makes it.
	await makeParentDir(target);
	const temp = tempPathFor(target);
	const handle = await open(temp, "wx", 0o600);
	let kept = false;
	try {
		const result = await ctx.s3.getObject(
			{
				bucket: ref.bucket,
				key: ref.key,
				region: ref.region,
				versionId: ref.versionId,
				ifNoneMatch: appliedEtag,
				maxBytes: ctx.maxBytes,
				signal,
			},
			{
				write: async (chunk) => {
					await handle.write(chunk);
					onProgress?.();
				},
			},
		);
		if (result.notModified) return { skip: `S3 answered 304: ETag ${appliedEtag} is already applied` };
		await handle.sync();
		kept = true;
		log.info(`Successfully downloaded ${result.bytes} bytes from S3`);
		return { temp, bytes: result.bytes, etag: result.etag };
	} finally {
		await handle.close().catch(() => {});
		if (!kept) await unlink(temp).catch(() => {});
	}
}

/** Failures no retry of the same message can fix become PermanentSyncError. */
function permanence(err: unknown): unknown {
	if (err instanceof PermanentSyncError) return err;
	// Invalid, unreadable or too slow to build: the same object would fail the same way now.
	if (err instanceof RegistryLoadError) return new PermanentSyncError(err.message, { cause: err });
	if (err instanceof AwsError && err.code === "ObjectTooLarge")
		return new PermanentSyncError(err.message, { cause: err });
	if (err instanceof AwsError && !err.retryable && (err.status === 404 || err.status === 403))
		return new PermanentSyncError(err.message, { cause: err });
	return err;
}
