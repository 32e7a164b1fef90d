/**
 * RegistryStore, the one way the served data changes: prepare → read and build within the load
 * timeout → commit → swap → record → report → applied state. Replaces take turns (a reload and
 * an S3 apply never swap out of order; a reload asked for while one runs is folded into it).
 * Real files (a FIFO for a read that never finishes), real Workers, the store in process.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Client } from "../../src/aws/s3.ts";
import { silentLogger } from "../../src/log.ts";
import { type Loader, LoadTimeoutError, RegistryStore } from "../../src/registry/store.ts";
import { applyObject } from "../../src/sync/apply.ts";
import { rejection } from "../support/assert.ts";
import { until } from "../support/poll.ts";
import { tempStore } from "../support/store.ts";

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
const dir = mkdtempSync(join(tmpdir(), "registry-store-"));
const dirs: string[] = [dir];

const manyServers = (prefix: string, n: number) =>
	JSON.stringify(
		Array.from({ length: n }, (_, i) => ({
			$schema: SCHEMA,
			name: `io.github.${prefix}/s${i}`,
			description: "d",
			version: "1.0.0",
		})),
	);

/** An S3 client that answers with fixed bytes (a unit-level stand-in for the download). */
function fixedS3(body: string): S3Client {
	return {
		async getObject(_req: unknown, sink: { write(c: Uint8Array): unknown }) {
			const bytes = new TextEncoder().encode(body);
			await sink.write(bytes);
			return {
				notModified: false,
				bytes: bytes.length,
				etag: `"${Bun.hash(body).toString(16)}"`,
				md5Verified: false,
			};
		},
	} as unknown as S3Client;
}

describe("a reload and an S3 apply never swap out of order", () => {
	test("SIGHUP-style reload started before an apply: the apply's data is what is served, and matches the file", async () => {
		const file = join(dir, "race.json");
		writeFileSync(file, manyServers("old", 20_000));
		const store = new RegistryStore({
			path: file,
			invalidEntries: "reject",
			log: silentLogger,
			loader: "paced",
		});
		await store.reload({ initial: true });
		// The reload takes its turn when called and reads the file at once, then builds its 20 000
		// entries in slices: the apply below starts after it, with no wait in between.
		const reload = store.reload();
		const ctx = {
			s3: fixedS3(manyServers("new", 10)),
			store,
			target: file,
			maxBytes: 1 << 30,
			log: silentLogger,
		};
		const applied = applyObject(ctx, { bucket: "b", key: "k" }); // …while this replaces it
		await Promise.all([reload, applied]);
		expect(store.current.count).toBe(10);
		expect(store.current.index.names[0]).toStartWith("io.github.new/");
		expect(readFileSync(file, "utf8")).toBe(manyServers("new", 10));
	});
});

describe("reloads asked for while one runs", () => {
	test("a reload asked for while a failing one runs is one follow-up, not two loads later", async () => {
		const file = join(dir, "again.json");
		writeFileSync(file, "[oops");
		const store = new RegistryStore({
			path: file,
			invalidEntries: "reject",
			log: silentLogger,
			loader: "inline",
		});
		const first = store.reload();
		const second = store.reload(); // folded into the running one
		await expect(first).rejects.toThrow("invalid JSON");
		await expect(second).rejects.toThrow("invalid JSON");
		writeFileSync(file, manyServers("ok", 3));
		await store.reload();
		expect(store.loads.success).toBe(1);
		expect(store.current.count).toBe(3);
	});
});

afterAll(() => {
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const registry = (...names: string[]) =>
	`${JSON.stringify({
		servers: names.map((name) => ({ server: { $schema: SCHEMA, name, description: "d", version: "1.0.0" } })),
	})}\n`;

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

function setup(o: { loader?: Loader; timeoutMs?: number } = {}) {
	return tempStore("store-replace-", dirs, { ...o, loader: o.loader ?? "inline" });
}

const names = (store: RegistryStore) => store.current.index.names;

describe("reloads folded into one that fails", () => {
	test("the follow-up still runs, reads the file as it is then, and both callers get its outcome", async () => {
		const file = join(dir, "fixed.json");
		writeFileSync(file, "[oops");
		const store = new RegistryStore({
			path: file,
			invalidEntries: "reject",
			log: silentLogger,
			loader: "inline",
		});
		const hold = Promise.withResolvers<{ skip: string }>();
		const held = store.replace({ prepare: () => hold.promise });
		const first = store.reload(); // waits for the lock, then reads the broken file
		const second = store.reload(); // folded: a follow-up after the first
		// Queued between the two loads: the operator fixes the file.
		const fix = store.replace({
			prepare: async () => {
				writeFileSync(file, manyServers("fixed", 2));
				return { skip: "the file was fixed" };
			},
		});
		hold.resolve({ skip: "held" });
		await held;
		await fix;
		expect((await first).count).toBe(2);
		expect((await second).count).toBe(2);
		expect(store.loads).toMatchObject({ success: 1, failure: 1 });
		expect(store.current.index.names).toEqual(["io.github.fixed/s0", "io.github.fixed/s1"]);
	});
});

describe("replace", () => {
	test("reads the registry file, swaps, records, logs the report and makes the applied ETag the file's MD5", async () => {
		const s = setup();
		const text = registry("io.github.a/one", "io.github.a/two");
		writeFileSync(s.path, text);
		const outcome = await s.store.replace();
		expect(outcome.result).toBe("applied");
		expect(names(s.store)).toEqual(["io.github.a/one", "io.github.a/two"]);
		expect(s.store.lastLoad?.ok).toBe(true);
		expect(s.store.loads).toEqual({ success: 1, failure: 0, timeout: 0 });
		expect(s.store.applied.etag).toBe(md5(text));
		expect(s.lines.join("\n")).toContain(`Loaded 2 entries (2 servers) from ${s.path}`);
	});

	test("an origin names the bytes: its ETag becomes the applied one and its sequencer is kept per key", async () => {
		const s = setup();
		const other = join(s.dir, "download.tmp");
		writeFileSync(other, registry("io.github.a/s3"));
		await s.store.replace({
			source: other,
			name: "s3://b/k",
			origin: { key: "b/k", etag: '"abc-2"', sequencer: "0055AED6DCD90281E5" },
		});
		expect(s.store.applied.etag).toBe("abc-2");
		expect(s.store.applied.sequencerOf("b/k")).toBe("0055AED6DCD90281E5");
		expect(s.lines.join("\n")).toContain("Loaded 1 entries (1 servers) from s3://b/k");
		expect(s.store.current.provenance.source).toBe("s3://b/k");
	});

	test("the commit runs after the build and before the swap; a failing commit keeps the old data and records a failure", async () => {
		const s = setup();
		writeFileSync(s.path, registry("io.github.a/old"));
		await s.store.replace();
		const other = join(s.dir, "next.json");
		writeFileSync(other, registry("io.github.a/new"));
		const seen: string[][] = [];
		const err = (await rejection(
			s.store.replace({
				source: other,
				commit: async () => {
					seen.push([...names(s.store)]);
					throw new Error("rename failed: EXDEV");
				},
			}),
		)) as Error;
		expect(err.message).toBe("rename failed: EXDEV");
		expect(seen).toEqual([["io.github.a/old"]]);
		expect(names(s.store)).toEqual(["io.github.a/old"]);
		expect(s.store.lastLoad).toMatchObject({ ok: false, error: "rename failed: EXDEV" });
		expect(s.store.applied.etag).toBe(md5(registry("io.github.a/old")));
	});

	test("prepare runs under the lock with the applied state and can skip; cleanup runs whatever happens", async () => {
		const s = setup();
		writeFileSync(s.path, registry("io.github.a/one"));
		await s.store.replace();
		const etags: (string | undefined)[] = [];
		const skipped = await s.store.replace({
			prepare: async (applied) => {
				etags.push(applied.etag);
				return { skip: "already there" };
			},
		});
		expect(skipped).toEqual({ result: "skipped", reason: "already there" });
		expect(etags).toEqual([md5(registry("io.github.a/one"))]);
		expect(s.store.loads.success).toBe(1);

		let cleaned = 0;
		writeFileSync(join(s.dir, "bad.json"), "{ not json");
		await rejection(
			s.store.replace({
				prepare: async () => ({ source: join(s.dir, "bad.json"), cleanup: async () => void cleaned++ }),
			}),
		);
		expect(cleaned).toBe(1);
		expect(names(s.store)).toEqual(["io.github.a/one"]);
	});

	test("bytes in hand are built, committed and served; invalidEntries can be stricter for one replace", async () => {
		const s = setup();
		const bad = `${JSON.stringify({
			servers: [
				{ server: { $schema: SCHEMA, name: "io.github.a/ok", description: "d", version: "1.0.0" } },
				{ server: { name: "io.github.a/bad", version: 7 } },
			],
		})}\n`;
		const err = (await rejection(
			s.store.replace({ source: new TextEncoder().encode(bad), name: "seed", invalidEntries: "reject" }),
		)) as Error;
		expect(err.message).toContain("seed: 1 invalid entry of 2");
		let committed = false;
		await s.store.replace({
			source: new TextEncoder().encode(bad),
			name: "seed",
			commit: async () => {
				committed = true;
			},
		});
		expect(committed).toBe(true);
		expect(names(s.store)).toEqual(["io.github.a/ok"]);
	});

	test("replaces run one at a time in the order asked", async () => {
		const s = setup({ loader: "paced" });
		const order: string[] = [];
		const files = ["a", "b", "c"].map((n) => {
			const f = join(s.dir, `${n}.json`);
			writeFileSync(f, registry(`io.github.order/${n}`));
			return f;
		});
		await Promise.all(
			files.map((f, i) =>
				s.store.replace({
					prepare: async () => {
						order.push(`prepare ${i}`);
						return { source: f, commit: async () => void order.push(`commit ${i}`) };
					},
				}),
			),
		);
		expect(order).toEqual(["prepare 0", "commit 0", "prepare 1", "commit 1", "prepare 2", "commit 2"]);
		expect(names(s.store)).toEqual(["io.github.order/c"]);
	});
});

describe("the load timeout", () => {
	/** A seed-array file of `n` servers: 100,000 take most of a second to build here. */
	const big = (dir: string, n: number) => {
		const f = join(dir, "big.json");
		writeFileSync(f, manyServers("big", n));
		return f;
	};

	for (const loader of ["paced", "worker"] as const) {
		test(`${loader}: a build that does not finish in time is abandoned, recorded, and the replace behind it proceeds`, async () => {
			const s = setup({ loader, timeoutMs: 300 });
			writeFileSync(s.path, registry("io.github.a/before"));
			await s.store.replace();
			const slow = s.store.replace({ source: big(s.dir, 100_000) });
			const next = join(s.dir, "next.json");
			writeFileSync(next, registry("io.github.a/after"));
			const behind = s.store.replace({ source: next });

			const err = (await rejection(slow)) as Error;
			expect(err).toBeInstanceOf(LoadTimeoutError);
			expect(err.message).toBe(
				`${join(s.dir, "big.json")}: not read and built within 0.3 s (MCP_REGISTRY_LOAD_TIMEOUT_SECONDS); abandoned`,
			);
			expect((await behind).result).toBe("applied");
			expect(names(s.store)).toEqual(["io.github.a/after"]);
			expect(s.store.loads).toEqual({ success: 2, failure: 1, timeout: 1 });
			// The abandoned build stopped (between slices, or with its Worker): the same file may
			// be tried again at once, and is abandoned again rather than refused.
			const again = (await rejection(s.store.replace({ source: join(s.dir, "big.json") }))) as Error;
			expect(again).toBeInstanceOf(LoadTimeoutError);
		});
	}

	test("worker: a load abandoned while its file is still being read keeps the file refused until that read ends", async () => {
		// The timeout fires before the Worker has even read the file: a read that, for all the
		// store knows, is stuck in the file system. It is left to end, not cut off.
		const s = setup({ loader: "worker", timeoutMs: 1 });
		writeFileSync(s.path, registry("io.github.a/one"));
		const first = (await rejection(s.store.replace())) as Error;
		expect(first).toBeInstanceOf(LoadTimeoutError);
		const started = performance.now();
		const refused = (await rejection(s.store.replace())) as Error;
		expect(performance.now() - started).toBeLessThan(100);
		expect(refused.message).toBe(
			`${s.path}: an earlier read of this file, abandoned after 0.001 s, has still not finished; not starting another`,
		);
		// Once the Worker is done, the file is tried again (and, at 1 ms, abandoned again).
		await until("the abandoned read to end", () =>
			s.store.replace().then(
				() => true,
				(e: Error) => e instanceof LoadTimeoutError,
			),
		);
		// Another file is never held up by it.
		const other = join(s.dir, "other.json");
		writeFileSync(other, registry("io.github.a/other"));
		expect(((await rejection(s.store.replace({ source: other }))) as Error).message).not.toContain(
			"has still not finished",
		);
	});
});
