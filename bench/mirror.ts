/**
 * The live mirror measured: a generated registry (bench/generate.ts) served by the registry from
 * source, and a second registry mirroring it (MCP_REGISTRY_MIRROR_FROM, INTERVAL seconds) from an
 * empty file. Times the first whole mirror, then CHANGES entries changed at the source (updatedAt
 * bumped, description changed, SIGHUP) until the mirror serves every one; meanwhile a client asks
 * the mirror's /v0/health every 20 ms and the slowest answer is kept: what a round costs the
 * server's clients. Also the mirror's peak RSS (VmHWM, the server process alone: rounds run in a
 * process of their own).
 *
 *   bun bench/mirror.ts [ENTRIES] [CHANGES] [INTERVAL]     default 10000 50 1
 *
 * Linux only (it reads /proc). A measurement, not a test.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRegistry } from "../test/support/process.ts";
import { vmKiB } from "./procfs.ts";

const ROOT = join(import.meta.dir, "..");
const [entries = 10_000, changes = 50, interval = 1] = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), "registry-bench-mirror-"));
const sourceFile = join(dir, "source.json");
const gen = Bun.spawnSync([
	process.execPath,
	join(ROOT, "bench", "generate.ts"),
	String(entries),
	sourceFile,
]);
if (gen.exitCode !== 0) throw new Error(`generate failed: ${gen.stderr}`);

const source = await startRegistry({ env: { MCP_REGISTRY_JSON_FILE_PATH: sourceFile } });
const mirror = await startRegistry({
	env: {
		MCP_REGISTRY_JSON_FILE_PATH: join(dir, "mirror", "registry.json"),
		MCP_REGISTRY_MIRROR_FROM: source.base,
		MCP_REGISTRY_MIRROR_INTERVAL_SECONDS: String(interval),
	},
});
const pid = mirror.proc.pid;

let slowest = 0;
let probing = true;
const probe = (async () => {
	while (probing) {
		const t = performance.now();
		await fetch(`${mirror.base}/v0/health`).then((r) => r.arrayBuffer());
		slowest = Math.max(slowest, performance.now() - t);
		await Bun.sleep(20);
	}
})();

const count = async (base: string) =>
	((await (await fetch(`${base}/v0/health`)).json()) as { data: { entries: number } }).data.entries;
async function until(what: string, fn: () => Promise<boolean>, ms = 120_000): Promise<void> {
	const end = performance.now() + ms;
	while (!(await fn())) {
		if (performance.now() > end) throw new Error(`timed out: ${what}`);
		await Bun.sleep(25);
	}
}

try {
	const started = performance.now();
	const want = await count(source.base);
	await until("the first mirror", async () => (await count(mirror.base)) > 0);
	const firstMs = performance.now() - started;
	const served = await count(mirror.base);

	const doc = JSON.parse(readFileSync(sourceFile, "utf8")) as {
		servers: { server: { description: string }; _meta: Record<string, Record<string, unknown>> }[];
	};
	const now = new Date().toISOString();
	const picked = doc.servers
		.filter((e) => e._meta["io.modelcontextprotocol.registry/official"]?.status === "active")
		.slice(0, changes);
	for (const e of picked) {
		e.server.description = `changed ${now}`;
		(e._meta["io.modelcontextprotocol.registry/official"] as Record<string, unknown>).updatedAt = now;
	}
	writeFileSync(sourceFile, JSON.stringify(doc));
	const from = source.logs().length;
	const changedAt = performance.now();
	source.proc.kill("SIGHUP");
	await source.waitForLog(/Loaded \d+ entries/, 60_000, from);
	await until("every change at the mirror", async () => {
		const res = await fetch(
			`${mirror.base}/v0.1/servers?search=${encodeURIComponent(`changed ${now}`)}&limit=100`,
		);
		return ((await res.json()) as { servers: unknown[] }).servers.length === picked.length;
	});
	const changeMs = performance.now() - changedAt;
	probing = false;
	await probe;
	console.log(
		`live mirror of ${entries} generated entries (${want} served at the source), interval ${interval} s`,
	);
	console.log("");
	console.log("| measure | value |");
	console.log("|---|---|");
	console.log(
		`| first whole mirror (start to first entries served) | ${Math.round(firstMs)} ms, ${served} entries |`,
	);
	console.log(
		`| ${picked.length} changes at the source → all served by the mirror | ${Math.round(changeMs)} ms |`,
	);
	console.log(`| slowest /v0/health answer of the mirror meanwhile | ${slowest.toFixed(1)} ms |`);
	console.log(`| mirror server's peak RSS (VmHWM) | ${(vmKiB(pid, "VmHWM") / 1024).toFixed(1)} MiB |`);
} finally {
	probing = false;
	await mirror.stop();
	await source.stop();
	rmSync(dir, { recursive: true, force: true });
}
