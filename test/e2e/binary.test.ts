/**
 * The compiled binary, as a user runs it: built from this source into a temp dir, started
 * from a directory with no node_modules, answering the API.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { buildBinary } from "../support/binary.ts";
import {
	BUN,
	cleanEnv,
	ROOT,
	type RunningRegistry,
	runCliSync,
	startRegistry,
	tempDir,
} from "../support/process.ts";

const work = tempDir("registry-e2e-");
let binary = "";
const running: RunningRegistry[] = [];

beforeAll(async () => {
	binary = await buildBinary();
}, 120_000);

afterAll(async () => {
	for (const r of running) await r.stop("SIGKILL");
	work.cleanup();
});

describe("bin/registry", () => {
	test("runs from an empty directory with its data folder and serves /v0.1/servers", async () => {
		const cwd = join(work.path, "site");
		mkdirSync(join(cwd, "data"), { recursive: true });
		copyFileSync(join(ROOT, "data", "registry.json"), join(cwd, "data", "registry.json"));
		// A stray .env and bunfig.toml must not be picked up by the compiled binary.
		writeFileSync(
			join(cwd, ".env"),
			"MCP_REGISTRY_SERVER_ADDRESS=not-an-address\nMCP_REGISTRY_LOG_FORMAT=xml\n",
		);
		writeFileSync(join(cwd, "bunfig.toml"), 'preload = ["./missing.ts"]\n');
		const r = await startRegistry({ cmd: [binary], cwd });
		running.push(r);

		const list = await fetch(`${r.base}/v0.1/servers?limit=100`);
		expect(list.status).toBe(200);
		const body = (await list.json()) as { servers: unknown[]; metadata: { count: number } };
		expect(body.metadata.count).toBe(100);
		expect(body.servers).toHaveLength(100);

		const latest = await fetch(`${r.base}/v0.1/servers/ai.exa%2Fexa/versions/latest`);
		expect(latest.status).toBe(200);
		expect(((await latest.json()) as { server: { version: string } }).server.version).toBe("3.0.9");

		const version = (await (await fetch(`${r.base}/v0/version`)).json()) as Record<string, string>;
		expect(version.version).toBe("9.9.9-test");
		expect(version.build_time).toBe("2026-11-25T00:00:00Z");
		expect(version.git_commit).toMatch(/^[0-9a-f]{40}$|^unknown$/);

		// Loads run in a build process (the binary again): at start and on SIGHUP.
		r.proc.kill("SIGHUP");
		await r.waitForLog(/Loaded 100 entries[^\n]*loader=process[\s\S]*Loaded 100 entries[^\n]*loader=process/);
		expect(await r.stop()).toBe(0);
	});

	test("with MCP_REGISTRY_LOAD_WORKER=false, reloads are built in slices on the serving thread", async () => {
		const cwd = join(work.path, "worker-site");
		mkdirSync(join(cwd, "data"), { recursive: true });
		copyFileSync(join(ROOT, "data", "registry.json"), join(cwd, "data", "registry.json"));
		const r = await startRegistry({ cmd: [binary], cwd, env: { MCP_REGISTRY_LOAD_WORKER: "false" } });
		running.push(r);
		r.proc.kill("SIGHUP");
		await r.waitForLog(/Loaded 100 entries[^\n]*loader=inline[\s\S]*Loaded 100 entries[^\n]*loader=paced/);
		const list = (await (await fetch(`${r.base}/v0.1/servers?limit=100`)).json()) as {
			metadata: { count: number };
		};
		expect(list.metadata.count).toBe(100);
		expect(await r.stop()).toBe(0);
	});

	test("needs nothing from its environment: no PATH, no HOME, an empty working directory", async () => {
		const empty = join(work.path, "empty");
		mkdirSync(empty);
		const r = await startRegistry({
			cmd: [binary],
			cwd: empty,
			env: {},
			bareEnv: { MCP_REGISTRY_SERVER_ADDRESS: "127.0.0.1:0" },
		});
		running.push(r);
		const health = (await (await fetch(`${r.base}/v0/health`)).json()) as {
			status: string;
			data: { entries: number };
		};
		expect(health).toMatchObject({ status: "ok", data: { entries: 0 } });
		expect(r.logs()).toContain("Registry file data/registry.json does not exist");
		expect(await r.stop()).toBe(0);
	});

	test("--version and --help answer without starting a server", () => {
		const v = Bun.spawnSync([binary, "--version"], { env: cleanEnv() });
		expect(v.exitCode).toBe(0);
		expect(v.stdout.toString()).toContain("registry 9.9.9-test");
		const h = Bun.spawnSync([binary, "--help"], { env: cleanEnv() });
		expect(h.exitCode).toBe(0);
		expect(h.stdout.toString()).toContain("MCP_REGISTRY_JSON_FILE_PATH");
	});

	test("is one self-contained file", () => {
		const size = statSync(binary).size;
		expect(size).toBeGreaterThan(10_000_000);
		const deps = Bun.spawnSync(["ldd", binary]).stdout.toString();
		expect(deps).not.toContain("not found");
	});
});

/** The process's exit code, or "running" if it has not exited within `ms`. */
async function exitWithin(r: RunningRegistry, ms: number): Promise<number | "running"> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const running = new Promise<"running">((resolve) => {
		timer = setTimeout(() => resolve("running"), ms);
	});
	try {
		return await Promise.race([r.proc.exited, running]);
	} finally {
		clearTimeout(timer);
	}
}

describe("the pipeline with the binary", () => {
	test("pull, diff and a live mirror whose rounds run the binary again (no PATH, no HOME)", async () => {
		const cwd = join(work.path, "pipeline");
		mkdirSync(cwd, { recursive: true });
		const sourceFile = join(cwd, "source.json");
		copyFileSync(join(ROOT, "data", "registry.json"), sourceFile);
		const source = await startRegistry({
			cmd: [binary],
			cwd,
			env: { MCP_REGISTRY_JSON_FILE_PATH: sourceFile },
		});
		running.push(source);

		const run = (args: string[]) => runCliSync(args, { cmd: [binary], cwd, bareEnv: { PATH: "" } });
		const pulled = run(["pull", source.base, "--include", "ai.*", "-o", "pulled.json"]);
		expect(pulled.code).toBe(0);
		expect(pulled.stdout).toMatch(/pulled\.json: \d+ entries \(\d+ servers\): \d+ added/);
		const diff = run(["diff", sourceFile, "pulled.json"]);
		expect(diff.code).toBe(1);
		expect(diff.stdout).toContain("servers removed");

		const mirror = await startRegistry({
			cmd: [binary],
			cwd,
			bareEnv: {
				MCP_REGISTRY_SERVER_ADDRESS: "127.0.0.1:0",
				MCP_REGISTRY_JSON_FILE_PATH: join(cwd, "mirror", "registry.json"),
				MCP_REGISTRY_MIRROR_FROM: source.base,
				MCP_REGISTRY_MIRROR_INTERVAL_SECONDS: "0.5",
			},
		});
		running.push(mirror);
		await mirror.waitForLog("Mirrored ", 30_000);
		const health = (await (await fetch(`${mirror.base}/v0/health`)).json()) as { data: { entries: number } };
		expect(health.data.entries).toBe(100);
		// The new data was built in a build process: the binary ran itself for the round and the build.
		expect(mirror.logs()).toMatch(/Loaded 100 entries[^\n]*loader=process/);
		expect(await mirror.stop()).toBe(0);
	}, 60_000);
});

describe("seeding (MCP_REGISTRY_SEED_FROM) with the binary", () => {
	test("into a folder that does not exist yet: the folder is made (0755), the seed written and served", async () => {
		const cwd = join(work.path, "seed-new-folder");
		mkdirSync(cwd);
		const target = join(cwd, "state", "registry", "registry.json");
		const seed = join(ROOT, "data", "registry.json");
		const r = await startRegistry({
			cmd: [binary],
			cwd,
			env: { MCP_REGISTRY_JSON_FILE_PATH: target, MCP_REGISTRY_SEED_FROM: seed },
		});
		running.push(r);
		const health = (await (await fetch(`${r.base}/v0/health`)).json()) as {
			status: string;
			data: { entries: number };
		};
		expect(health).toMatchObject({ status: "ok", data: { entries: 100 } });
		expect(readFileSync(target, "utf8")).toBe(readFileSync(seed, "utf8"));
		// mkdir -p: every missing folder gets 0755, less what the umask takes away.
		const expected = 0o755 & ~process.umask();
		for (const folder of [dirname(target), dirname(dirname(target))]) {
			expect((statSync(folder).mode & 0o777).toString(8), folder).toBe(expected.toString(8));
		}
		expect(r.logs()).toContain(`Seeded ${target} with 100 entries`);
		expect(await r.stop()).toBe(0);
	});

	test("a seed that fails stops start-up: exit 1 with the reason, never listening, no file", async () => {
		const cwd = join(work.path, "seed-fails");
		mkdirSync(cwd);
		const seed = join(cwd, "seed.json");
		writeFileSync(seed, JSON.stringify([{ name: "no-slash" }]));
		for (const [source, reason] of [
			[seed, "seed.json"],
			[join(cwd, "missing-seed.json"), "cannot read"],
		] as const) {
			const target = join(cwd, "new-folder", "registry.json");
			const r = await startRegistry({
				cmd: [binary],
				cwd,
				env: { MCP_REGISTRY_JSON_FILE_PATH: target, MCP_REGISTRY_SEED_FROM: source },
				expectListening: false,
			});
			running.push(r);
			const code = await exitWithin(r, 15_000);
			await r.stop("SIGKILL");
			expect(code, r.logs()).toBe(1);
			expect(r.logs()).toContain("Seeding from MCP_REGISTRY_SEED_FROM failed");
			expect(r.logs()).toContain(reason);
			expect(r.logs()).not.toContain("Listening on");
			expect(existsSync(dirname(target))).toBe(false);
		}
	}, 40_000);
});

describe("build stamps", () => {
	test("an empty BUILD_VERSION, BUILD_GIT_COMMIT or BUILD_TIME (as docker build passes) gets the defaults", async () => {
		const out = join(work.path, "registry-empty-stamps");
		const build = Bun.spawn([BUN, join(ROOT, "scripts", "build.ts"), "--outfile", out], {
			cwd: ROOT,
			env: { ...cleanEnv(), BUILD_VERSION: "", BUILD_GIT_COMMIT: "", BUILD_TIME: "" },
			stdout: "pipe",
			stderr: "pipe",
		});
		expect(await build.exited, await new Response(build.stderr).text()).toBe(0);
		const v = Bun.spawnSync([out, "--version"], { env: cleanEnv() });
		expect(v.exitCode).toBe(0);
		const version = pkg.version.replaceAll(".", "\\.");
		expect(v.stdout.toString()).toMatch(
			new RegExp(
				`^registry ${version}(\\+[0-9a-f]{7}(-dirty)?)? \\(commit ([0-9a-f]{40}|unknown), built \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)\n$`,
			),
		);
	}, 120_000);
});
