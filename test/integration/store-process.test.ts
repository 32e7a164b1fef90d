/**
 * The store's "process" loader (process-loader.ts, build-process.ts): a load in a build process
 * serves what a load on this thread serves and reports the same, refuses the same files, is
 * killed at the load timeout, and leaves no file behind; its snapshot comes through a temp file,
 * or through the pipe when there is no temp folder to write to.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import {
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	truncateSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILD_COMMAND } from "../../src/registry/build-process.ts";
import type { SnapshotData } from "../../src/registry/snapshot.ts";
import { type Loader, LoadTimeoutError } from "../../src/registry/store.ts";
import { rejection as rejected } from "../support/assert.ts";
import { until } from "../support/poll.ts";
import { entryTexts } from "../support/registry-docs.ts";
import { tempStore } from "../support/store.ts";

const rejection = async (p: Promise<unknown>) => (await rejected(p)) as Error;
const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
const OFFICIAL = "io.modelcontextprotocol.registry/official";
const dirs: string[] = [];

afterAll(() => {
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A registry of `n` entries, every seventh with a warning, every thirteenth invalid. */
function registry(n: number, tag = "a"): string {
	const servers = Array.from({ length: n }, (_, i) => ({
		server: {
			...(i % 7 === 3 ? {} : { $schema: SCHEMA }),
			name: `io.github.${tag}${i}/server`,
			description: `Server ${i}`,
			version: i % 13 === 5 ? "latest" : "1.0.0",
		},
		_meta: { [OFFICIAL]: { status: "active", publishedAt: "2025-01-01T00:00:00Z" } },
	}));
	return JSON.stringify({ servers });
}

function setup(o: { loader?: Loader; timeoutMs?: number; maxFileBytes?: number; md5?: boolean } = {}) {
	return tempStore("store-process-", dirs, { ...o, loader: o.loader ?? "process" });
}

/** What a snapshot serves and says of its load, but the time. */
function served(data: { index: SnapshotData["index"]; provenance: SnapshotData["provenance"] }) {
	const { index } = data;
	const entries = entryTexts(data);
	return {
		entries,
		names: index.names,
		latest: [...index.latest],
		provenance: { ...data.provenance, loadedAt: "" },
	};
}

/** This process's build processes still alive (Linux: /proc). */
function buildProcesses(): number[] {
	const out: number[] = [];
	for (const pid of readdirSync("/proc")) {
		if (!/^\d+$/.test(pid)) continue;
		try {
			const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
			const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
			if (ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(BUILD_COMMAND)) {
				out.push(Number(pid));
			}
		} catch {}
	}
	return out;
}

/** Runs `fn` with the temporary folder elsewhere (os.tmpdir() reads TMPDIR when called). */
async function withTmpdir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
	const before = process.env.TMPDIR;
	process.env.TMPDIR = dir;
	try {
		return await fn();
	} finally {
		if (before === undefined) delete process.env.TMPDIR;
		else process.env.TMPDIR = before;
	}
}

describe("the process loader", () => {
	test("serves what a load on this thread serves, with the same report in the log", async () => {
		const a = setup({ loader: "process" });
		const b = setup({ loader: "inline" });
		const text = registry(3000);
		writeFileSync(a.path, text);
		writeFileSync(b.path, text);
		await a.store.reload({ initial: true });
		await b.store.reload({ initial: true });
		const A = a.store.current;
		const B = b.store.current;
		expect(A.count).toBeGreaterThan(2700);
		const anywhere = (d: ReturnType<typeof served>) => ({
			...d,
			provenance: { ...d.provenance, source: "", report: { ...d.provenance.report, file: "" } },
		});
		expect(anywhere(served(A))).toEqual(anywhere(served(B)));
		const report = (lines: string[], path: string) =>
			lines.map((l) =>
				l
					.slice(l.indexOf(" ") + 1)
					.replaceAll(path, "FILE")
					.replace(/ ms=\d+/, "")
					.replace(/ loader=\w+/, ""),
			);
		expect(report(a.lines, a.path).join("\n")).toBe(report(b.lines, b.path).join("\n"));
		expect(a.lines.some((l) => l.includes("loader=process"))).toBe(true);
		// The applied state names the file's MD5, as with any loader.
		expect(a.store.applied.etag).toBe(b.store.applied.etag);
	});

	test("with MCP_REGISTRY_INVALID_ENTRIES=reject the file is refused with the same message, the old data kept", async () => {
		const s = setup();
		writeFileSync(s.path, registry(20, "ok")); // 18 valid
		await s.store.replace();
		writeFileSync(s.path, registry(500));
		const err = await rejection(s.store.replace({ invalidEntries: "reject" }));
		const inline = setup({ loader: "inline" });
		writeFileSync(inline.path, registry(500));
		const expected = await rejection(inline.store.replace({ invalidEntries: "reject" }));
		expect(err.message).toBe(expected.message.replaceAll(inline.path, s.path));
		expect(s.store.current.count).toBe(18);
	});

	test("refuses a file over MCP_REGISTRY_MAX_FILE_BYTES and a FIFO, unread, naming them", async () => {
		const good = registry(1);
		const s = setup({ maxFileBytes: Buffer.byteLength(good) });
		writeFileSync(s.path, good);
		await s.store.replace();
		truncateSync(s.path, 64 << 20);
		expect((await rejection(s.store.replace())).message).toBe(
			`${s.path}: the file is ${64 << 20} bytes, over the limit of ${Buffer.byteLength(good)} bytes (MCP_REGISTRY_MAX_FILE_BYTES); not loaded`,
		);
		rmSync(s.path);
		expect(spawnSync("mkfifo", [s.path]).status).toBe(0);
		expect((await rejection(s.store.replace())).message).toBe(
			`${s.path}: is a FIFO; a registry file must be a regular file; not loaded`,
		);
		expect(s.store.current.count).toBe(1);
	});

	test("a load past the timeout is abandoned: the build process is ended and the next load proceeds", async () => {
		// Long enough for a small load on a busy machine (a process start and all), far too short
		// for 150,000 entries (two seconds and more).
		const s = setup({ timeoutMs: 1000 });
		writeFileSync(s.path, registry(1, "small"));
		await s.store.replace();
		const big = join(s.dir, "big.json");
		writeFileSync(big, registry(150_000, "big"));
		const err = await rejection(s.store.replace({ source: big }));
		expect(err).toBeInstanceOf(LoadTimeoutError);
		expect(s.store.loads.timeout).toBe(1);
		await until("the build process to be gone", () => buildProcesses().length === 0, { timeoutMs: 10_000 });
		// Abandoned while reading or after: either way the file may be tried again, and the store
		// goes on with other loads.
		const next = join(s.dir, "next.json");
		writeFileSync(next, registry(2, "next"));
		await s.store.replace({ source: next });
		expect(s.store.current.index.names).toEqual(["io.github.next0/server", "io.github.next1/server"]);
	});

	test("leaves no file in the temporary folder; without one to write to, the snapshot comes through the pipe", async () => {
		const tmp = mkdtempSync(join(tmpdir(), "store-process-tmp-"));
		dirs.push(tmp);
		const s = setup();
		writeFileSync(s.path, registry(2000));
		await withTmpdir(tmp, () => s.store.replace());
		expect(s.store.current.count).toBeGreaterThan(1800);
		expect(readdirSync(tmp)).toEqual([]);
		const missing = join(tmp, "missing");
		writeFileSync(s.path, registry(1000, "piped"));
		await withTmpdir(missing, () => s.store.replace());
		expect(s.store.current.index.names[0]).toBe("io.github.piped0/server");
		mkdirSync(missing);
		expect(readdirSync(missing)).toEqual([]);
	});

	test("the first load is built at the server's CPU priority, later ones below it (requests come first)", async () => {
		const s = setup();
		// Big enough for its build to be seen (a few hundred ms), small enough for a busy machine.
		const big = registry(30_000, "nice");
		/** The highest nice value a build process's threads had while `load` ran (null: none seen). */
		const niceOfBuild = async (load: Promise<unknown>) => {
			let nice: number | null = null;
			let done = false;
			const settled = load.finally(() => {
				done = true;
			});
			while (!done) {
				for (const pid of buildProcesses()) {
					try {
						for (const tid of readdirSync(`/proc/${pid}/task`)) {
							const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
							const n = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
							nice = Math.max(nice ?? n, n);
						}
					} catch {} // gone meanwhile
				}
				await Bun.sleep(2);
			}
			await settled;
			return nice;
		};
		writeFileSync(s.path, big);
		expect(await niceOfBuild(s.store.reload({ initial: true }))).toBe(0);
		expect(await niceOfBuild(s.store.reload())).toBe(10);
		expect(s.store.loads.success).toBe(2);
	}, 60_000);

	test("without an MD5 when the store needs none: the applied state knows no ETag of its own", async () => {
		const s = setup({ md5: false });
		writeFileSync(s.path, registry(10));
		await s.store.replace();
		expect(s.store.current.provenance.md5).toBe("");
		expect(s.store.current.provenance.contentHash).toMatch(/^[0-9a-f]{64}$/);
		expect(s.store.applied.etag).toBeUndefined();
	});
});
