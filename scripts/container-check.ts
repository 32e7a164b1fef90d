/**
 * Proves the container image's final stage without a Docker engine: assembles what that stage
 * holds — the binary, the shared libraries ldd names, the data folder, passwd/group entries for
 * the non-root user — into a directory, runs the binary there under chroot as that user (uid
 * 65532, as distroless "nonroot"), and checks /v0/health and `registry healthcheck` (the image's
 * HEALTHCHECK). Needs root for chroot; otherwise it says why it skipped.
 *
 *   bun scripts/container-check.ts
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
	chmodSync,
	chownSync,
	copyFileSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	realpathSync,
	rmSync,
	writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const UID = 65532;

if (process.getuid?.() !== 0) {
	console.log("container check skipped: chroot needs root (run make test as root to include it)");
	process.exit(0);
}
const CHROOT = Bun.which("chroot") ?? Bun.which("chroot", { PATH: "/usr/sbin:/sbin:/usr/bin:/bin" });
if (!CHROOT) {
	console.log("container check skipped: no chroot command on this machine");
	process.exit(0);
}

/** The final stage's HEALTHCHECK and user, read from the Dockerfile so the check follows it. */
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const healthcheck = /^HEALTHCHECK .*CMD \["([^"]+)"(?:, "([^"]+)")*\]/m.exec(dockerfile);
if (!healthcheck || !/^USER nonroot$/m.test(dockerfile)) {
	console.error(
		"container check: the Dockerfile must run as USER nonroot and declare a HEALTHCHECK CMD [...]",
	);
	process.exit(1);
}

const rootfs = mkdtempSync(join(tmpdir(), "registry-rootfs-"));
chmodSync(rootfs, 0o755); // an image's root is world-readable; mkdtemp's 0700 is not
const mounts: string[] = [];
let server: ReturnType<typeof Bun.spawn> | undefined;
let failed = false;

function fail(message: string): never {
	throw new Error(message);
}

async function freePort(): Promise<number> {
	return new Promise((resolve) => {
		const s = createServer();
		s.listen(0, "127.0.0.1", () => {
			const port = (s.address() as { port: number }).port;
			s.close(() => resolve(port));
		});
	});
}

try {
	// The binary, built exactly as the image's build stage does.
	const binary = join(rootfs, "usr/local/bin/registry");
	mkdirSync(dirname(binary), { recursive: true });
	execFileSync(process.execPath, [join(ROOT, "scripts/build.ts"), "--outfile", binary], { stdio: "inherit" });

	// The shared libraries it needs, at the paths the dynamic loader looks for them.
	const ldd = execFileSync("ldd", [binary]).toString();
	const libs = [...ldd.matchAll(/(\/\S+\.so[^\s]*)/g)].map((m) => m[1] as string);
	if (libs.length === 0) fail(`ldd found no libraries:\n${ldd}`);
	for (const lib of new Set(libs)) {
		const to = join(rootfs, lib);
		mkdirSync(dirname(to), { recursive: true });
		copyFileSync(realpathSync(lib), to);
	}

	// The rest of the final stage: users, the data volume, /tmp.
	mkdirSync(join(rootfs, "etc"), { recursive: true });
	writeFileSync(
		join(rootfs, "etc/passwd"),
		`root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:${UID}:${UID}:nonroot:/home/nonroot:/sbin/nologin\n`,
	);
	writeFileSync(join(rootfs, "etc/group"), `root:x:0:\nnonroot:x:${UID}:\n`);
	mkdirSync(join(rootfs, "home/nonroot"), { recursive: true });
	chownSync(join(rootfs, "home/nonroot"), UID, UID);
	mkdirSync(join(rootfs, "data"));
	copyFileSync(join(ROOT, "data/registry.json"), join(rootfs, "data/registry.json"));
	chownSync(join(rootfs, "data"), UID, UID);
	chownSync(join(rootfs, "data/registry.json"), UID, UID);
	mkdirSync(join(rootfs, "tmp"));
	chmodSync(join(rootfs, "tmp"), 0o1777);

	const size = Number(execFileSync("du", ["-sb", rootfs]).toString().split(/\s/)[0]);

	// What a container runtime provides: /proc (the binary reads its embedded app through it) and /dev.
	for (const [dir, args] of [
		["proc", ["-t", "proc", "proc"]],
		["dev", ["--bind", "/dev"]],
	] as const) {
		mkdirSync(join(rootfs, dir), { recursive: true });
		execFileSync("mount", [...args, join(rootfs, dir)]);
		mounts.push(join(rootfs, dir));
	}

	const port = await freePort();
	const env = {
		MCP_REGISTRY_JSON_FILE_PATH: "/data/registry.json",
		MCP_REGISTRY_SERVER_ADDRESS: `:${port}`,
		HOME: "/home/nonroot",
	};
	server = Bun.spawn([CHROOT, `--userspec=${UID}:${UID}`, rootfs, "/usr/local/bin/registry"], {
		env,
		stdout: "inherit",
		stderr: "inherit",
	});
	let health: { status?: string; data?: { entries?: number } } | undefined;
	for (let i = 0; i < 100 && !health; i++) {
		await Bun.sleep(50);
		try {
			const res = await fetch(`http://127.0.0.1:${port}/v0/health`);
			if (res.ok) health = (await res.json()) as typeof health;
		} catch {}
	}
	if (health?.status !== "ok" || !health.data?.entries)
		fail(`no healthy answer from the chrooted binary: ${JSON.stringify(health)}`);
	const check = spawnSync(
		CHROOT,
		[`--userspec=${UID}:${UID}`, rootfs, ...healthcheck.slice(1).filter(Boolean)] as string[],
		{
			env,
		},
	);
	if (check.status !== 0)
		fail(
			`the image's HEALTHCHECK failed (${check.status}): ${check.error?.message ?? ""}${check.stdout ?? ""}${check.stderr ?? ""}`,
		);
	const whoami = readFileSync(`/proc/${server.pid}/status`, "utf8");
	const uid = /^Uid:\s+(\d+)/m.exec(whoami)?.[1];
	// server.pid is chroot's pid until it execs the binary; both run as the given user by then.
	if (uid !== String(UID)) fail(`the server runs as uid ${uid}, not ${UID}`);
	console.log(
		`container check passed: ${libs.length} libraries + binary + data as uid ${UID}, ${health.data.entries} entries served; final stage ≈ ${(size / 1024 / 1024).toFixed(1)} MiB on top of the base image`,
	);
} catch (err) {
	failed = true;
	console.error(`container check FAILED: ${(err as Error).message}`);
} finally {
	server?.kill();
	await server?.exited;
	for (const m of mounts.reverse()) spawnSync("umount", [m]);
	if (mounts.every((m) => spawnSync("mountpoint", ["-q", m]).status !== 0))
		rmSync(rootfs, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
