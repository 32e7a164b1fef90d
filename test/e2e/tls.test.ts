/**
 * HTTPS (MCP_REGISTRY_TLS_CERT_FILE / MCP_REGISTRY_TLS_KEY_FILE) in the compiled binary and under
 * Deno, with certificates made here by openssl: served with the CA trusted, a SIGHUP swaps the
 * certificate for new connections while a keep-alive connection opened before stays usable, a
 * bad pair stops start-up with its reason and, on reload, is refused while the old pair serves.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { join } from "node:path";
import { connect, type TLSSocket } from "node:tls";
import { buildBinary } from "../support/binary.ts";
import { ROOT, type RunningRegistry, startRegistry, tempDir } from "../support/process.ts";

const DENO = join(ROOT, "node_modules", ".bin", "deno");
/** As test/e2e/deno.test.ts runs it (importing that file would run its tests here too). */
const DENO_PERMISSIONS = [
	"--allow-net",
	"--allow-read",
	"--allow-write",
	"--allow-env",
	"--allow-sys",
	"--allow-run",
];
const work = tempDir("registry-tls-test-");
const running: RunningRegistry[] = [];
let binary: string;

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
const file = join(work.path, "registry.json");

/** A self-signed certificate for 127.0.0.1 with common name `name`: its .crt and .key paths. */
function makePair(name: string): { crt: string; key: string } {
	const crt = join(work.path, `${name}.crt`);
	const key = join(work.path, `${name}.key`);
	const p = Bun.spawnSync(
		[
			"openssl",
			"req",
			"-x509",
			"-newkey",
			"ec",
			"-pkeyopt",
			"ec_paramgen_curve:prime256v1",
			"-nodes",
			"-subj",
			`/CN=${name}`,
			"-addext",
			"subjectAltName=IP:127.0.0.1",
			"-days",
			"1",
			"-keyout",
			key,
			"-out",
			crt,
		],
		{ stdout: "ignore", stderr: "pipe" },
	);
	if (p.exitCode !== 0) throw new Error(`openssl failed: ${p.stderr.toString()}`);
	return { crt, key };
}

let first: { crt: string; key: string };
let second: { crt: string; key: string };

beforeAll(async () => {
	binary = await buildBinary();
	first = makePair("registry-first");
	second = makePair("registry-second");
	writeFileSync(
		file,
		JSON.stringify([{ $schema: SCHEMA, name: "io.github.tls/one", description: "TLS", version: "1.0.0" }]),
	);
}, 180_000);

afterAll(async () => {
	for (const r of running) await r.stop("SIGKILL");
	work.cleanup();
});

const RUNTIMES: [string, () => string[]][] = [
	["the compiled binary", () => [binary]],
	["Deno", () => [DENO, "run", ...DENO_PERMISSIONS, join(ROOT, "src", "main.ts")]],
];

/** The registry serving the TLS files in `dir` (copies of a pair, so a test can replace them). */
async function startHttps(cmd: string[], dir: string): Promise<RunningRegistry & { url: string }> {
	const r = await startRegistry({
		cmd,
		expectListening: false,
		env: {
			NO_COLOR: "1",
			MCP_REGISTRY_JSON_FILE_PATH: file,
			MCP_REGISTRY_TLS_CERT_FILE: join(dir, "tls.crt"),
			MCP_REGISTRY_TLS_KEY_FILE: join(dir, "tls.key"),
		},
	});
	running.push(r);
	await r.waitForLog(/Listening on https:\/\/\S+/, 30_000);
	const url = /Listening on (https:\/\/\S+)/.exec(r.logs())?.[1] ?? "";
	return Object.assign(r, { url });
}

function install(pair: { crt: string; key: string }, dir: string, keyOf = pair): void {
	copyFileSync(pair.crt, join(dir, "tls.crt"));
	copyFileSync(keyOf.key, join(dir, "tls.key"));
}

/** One keep-alive connection, trusting both certificates; `get` sends a request on it. */
async function openConnection(url: string): Promise<{
	socket: TLSSocket;
	commonName(): string;
	get(path: string): Promise<{ status: number; body: string }>;
}> {
	const { hostname, port } = new URL(url);
	const ca = [readFileSync(first.crt, "utf8"), readFileSync(second.crt, "utf8")];
	const socket = connect({ host: hostname, port: Number(port), ca });
	await new Promise<void>((resolve, reject) => {
		socket.once("secureConnect", resolve);
		socket.once("error", reject);
	});
	let buffer = Buffer.alloc(0);
	let wake: (() => void) | undefined;
	socket.on("data", (chunk: Buffer) => {
		buffer = Buffer.concat([buffer, chunk]);
		wake?.();
	});
	socket.on("close", () => wake?.());
	return {
		socket,
		commonName: () => String(socket.getPeerCertificate().subject?.CN),
		async get(path) {
			buffer = Buffer.alloc(0);
			socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAccept-Encoding: identity\r\n\r\n`);
			const deadline = Date.now() + 10_000;
			for (;;) {
				const text = buffer.toString("latin1");
				const end = text.indexOf("\r\n\r\n");
				if (end >= 0) {
					const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
					if (buffer.byteLength >= end + 4 + length) {
						return {
							status: Number(text.slice(9, 12)),
							body: buffer.subarray(end + 4, end + 4 + length).toString(),
						};
					}
				}
				if (socket.destroyed || Date.now() > deadline)
					throw new Error(`no complete response on the connection (destroyed: ${socket.destroyed})`);
				await new Promise<void>((resolve) => {
					wake = resolve;
					setTimeout(resolve, 200);
				});
			}
		},
	};
}

async function fetchTrusting(url: string, crt: string): Promise<Response> {
	return fetch(url, { tls: { ca: readFileSync(crt, "utf8") } });
}

describe.each(RUNTIMES)("HTTPS in %s", (_name, cmd) => {
	test("serves /v0/health; SIGHUP swaps the certificate for new connections and an open connection stays usable; a bad pair on reload is refused", async () => {
		const dir = tempDir("registry-tls-files-");
		try {
			install(first, dir.path);
			const r = await startHttps(cmd(), dir.path);
			expect(r.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
			const health = await fetchTrusting(`${r.url}/v0/health`, first.crt);
			expect(health.status).toBe(200);
			expect(((await health.json()) as { status: string }).status).toBe("ok");
			// Not trusted without the CA.
			await expect(fetch(`${r.url}/v0/health`)).rejects.toThrow();

			const kept = await openConnection(r.url);
			expect(kept.commonName()).toBe("registry-first");
			expect((await kept.get("/v0/ping")).status).toBe(200);

			install(second, dir.path);
			let from = r.logs().length;
			r.proc.kill("SIGHUP");
			await r.waitForLog("SIGHUP: reloaded the TLS certificate", 10_000, from);
			// The connection opened before the reload serves on, with its certificate.
			const again = await kept.get("/v0/health");
			expect(again.status).toBe(200);
			expect(JSON.parse(again.body).status).toBe("ok");
			expect(kept.commonName()).toBe("registry-first");
			// New connections get the new certificate: trusted with its CA alone.
			const fresh = await openConnection(r.url);
			expect(fresh.commonName()).toBe("registry-second");
			fresh.socket.destroy();
			expect((await fetchTrusting(`${r.url}/v0/ping`, second.crt)).status).toBe(200);

			// A mismatched pair on reload: logged, and the previous pair is still served.
			install(first, dir.path, second);
			from = r.logs().length;
			r.proc.kill("SIGHUP");
			await r.waitForLog("TLS reload failed; still serving the previous certificate", 10_000, from);
			const log = r.logs().slice(from);
			expect(log).toContain(`is not the private key of the certificate in MCP_REGISTRY_TLS_CERT_FILE`);
			expect(log).not.toContain("PRIVATE KEY-----");
			const after = await openConnection(r.url);
			expect(after.commonName()).toBe("registry-second");
			expect((await after.get("/v0/ping")).status).toBe(200);
			after.socket.destroy();
			expect((await kept.get("/v0/ping")).status).toBe(200);
			kept.socket.destroy();
			expect(await r.stop("SIGTERM")).toBe(0);
		} finally {
			dir.cleanup();
		}
	}, 60_000);

	test("a mismatched pair stops start-up with exit 1 naming the files; one variable alone is a configuration error", async () => {
		const dir = tempDir("registry-tls-files-");
		try {
			install(first, dir.path, second);
			const bad = await startRegistry({
				cmd: cmd(),
				expectListening: false,
				env: {
					NO_COLOR: "1",
					MCP_REGISTRY_JSON_FILE_PATH: file,
					MCP_REGISTRY_TLS_CERT_FILE: join(dir.path, "tls.crt"),
					MCP_REGISTRY_TLS_KEY_FILE: join(dir.path, "tls.key"),
				},
			});
			running.push(bad);
			expect(await bad.proc.exited).toBe(1);
			await bad.stop();
			const text = bad.logs();
			expect(text).toContain(
				`Cannot serve HTTPS: MCP_REGISTRY_TLS_KEY_FILE "${join(dir.path, "tls.key")}" is not the private key of the certificate in MCP_REGISTRY_TLS_CERT_FILE "${join(dir.path, "tls.crt")}"`,
			);
			expect(text).not.toContain("PRIVATE KEY-----");
			expect(text).not.toMatch(/\n\s+at /); // no stack trace
			expect(text).not.toContain("Listening on");

			writeFileSync(join(dir.path, "tls.crt"), "not a certificate\n");
			const garbage = await startRegistry({
				cmd: cmd(),
				expectListening: false,
				env: {
					MCP_REGISTRY_JSON_FILE_PATH: file,
					MCP_REGISTRY_TLS_CERT_FILE: join(dir.path, "tls.crt"),
					MCP_REGISTRY_TLS_KEY_FILE: join(dir.path, "tls.key"),
				},
			});
			running.push(garbage);
			expect(await garbage.proc.exited).toBe(1);
			await garbage.stop();
			expect(garbage.logs()).toContain(
				`MCP_REGISTRY_TLS_CERT_FILE "${join(dir.path, "tls.crt")}" holds no PEM certificate`,
			);

			const alone = await startRegistry({
				cmd: cmd(),
				expectListening: false,
				env: { MCP_REGISTRY_JSON_FILE_PATH: file, MCP_REGISTRY_TLS_CERT_FILE: first.crt },
			});
			running.push(alone);
			expect(await alone.proc.exited).toBe(2);
			await alone.stop();
			expect(alone.logs()).toContain(
				"invalid configuration: MCP_REGISTRY_TLS_KEY_FILE is required when MCP_REGISTRY_TLS_CERT_FILE is set",
			);
		} finally {
			dir.cleanup();
		}
	}, 60_000);
});

describe("registry healthcheck against HTTPS", () => {
	test("trusts a self-signed certificate given in NODE_EXTRA_CA_CERTS", async () => {
		const dir = tempDir("registry-tls-files-");
		try {
			install(first, dir.path);
			const r = await startHttps([binary], dir.path);
			const check = (env: Record<string, string>) =>
				Bun.spawn([binary, "healthcheck", r.url], {
					env: { PATH: process.env.PATH ?? "", ...env },
					stdout: "pipe",
				});
			const trusted = check({ NODE_EXTRA_CA_CERTS: first.crt });
			expect(await trusted.exited).toBe(0);
			expect(await new Response(trusted.stdout).text()).toBe(`${r.url}/v0/health: ok\n`);
			const untrusted = check({});
			expect(await untrusted.exited).toBe(1);
			expect(await new Response(untrusted.stdout).text()).toContain("unreachable");
			// No URL: the server's own address, over https when it serves a certificate.
			const { port } = new URL(r.url);
			const byConfig = Bun.spawn([binary, "healthcheck"], {
				env: {
					PATH: process.env.PATH ?? "",
					NODE_EXTRA_CA_CERTS: first.crt,
					MCP_REGISTRY_SERVER_ADDRESS: `127.0.0.1:${port}`,
					MCP_REGISTRY_TLS_CERT_FILE: join(dir.path, "tls.crt"),
					MCP_REGISTRY_TLS_KEY_FILE: join(dir.path, "tls.key"),
				},
				stdout: "pipe",
			});
			expect(await byConfig.exited).toBe(0);
			expect(await new Response(byConfig.stdout).text()).toBe(`https://127.0.0.1:${port}/v0/health: ok\n`);
			expect(await r.stop("SIGTERM")).toBe(0);
		} finally {
			dir.cleanup();
		}
	}, 60_000);
});

describe("a TLS client that never starts its handshake", () => {
	test("is disconnected after 10 s, not held open (slow clients cannot use up the port)", async () => {
		const dir = tempDir("registry-tls-files-");
		try {
			install(first, dir.path);
			const r = await startHttps([binary], dir.path);
			const { hostname, port } = new URL(r.url);
			const started = performance.now();
			const closedAfter = await new Promise<number>((resolve) => {
				const raw = netConnect({ host: hostname, port: Number(port) });
				raw.on("close", () => resolve(performance.now() - started));
				raw.on("error", () => {});
			});
			expect(closedAfter).toBeGreaterThan(9_000);
			expect(closedAfter).toBeLessThan(15_000);
			// The server still answers a real client.
			expect((await fetch(`${r.url}/v0/ping`, { tls: { ca: readFileSync(first.crt, "utf8") } })).status).toBe(
				200,
			);
			expect(await r.stop("SIGTERM")).toBe(0);
		} finally {
			dir.cleanup();
		}
	}, 60_000);
});

describe("a FIFO in place of a certificate file", () => {
	test("is refused at once, unread: at start (exit 1) and on SIGHUP (the old pair keeps serving)", async () => {
		const dir = tempDir("registry-tls-files-");
		try {
			install(first, dir.path);
			const r = await startHttps([binary], dir.path);
			const crt = join(dir.path, "tls.crt");
			rmSync(crt);
			expect(spawnSync("mkfifo", [crt]).status).toBe(0);
			const mark = r.logs().length;
			r.proc.kill("SIGHUP");
			await r.waitForLog(
				`TLS reload failed; still serving the previous certificate: MCP_REGISTRY_TLS_CERT_FILE "${crt}" cannot be read: it is a FIFO, not a regular file`,
				10_000,
				mark,
			);
			const ca = readFileSync(first.crt, "utf8");
			expect(
				(await fetch(`${r.url}/v0/ping`, { tls: { ca }, signal: AbortSignal.timeout(5_000) })).status,
			).toBe(200);
			expect(await r.stop("SIGTERM")).toBe(0);

			const atStart = await startRegistry({
				cmd: [binary],
				expectListening: false,
				env: {
					MCP_REGISTRY_JSON_FILE_PATH: file,
					MCP_REGISTRY_TLS_CERT_FILE: crt,
					MCP_REGISTRY_TLS_KEY_FILE: join(dir.path, "tls.key"),
				},
			});
			running.push(atStart);
			expect(await atStart.proc.exited).toBe(1);
			await atStart.stop();
			expect(atStart.logs()).toContain("it is a FIFO, not a regular file");
		} finally {
			dir.cleanup();
		}
	}, 60_000);
});
