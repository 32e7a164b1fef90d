/**
 * What the store refuses whatever the loader (in one go, in slices, in a Worker): a file over
 * MCP_REGISTRY_MAX_FILE_BYTES, before it is read (a local file at start and on SIGHUP, a seed,
 * bytes in hand), and a file nested too deeply, as an error naming the file and the entry, never
 * a stack overflow. The data served before stays served.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../src/log.ts";
import { seedRegistryFile } from "../../src/registry/seed.ts";
import { type Loader, RegistryStore } from "../../src/registry/store.ts";
import { rejection as rejected } from "../support/assert.ts";

const rejection = async (p: Promise<unknown>) => (await rejected(p)) as Error;

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
const dirs: string[] = [];

afterAll(() => {
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const doc = (name: string) => ({ $schema: SCHEMA, name, description: "d", version: "1.0.0" });
const registry = (...names: string[]) => JSON.stringify({ servers: names.map((n) => ({ server: doc(n) })) });

function setup(loader: Loader, maxFileBytes?: number) {
	const dir = mkdtempSync(join(tmpdir(), "store-limits-"));
	dirs.push(dir);
	const path = join(dir, "registry.json");
	const store = new RegistryStore({ path, invalidEntries: "skip", log: silentLogger, loader, maxFileBytes });
	return { dir, path, store };
}

const LOADERS: Loader[] = ["inline", "paced", "worker"];

describe("MCP_REGISTRY_MAX_FILE_BYTES", () => {
	for (const loader of LOADERS) {
		test(`${loader}: a file over the limit is refused by its size, naming it, its size and the variable`, async () => {
			const good = registry("io.github.a/one");
			const s = setup(loader, Buffer.byteLength(good));
			writeFileSync(s.path, good); // exactly the limit: loaded
			await s.store.reload({ initial: true });
			expect(s.store.current.count).toBe(1);
			// A 64 MiB file of zeros (sparse: nothing to write): read whole, it would be a JSON error.
			truncateSync(s.path, 64 << 20);
			const err = await rejection(s.store.reload());
			expect(err.message).toBe(
				`${s.path}: the file is ${64 << 20} bytes, over the limit of ${Buffer.byteLength(good)} bytes (MCP_REGISTRY_MAX_FILE_BYTES); not loaded`,
			);
			expect(s.store.lastLoad?.ok).toBe(false);
			expect(s.store.current.count).toBe(1); // the data served before stays
		});
	}

	for (const loader of LOADERS) {
		test(`${loader}: a FIFO (no size, and a read that can hang) is refused at once, unread, naming it`, async () => {
			const s = setup(loader, 1 << 20);
			rmSync(s.path, { force: true });
			expect(spawnSync("mkfifo", [s.path]).status).toBe(0);
			const started = performance.now();
			const err = await rejection(s.store.reload());
			expect(err.message).toBe(`${s.path}: is a FIFO; a registry file must be a regular file; not loaded`);
			expect(performance.now() - started).toBeLessThan(5_000);
			expect(s.store.lastLoad?.ok).toBe(false);
		});
	}

	test("a directory is refused the same way", async () => {
		const s = setup("inline", 1 << 20);
		rmSync(s.path, { force: true });
		mkdirSync(s.path);
		const err = await rejection(s.store.reload());
		expect(err.message).toBe(`${s.path}: is a directory; a registry file must be a regular file; not loaded`);
	});

	test("a local seed over the limit is refused unread, and no registry file is written", async () => {
		const s = setup("inline", 100);
		const seed = join(s.dir, "seed.json");
		writeFileSync(seed, JSON.stringify([doc("io.github.a/one"), doc("io.github.a/two")]));
		const err = await rejection(
			seedRegistryFile(s.store, { source: seed, target: s.path, log: silentLogger }),
		);
		expect(err.message).toMatch(
			new RegExp(
				`^${seed}: the file is \\d+ bytes, over the limit of 100 bytes \\(MCP_REGISTRY_MAX_FILE_BYTES\\)`,
			),
		);
		expect(await Bun.file(s.path).exists()).toBe(false);
	});

	test("bytes in hand (a crawled seed) over the limit are refused too", async () => {
		const s = setup("inline", 100);
		const bytes = new TextEncoder().encode(registry("io.github.a/one", "io.github.a/two"));
		const err = await rejection(s.store.replace({ prepare: async () => ({ source: bytes, name: "crawl" }) }));
		expect(err.message).toStartWith(
			`crawl: the file is ${bytes.byteLength} bytes, over the limit of 100 bytes`,
		);
	});
});

/** `{"x":` … `}` nested `levels` deep. */
const nested = (levels: number) => `${'{"x":'.repeat(levels)}1${"}".repeat(levels)}`;

describe("nesting deeper than 64 levels", () => {
	for (const loader of LOADERS) {
		test(`${loader}: an error naming the file and the entry, never a stack overflow; skip drops only that entry`, async () => {
			const s = setup(loader);
			const deep = `{"server":${JSON.stringify(doc("io.github.a/deep"))},"_meta":{"io.example/x":${nested(100_000)}}}`;
			const text = `{"servers":[{"server":${JSON.stringify(doc("io.github.a/one"))}},${deep}]}`;
			writeFileSync(s.path, text);
			// skip: loaded without the deep entry, which the report names
			await s.store.reload({ initial: true });
			expect(s.store.current.index.names).toEqual(["io.github.a/one"]);
			const first = s.store.current.provenance.report.errors.first[0];
			expect(first).toEqual({
				entry: "servers[1]",
				field: '_meta["io.example/x"].x.x…',
				message: "is nested deeper than 64 levels",
			});
			// reject: the load fails with a message naming the file and the entry
			const strict = new RegistryStore({ path: s.path, invalidEntries: "reject", log: silentLogger, loader });
			const err = await rejection(strict.reload());
			expect(err.name).toBe("RegistryLoadError");
			expect(err.message).toContain(`${s.path}: 1 invalid entry of 2`);
			expect(err.message).toContain('servers[1]: _meta["io.example/x"].x.x… is nested deeper than 64 levels');
			expect(strict.lastLoad?.error).toBe(err.message);
		});
	}

	test("deep nesting outside the entries fails the file, in a Worker too", async () => {
		const s = setup("worker");
		writeFileSync(s.path, `{"metadata":${nested(100_000)},"servers":[]}`);
		const err = await rejection(s.store.reload({ initial: true }));
		expect(err.message).toBe(`${s.path}: metadata.x.x.x.x… is nested deeper than 64 levels`);
	});
});
