/**
 * One S3 object → the served registry, or nothing at all: stream it into a uniquely named
 * temporary file beside the target, fsync, validate and build the new Snapshot, then rename
 * over the target, fsync the directory and swap. Any failure leaves the old file and the old
 * data exactly as they were and removes the temporary file.
 */
import { createHash } from "node:crypto";
import { chmod, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { AwsError } from "../aws/errors.ts";
import type { S3Client } from "../aws/s3.ts";
import { fsyncDir, modeFor, tempPathFor } from "../fsutil.ts";
import type { Logger } from "../log.ts";
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

/** What has been applied, to skip what is already served or older than it. */
export class AppliedState {
	/** ETag of the object behind the served file (at start: the MD5 of the file on disk). */
	etag: string | undefined;
	private readonly sequencers = new Map<string, string>();

	sequencerOf(ref: ObjectRef): string | undefined {
		return this.sequencers.get(`${ref.bucket}/${ref.key}`);
	}

	remember(ref: ObjectRef, etag: string | undefined): void {
		this.etag = etag?.replace(/"/g, "");
		if (ref.sequencer) this.sequencers.set(`${ref.bucket}/${ref.key}`, ref.sequencer);
	}

	/** Starts from the file on disk: a single-part S3 object's ETag is the MD5 of its bytes. */
	static async fromFile(path: string): Promise<AppliedState> {
		const state = new AppliedState();
		try {
			state.etag = createHash("md5")
				.update(await readFile(path))
				.digest("hex");
		} catch {}
		return state;
	}
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

export const describeRef = (ref: ObjectRef) => `s3://${ref.bucket}/${ref.key}`;

/** Why `ref` need not be downloaded, or undefined. */
export function skipReason(ref: ObjectRef, state: AppliedState): string | undefined {
	const known = state.sequencerOf(ref);
	if (ref.sequencer && known && compareSequencers(ref.sequencer, known) <= 0) {
		return `its S3 event sequencer ${ref.sequencer} is not newer than the applied ${known}`;
	}
	if (ref.etag && state.etag && ref.etag === state.etag) return `ETag ${ref.etag} is already applied`;
	return undefined;
}

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
		if (!name.startsWith(prefix) || !/\.\d+\.[0-9a-f]{12}\.tmp$/.test(name)) continue;
		try {
			await unlink(join(dir, name));
			removed++;
			log.info(`Removed leftover temporary file ${join(dir, name)}`);
		} catch {}
	}
	return removed;
}

/** Downloads, validates and swaps in one object (steps 3–6 of the sync workflow). */
export function applyObject(
	ctx: ApplyContext,
	ref: ObjectRef,
	state: AppliedState,
	signal?: AbortSignal,
): Promise<ApplyOutcome> {
	// Under the store's lock: a reload or another apply never interleaves with this one.
	return ctx.store.exclusive(() => applyExclusively(ctx, ref, state, signal));
}

async function applyExclusively(
	ctx: ApplyContext,
	ref: ObjectRef,
	state: AppliedState,
	signal?: AbortSignal,
): Promise<ApplyOutcome> {
	const skip = skipReason(ref, state);
	if (skip) return { result: "skipped", reason: skip };
	const { log, target } = ctx;
	const what = describeRef(ref);
	log.info(`Downloading ${what} to ${target}`);
	const started = performance.now();
	const temp = tempPathFor(target);
	const handle = await open(temp, "wx", 0o600);
	let closed = false;
	let renamed = false;
	try {
		const result = await ctx.s3.getObject(
			{
				bucket: ref.bucket,
				key: ref.key,
				region: ref.region,
				versionId: ref.versionId,
				ifNoneMatch: state.etag,
				maxBytes: ctx.maxBytes,
				signal,
			},
			{ write: async (chunk) => void (await handle.write(chunk)) },
		);
		if (result.notModified)
			return { result: "skipped", reason: `S3 answered 304: ETag ${state.etag} is already applied` };
		await handle.sync();
		await handle.close();
		closed = true;
		log.info(`Successfully downloaded ${result.bytes} bytes from S3`);

		log.info("Reloading database from updated file...");
		let data: Awaited<ReturnType<RegistryStore["build"]>>;
		try {
			data = await ctx.store.build(temp, what);
		} catch (err) {
			ctx.store.record({
				at: new Date().toISOString(),
				ok: false,
				durationMs: Math.round(performance.now() - started),
				error: (err as Error).message,
			});
			throw new PermanentSyncError((err as Error).message, { cause: err });
		}
		await chmod(temp, await modeFor(target));
		await rename(temp, target);
		renamed = true;
		await fsyncDir(dirname(target));
		ctx.store.swap(data);
		ctx.store.record({
			at: new Date().toISOString(),
			ok: true,
			durationMs: Math.round(performance.now() - started),
		});
		state.remember(ref, result.etag);
		log.info("Database reloaded successfully", { entries: data.count, source: what });
		return { result: "applied", bytes: result.bytes, etag: result.etag };
	} catch (err) {
		if (err instanceof AwsError && err.code === "ObjectTooLarge")
			throw new PermanentSyncError(err.message, { cause: err });
		if (err instanceof AwsError && !err.retryable && (err.status === 404 || err.status === 403)) {
			throw new PermanentSyncError(err.message, { cause: err });
		}
		throw err;
	} finally {
		if (!closed) await handle.close().catch(() => {});
		if (!renamed) await unlink(temp).catch(() => {});
	}
}
