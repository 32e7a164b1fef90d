/**
 * One S3 object → the served registry, or nothing at all (sync spec, workflow steps 3–6 and 8),
 * against a real s3rver that verifies SigV4: the file is replaced atomically with the object's
 * bytes and its permission bits, the new data is served, what is already applied is skipped
 * (ETag, sequencer, 304), and every failure leaves the old file, the old data and no temporary
 * file behind.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { CredentialProvider } from "../../src/aws/credentials.ts";
import { S3Client } from "../../src/aws/s3.ts";
import { AwsHttp } from "../../src/aws/signed-fetch.ts";
import { tempPathFor } from "../../src/fsutil.ts";
import { silentLogger } from "../../src/log.ts";
import { AppliedObject } from "../../src/registry/applied.ts";
import { RegistryStore } from "../../src/registry/store.ts";
import {
	type ApplyContext,
	applyObject,
	PermanentSyncError,
	removeLeftoverTempFiles,
	skipReason,
} from "../../src/sync/apply.ts";
import type { ObjectRef } from "../../src/sync/messages.ts";
import { BUCKET, type S3Server, type StandIn, standIn, startS3 } from "../support/aws-servers.ts";
import { until } from "../support/poll.ts";

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
const OFFICIAL = "io.modelcontextprotocol.registry/official";
const MAX_BYTES = 1024 * 1024;

function entry(name: string, version = "1.0.0", server: Record<string, unknown> = {}) {
	return {
		server: { $schema: SCHEMA, name, description: `The ${name} server`, version, ...server },
		_meta: {
			[OFFICIAL]: {
				status: "active",
				publishedAt: "2025-10-01T00:00:00Z",
				updatedAt: "2025-10-01T00:00:00Z",
				isLatest: true,
			},
		},
	};
}

const registry = (...names: string[]) =>
	`${JSON.stringify({ servers: names.map((n) => entry(n)) }, null, 2)}\n`;

const OLD = registry("io.github.old/one", "io.github.old/two");
const OLD_NAMES = ["io.github.old/one", "io.github.old/two"];

let s3: S3Server;
const dirs: string[] = [];
const standIns: StandIn[] = [];
/** Applies a test may leave running when it fails: settled (temporary files removed) before the dirs go. */
const pending: Promise<unknown>[] = [];
let keyCounter = 0;

beforeAll(async () => {
	s3 = await startS3();
});

afterAll(async () => {
	for (const s of standIns) await s.close();
	await Promise.allSettled(pending); // downloads cut off by the close clean up their temporary files
	await s3?.close();
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const md5 = (text: string | Uint8Array) => createHash("md5").update(text).digest("hex");

function s3Client(endpoint: string): S3Client {
	return new S3Client({
		http: new AwsHttp({
			credentials: CredentialProvider.fixed({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }),
		}),
		env: { AWS_ENDPOINT_URL_S3: endpoint },
		fallbackRegion: async () => "us-east-1",
	});
}

interface Setup {
	dir: string;
	target: string;
	store: RegistryStore;
	ctx: ApplyContext;
}

/**
 * A temp dir with (optionally) an old registry file that the store already serves, and an apply
 * context that downloads from `endpoint` (the s3rver by default).
 */
async function setup(
	o: { old?: string | null; mode?: number; useWorker?: boolean; maxBytes?: number; endpoint?: string } = {},
): Promise<Setup> {
	const dir = mkdtempSync(join(tmpdir(), "sync-apply-"));
	dirs.push(dir);
	const target = join(dir, "registry.json");
	const store = new RegistryStore({
		path: target,
		invalidEntries: "reject",
		log: silentLogger,
		// useWorker: true → built on a Worker; otherwise on the calling thread in one go.
		loader: o.useWorker ? "worker" : "inline",
	});
	const old = o.old === undefined ? OLD : o.old;
	if (old !== null) {
		writeFileSync(target, old);
		chmodSync(target, o.mode ?? 0o640);
		await store.reload();
	}
	const ctx: ApplyContext = {
		s3: s3Client(o.endpoint ?? s3.endpoint),
		store,
		target,
		maxBytes: o.maxBytes ?? MAX_BYTES,
		log: silentLogger,
	};
	return { dir, target, store, ctx };
}

/** Uploads `body` under a fresh key; the reference a message would give for it. */
async function upload(
	body: string,
	extra: Partial<ObjectRef> = {},
): Promise<ObjectRef & { putEtag: string }> {
	const key = `sync/${++keyCounter}/registry.json`;
	const { etag } = await s3.put(key, body);
	return { bucket: BUCKET, key, region: "us-east-1", ...extra, putEtag: etag.replace(/"/g, "") };
}

/** Temporary files beside the target (".registry.json…"). */
const temps = (dir: string) => readdirSync(dir).filter((n) => n.startsWith(".registry.json"));

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Everything the served data and the disk show, to prove a failure changed nothing. */
function snapshotOf(s: Setup) {
	return {
		served: s.store.current,
		count: s.store.current.count,
		names: [...s.store.current.index.names],
		bytes: readFileSync(s.target),
		mode: modeOf(s.target),
		mtimeMs: statSync(s.target).mtimeMs,
		ino: statSync(s.target).ino,
	};
}

function expectUnchanged(s: Setup, before: ReturnType<typeof snapshotOf>): void {
	expect(s.store.current).toBe(before.served);
	expect(s.store.current.count).toBe(before.count);
	expect([...s.store.current.index.names]).toEqual(before.names);
	expect(readFileSync(s.target).equals(before.bytes)).toBe(true);
	expect(modeOf(s.target)).toBe(before.mode);
	expect(statSync(s.target).ino).toBe(before.ino);
	expect(temps(s.dir)).toEqual([]);
}

async function rejection(p: Promise<unknown>): Promise<Error> {
	try {
		await p;
	} catch (err) {
		return err as Error;
	}
	throw new Error("expected the promise to reject");
}

describe("applying a valid object", () => {
	test("applied: exact bytes on disk, new data served, old permission bits kept, no temp file", async () => {
		const s = await setup({ mode: 0o640 });
		expect(s.store.current.index.names).toEqual(OLD_NAMES);
		const body = registry("io.github.new/alpha", "io.github.new/beta", "io.github.new/gamma");
		const ref = await upload(body);
		const outcome = await applyObject(s.ctx, ref);
		expect(outcome.result).toBe("applied");
		if (outcome.result !== "applied") return;
		expect(outcome.bytes).toBe(Buffer.byteLength(body));
		expect(outcome.etag?.replace(/"/g, "")).toBe(md5(body));
		expect(readFileSync(s.target).equals(Buffer.from(body))).toBe(true);
		expect(s.store.current.count).toBe(3);
		expect(s.store.current.index.names).toEqual([
			"io.github.new/alpha",
			"io.github.new/beta",
			"io.github.new/gamma",
		]);
		// The data names the S3 object it came from.
		expect(s.store.current.provenance.source).toBe(`s3://${BUCKET}/${ref.key}`);
		expect(modeOf(s.target)).toBe(0o640);
		expect(temps(s.dir)).toEqual([]);
		expect(readdirSync(s.dir)).toEqual(["registry.json"]);
		expect(s.store.lastLoad?.ok).toBe(true);
	});

	test("other permission bits are kept too (0600)", async () => {
		const s = await setup({ mode: 0o600 });
		const ref = await upload(registry("io.github.new/private"));
		expect((await applyObject(s.ctx, ref)).result).toBe("applied");
		expect(modeOf(s.target)).toBe(0o600);
	});

	test("without an old file the new one gets 0644", async () => {
		const s = await setup({ old: null });
		expect(s.store.current.count).toBe(0);
		const body = registry("io.github.new/first");
		const ref = await upload(body);
		expect((await applyObject(s.ctx, ref)).result).toBe("applied");
		expect(readFileSync(s.target, "utf8")).toBe(body);
		expect(modeOf(s.target)).toBe(0o644);
		expect(s.store.current.index.names).toEqual(["io.github.new/first"]);
		expect(temps(s.dir)).toEqual([]);
	});

	test("a key with spaces, + and non-ASCII is fetched (signed) correctly", async () => {
		const s = await setup();
		const body = registry("io.github.new/odd-key");
		const key = `sync/${++keyCounter}/my registry+v2 ü.json`;
		await s3.put(key, body);
		const outcome = await applyObject(s.ctx, { bucket: BUCKET, key });
		expect(outcome.result).toBe("applied");
		expect(readFileSync(s.target, "utf8")).toBe(body);
	});

	test("the default Worker path builds and swaps the data too", async () => {
		const s = await setup({ useWorker: true });
		expect(s.store.current.index.names).toEqual(OLD_NAMES);
		const body = registry("io.github.worker/a", "io.github.worker/b");
		const ref = await upload(body);
		const outcome = await applyObject(s.ctx, ref);
		expect(outcome.result).toBe("applied");
		expect(s.store.current.count).toBe(2);
		expect(s.store.current.index.names).toEqual(["io.github.worker/a", "io.github.worker/b"]);
		expect(readFileSync(s.target, "utf8")).toBe(body);
		expect(temps(s.dir)).toEqual([]);
	});

	test("the Worker path refuses invalid content and keeps the old data", async () => {
		const s = await setup({ useWorker: true });
		const before = snapshotOf(s);
		const ref = await upload('{"servers": [');
		const err = await rejection(applyObject(s.ctx, ref));
		expect(err).toBeInstanceOf(PermanentSyncError);
		expect(err.message).toContain(`s3://${BUCKET}/${ref.key}`);
		expectUnchanged(s, before);
	});
});

describe("a new replica", () => {
	test("the registry file's folder does not exist yet: the first object makes it (0755) and is applied", async () => {
		const s = await setup({ old: null });
		const target = join(s.dir, "state", "registry", "registry.json");
		const store = new RegistryStore({
			path: target,
			invalidEntries: "reject",
			log: silentLogger,
			loader: "inline",
		});
		const ref = await upload(registry("io.github.new/replica"));
		const outcome = await applyObject({ ...s.ctx, store, target }, ref);
		expect(outcome.result).toBe("applied");
		expect(readFileSync(target, "utf8")).toBe(registry("io.github.new/replica"));
		expect(statSync(join(s.dir, "state", "registry")).mode & 0o777).toBe(0o755 & ~process.umask());
		expect(store.current.index.names).toEqual(["io.github.new/replica"]);
	});
});

describe("skipping what is already applied", () => {
	test("the ETag is remembered: a second apply of the same object is a 304 skip, file untouched", async () => {
		const s = await setup();
		const body = registry("io.github.new/same");
		const ref = await upload(body);
		expect((await applyObject(s.ctx, ref)).result).toBe("applied");
		expect(s.store.applied.etag).toBe(md5(body));
		const served = s.store.current;
		const { mtimeMs, ino } = statSync(s.target);
		await Bun.sleep(20); // the window under test: the clock moves on, so a rewrite would change mtimeMs
		// A reference without an ETag (an s3_url message) reaches S3, which answers 304.
		const again = await applyObject(s.ctx, { bucket: ref.bucket, key: ref.key });
		expect(again.result).toBe("skipped");
		if (again.result !== "skipped") return;
		expect(again.reason).toContain("304");
		expect(statSync(s.target).mtimeMs).toBe(mtimeMs);
		expect(statSync(s.target).ino).toBe(ino);
		expect(s.store.current).toBe(served);
		expect(temps(s.dir)).toEqual([]);
	});

	test("a changed object under the same key is applied (the 304 is conditional)", async () => {
		const s = await setup();
		const ref = await upload(registry("io.github.new/v1"));
		expect((await applyObject(s.ctx, ref)).result).toBe("applied");
		const body2 = registry("io.github.new/v2");
		await s3.put(ref.key, body2);
		const outcome = await applyObject(s.ctx, { bucket: ref.bucket, key: ref.key });
		expect(outcome.result).toBe("applied");
		expect(readFileSync(s.target, "utf8")).toBe(body2);
		expect(s.store.current.index.names).toEqual(["io.github.new/v2"]);
		expect(s.store.applied.etag).toBe(md5(body2));
	});

	test("skipReason: an event ETag equal to the applied one", () => {
		const state = new AppliedObject();
		state.update(undefined, { key: "b/k", etag: '"0123456789abcdef0123456789abcdef"' });
		expect(state.etag).toBe("0123456789abcdef0123456789abcdef");
		const reason = skipReason({ bucket: "b", key: "k", etag: "0123456789abcdef0123456789abcdef" }, state);
		expect(reason).toContain("0123456789abcdef0123456789abcdef");
		expect(reason).toContain("already applied");
		expect(
			skipReason({ bucket: "b", key: "k", etag: "ffffffffffffffffffffffffffffffff" }, state),
		).toBeUndefined();
		expect(skipReason({ bucket: "b", key: "k" }, state)).toBeUndefined();
	});

	test("skipReason: an older or equal sequencer for the same key; a newer one is not skipped", () => {
		const state = new AppliedObject();
		state.update(undefined, { key: "b/k", sequencer: "0055AED6DCD90281E5", etag: "aaaa" });
		const older = skipReason({ bucket: "b", key: "k", sequencer: "0055AED6DCD90281E4", etag: "bbbb" }, state);
		expect(older).toContain("0055AED6DCD90281E4");
		expect(older).toContain("0055AED6DCD90281E5");
		expect(
			skipReason({ bucket: "b", key: "k", sequencer: "0055AED6DCD90281E5", etag: "bbbb" }, state),
		).toBeDefined();
		// Padded: "0055AED6DCD90281E" is "0055AED6DCD90281E0", older.
		expect(
			skipReason({ bucket: "b", key: "k", sequencer: "0055AED6DCD90281E", etag: "bbbb" }, state),
		).toBeDefined();
		expect(
			skipReason({ bucket: "b", key: "k", sequencer: "0055AED6DCD90281E6", etag: "bbbb" }, state),
		).toBeUndefined();
		// The sequencer is per key: another key or bucket is not compared with it.
		expect(skipReason({ bucket: "b", key: "other", sequencer: "00", etag: "bbbb" }, state)).toBeUndefined();
		expect(skipReason({ bucket: "c", key: "k", sequencer: "00", etag: "bbbb" }, state)).toBeUndefined();
	});

	test("skipReason: the same event again is skipped only while the bytes it brought are still served", () => {
		const state = new AppliedObject();
		state.update(undefined, { key: "b/k", sequencer: "0055AED6DCD90281E5", etag: "aaaa" });
		const again = { bucket: "b", key: "k", sequencer: "0055AED6DCD90281E5" };
		expect(skipReason(again, state)).toContain("already applied");
		// A SIGHUP reload of other bytes: the redelivered event is applied again…
		state.update("0123456789abcdef0123456789abcdef");
		expect(skipReason(again, state)).toBeUndefined();
		// …but an older one still never is.
		expect(skipReason({ ...again, sequencer: "0055AED6DCD90281E4" }, state)).toContain("older");
		// A reload that failed: nothing is known to be served from disk, nothing skipped by ETag.
		state.forget();
		expect(state.etag).toBeUndefined();
		expect(
			skipReason({ bucket: "b", key: "k", etag: "0123456789abcdef0123456789abcdef" }, state),
		).toBeUndefined();
	});

	test("applyObject: an event with an older sequencer is skipped without touching anything", async () => {
		const s = await setup();
		const body = registry("io.github.new/seq");
		const ref = await upload(body, { sequencer: "0055AED6DCD90281E6" });
		expect((await applyObject(s.ctx, ref)).result).toBe("applied");
		const before = snapshotOf(s);
		// An older event for the same key, naming different content: never downloaded.
		await s3.put(ref.key, registry("io.github.stale/one"));
		const older = await applyObject(s.ctx, { ...ref, sequencer: "0055AED6DCD90281E5", etag: "x" });
		expect(older.result).toBe("skipped");
		if (older.result === "skipped") expect(older.reason).toContain("sequencer");
		expectUnchanged(s, before);
		// A newer one is downloaded and applied.
		const newer = await applyObject(s.ctx, { ...ref, sequencer: "0055AED6DCD90281E7", etag: "y" });
		expect(newer.result).toBe("applied");
		expect(s.store.current.index.names).toEqual(["io.github.stale/one"]);
	});

	test("applyObject: an event whose ETag is the applied one is skipped without a download", async () => {
		const s = await setup();
		const ref = await upload(registry("io.github.new/etag"));
		expect((await applyObject(s.ctx, ref)).result).toBe("applied");
		const before = snapshotOf(s);
		const outcome = await applyObject(s.ctx, { ...ref, etag: ref.putEtag });
		expect(outcome.result).toBe("skipped");
		if (outcome.result === "skipped") expect(outcome.reason).toContain(`ETag ${ref.putEtag}`);
		expectUnchanged(s, before);
	});

	test("after a load from disk the applied ETag is the file's MD5 hex; the first apply of identical bytes is a 304 skip", async () => {
		const s = await setup({ old: OLD });
		const state = s.store.applied;
		expect(state.etag).toBe(md5(readFileSync(s.target)));
		expect(state.etag).toMatch(/^[0-9a-f]{32}$/);
		const ref = await upload(OLD);
		expect(ref.putEtag).toBe(state.etag as string);
		const before = snapshotOf(s);
		const outcome = await applyObject(s.ctx, { bucket: ref.bucket, key: ref.key });
		expect(outcome.result).toBe("skipped");
		if (outcome.result === "skipped") expect(outcome.reason).toContain("304");
		expectUnchanged(s, before);
		expect(statSync(s.target).mtimeMs).toBe(before.mtimeMs);
	});

	test("without a file there is no applied ETag, so the object is applied", async () => {
		const s = await setup({ old: null });
		const state = s.store.applied;
		expect(state.etag).toBeUndefined();
		const ref = await upload(registry("io.github.new/fresh"));
		expect((await applyObject(s.ctx, ref)).result).toBe("applied");
		expect(state.etag).toBe(ref.putEtag);
	});
});

describe("failures leave everything as it was", () => {
	test("invalid JSON: PermanentSyncError naming the object and the position", async () => {
		const s = await setup();
		const before = snapshotOf(s);
		const ref = await upload('{\n  "servers": [\n    {"server": }\n  ]\n}\n');
		const err = await rejection(applyObject(s.ctx, ref));
		expect(err).toBeInstanceOf(PermanentSyncError);
		expect(err.message).toContain(`s3://${BUCKET}/${ref.key}`);
		expect(err.message).toContain("invalid JSON");
		expect(err.message).toMatch(/line 3, column \d+/);
		expectUnchanged(s, before);
		expect(s.store.applied.etag).toBe(md5(OLD));
		expect(s.store.lastLoad?.ok).toBe(false);
	});

	test("a schema-invalid registry: PermanentSyncError naming the object and the entry", async () => {
		const s = await setup();
		const before = snapshotOf(s);
		const body = JSON.stringify({
			servers: [entry("io.github.ok/fine"), entry("not a valid name!"), entry("io.github.ok/also")],
		});
		const ref = await upload(body);
		const err = await rejection(applyObject(s.ctx, ref));
		expect(err).toBeInstanceOf(PermanentSyncError);
		expect(err.message).toContain(`s3://${BUCKET}/${ref.key}`);
		expect(err.message).toContain("servers[1]");
		expect(err.message).toContain("server.name");
		expectUnchanged(s, before);
		// Nothing was remembered: the same object is downloaded (and refused) again, not skipped.
		expect(s.store.applied.etag).toBe(md5(OLD));
		await expect(applyObject(s.ctx, ref)).rejects.toBeInstanceOf(PermanentSyncError);
	});

	test("a registry of the wrong shape is refused", async () => {
		const s = await setup();
		const before = snapshotOf(s);
		const ref = await upload('{"hello": "world"}');
		const err = await rejection(applyObject(s.ctx, ref));
		expect(err).toBeInstanceOf(PermanentSyncError);
		expect(err.message).toContain(`s3://${BUCKET}/${ref.key}`);
		expectUnchanged(s, before);
	});

	test("a missing key: NoSuchKey → PermanentSyncError", async () => {
		const s = await setup();
		const before = snapshotOf(s);
		const err = await rejection(applyObject(s.ctx, { bucket: BUCKET, key: "sync/does-not-exist.json" }));
		expect(err).toBeInstanceOf(PermanentSyncError);
		expect(err.message).toContain("NoSuchKey");
		expect(err.message).toContain("sync/does-not-exist.json");
		expectUnchanged(s, before);
	});

	test("an object over maxBytes: PermanentSyncError mentioning the limit", async () => {
		const s = await setup({ maxBytes: 100 });
		const before = snapshotOf(s);
		const body = registry("io.github.big/one", "io.github.big/two");
		expect(Buffer.byteLength(body)).toBeGreaterThan(100);
		const ref = await upload(body);
		const err = await rejection(applyObject(s.ctx, ref));
		expect(err).toBeInstanceOf(PermanentSyncError);
		expect(err.message).toContain("limit of 100");
		expectUnchanged(s, before);
	});

	test("an object exactly at maxBytes is accepted", async () => {
		const body = registry("io.github.exact/one");
		const s = await setup({ maxBytes: Buffer.byteLength(body) });
		const ref = await upload(body);
		expect((await applyObject(s.ctx, ref)).result).toBe("applied");
		expect(readFileSync(s.target, "utf8")).toBe(body);
	});

	test("an AbortSignal aborted mid-download rejects, leaves no temp file and the old data", async () => {
		const body = registry("io.github.slow/one", "io.github.slow/two");
		const bytes = new TextEncoder().encode(body);
		const half = Math.floor(bytes.length / 2);
		let halfSent!: () => void;
		const sentHalf = new Promise<void>((resolve) => {
			halfSent = resolve;
		});
		const slow = standIn(
			() =>
				new Response(
					new ReadableStream<Uint8Array>({
						start(controller) {
							controller.enqueue(bytes.slice(0, half));
							halfSent();
							// …and the rest never comes.
						},
					}),
					{ headers: { "content-length": String(bytes.length), "content-type": "application/json" } },
				),
		);
		standIns.push(slow);
		const s = await setup({ endpoint: slow.url });
		const before = snapshotOf(s);
		const abort = new AbortController();
		const applying = applyObject(s.ctx, { bucket: BUCKET, key: "slow/registry.json" }, abort.signal);
		applying.catch(() => {});
		pending.push(applying);
		await sentHalf;
		await until("the first half in the temporary file", () => {
			const [temp] = temps(s.dir);
			return temp !== undefined && statSync(join(s.dir, temp)).size === half;
		});
		expect(temps(s.dir)).toHaveLength(1);
		expect(statSync(join(s.dir, temps(s.dir)[0] as string)).size).toBe(half);
		abort.abort(new DOMException("stopping", "AbortError"));
		const outcome = await Promise.race([
			applying.then(
				() => "resolved",
				(err: Error) => err,
			),
			// The bound under test: the abort ends the download at once, not when the server gives up.
			Bun.sleep(3000).then(() => "still running 3 s after the abort"),
		]);
		expect(outcome).toBeInstanceOf(Error);
		expect(slow.requests.length).toBe(1);
		expectUnchanged(s, before);
	});
});

describe("removeLeftoverTempFiles", () => {
	test("removes what tempPathFor produces and leaves everything else", async () => {
		const dir = mkdtempSync(join(tmpdir(), "sync-leftover-"));
		dirs.push(dir);
		const target = join(dir, "registry.json");
		const keep = ["registry.json", ".registry.json.bak", "other.tmp", ".other.json.1234.0123456789ab.tmp"];
		const mirrorTemp = tempPathFor(target);
		const leftovers = [
			".registry.json.1234.0123456789ab.tmp",
			basename(mirrorTemp),
			// What a mirror round's pull writes beside the copy it was given, killed before its rename.
			basename(tempPathFor(mirrorTemp)),
		];
		expect(leftovers[1]).toMatch(/^\.registry\.json\.\d+\.[0-9a-f]{12}\.tmp$/);
		for (const name of [...keep, ...leftovers]) writeFileSync(join(dir, name), "x");
		const removed = await removeLeftoverTempFiles(target, silentLogger);
		expect(removed).toBe(3);
		expect(readdirSync(dir).sort()).toEqual([...keep].sort());
		// Running again finds nothing.
		expect(await removeLeftoverTempFiles(target, silentLogger)).toBe(0);
	});

	test("a missing directory is not an error", async () => {
		expect(
			await removeLeftoverTempFiles(join(tmpdir(), "no-such-dir-xyz", "registry.json"), silentLogger),
		).toBe(0);
	});
});
