/**
 * registry: a read-only MCP Registry server. Wires config → store → HTTP, and the signals.
 */
import { existsSync, writeSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Aws, createAws } from "./aws/clients.ts";
import { EndpointConfigError, parseS3Url } from "./aws/endpoints.ts";
import { buildInfo } from "./build-info.ts";
import { healthcheckCommand, parseCommandLine, validateCommand } from "./cli.ts";
import { fileByteLimit, tlsFilesOf } from "./config/variables.ts";
import { type Config, ConfigError, describeVariables, loadConfig } from "./config.ts";
import { makeParentDir } from "./fsutil.ts";
import { createApp } from "./http/app.ts";
import { createLogger, escapeControl, type Logger } from "./log.ts";
import { diffCommand } from "./pipeline/diff.ts";
import { publishCommand } from "./pipeline/publish.ts";
import { pullCommand } from "./pipeline/pull.ts";
import { BUILD_COMMAND, runBuildProcess } from "./registry/build-process.ts";
import { canBuildInProcess, sourceBuildCommand } from "./registry/process-loader.ts";
import { seedRegistryFile } from "./registry/seed.ts";
import { RegistryStore } from "./registry/store.ts";
import { AddressInUseError, hostPort, type RunningServer, serve } from "./runtime.ts";
import { type ApplyContext, applyObject, removeLeftoverTempFiles } from "./sync/apply.ts";
import { SyncListener } from "./sync/listener.ts";
import type { ObjectRef } from "./sync/messages.ts";
import { RegistryMirror } from "./sync/mirror.ts";
import { S3Poller } from "./sync/poller.ts";
import { readTlsPair, type TlsPair } from "./tls.ts";
import { uiSettings } from "./ui/settings.ts";
import type { UiSettings } from "./ui/ui.ts";

const USAGE = `registry — a read-only MCP Registry server (the API of modelcontextprotocol/registry,
under /v0 and /v0.1), served from a registry file and kept current from S3 via SQS.

Usage:
  registry [serve]                   serve the registry (the default)
  registry validate [--strict] [--skip-invalid] [--quiet] [--format text|json] FILE...
                                     check registry files with the server's own rules (FILE -:
                                     standard input); --strict: warnings are errors;
                                     --skip-invalid: drop invalid entries as the server's "skip";
                                     --quiet: errors and a summary only; --format json: every
                                     error and warning in full (text summarises warnings)
  registry pull SOURCE... -o FILE [--include GLOB]... [--exclude GLOB]... [--status LIST]
                [--latest-only] [--full]
                                     build FILE from other registries (their URLs) and registry
                                     files; incremental when FILE exists (updated_since)
  registry diff OLD NEW [--format text|json|markdown]
                                     what changed between two registry files (exit 1 when they
                                     differ)
  registry publish FILE s3://BUCKET/KEY [--queue-url URL]... [--if-match ETAG] [--dry-run]
                                     validate, upload with a SHA-256 checksum, tell the queue
  registry healthcheck [URL]         exit 0 when the running server is healthy (URL: its
                                     /v0/health or its base URL; default: the server at
                                     MCP_REGISTRY_SERVER_ADDRESS)
  registry --version                 print the version and exit
  registry --help                    print this help and exit

Each command prints its own help with --help.

Signals: SIGHUP reloads the registry file; SIGTERM and SIGINT stop gracefully.

Environment variables:
`;

export function helpText(): string {
	return `${USAGE}${describeVariables()}\n`;
}

function versionText(): string {
	return `registry ${buildInfo.version} (commit ${buildInfo.gitCommit}, built ${buildInfo.buildTime})\n`;
}

/** s3:// or https S3 URL → ObjectRef, or a start-up error naming the variable. */
function objectRef(variable: string, url: string): ObjectRef {
	try {
		const loc = parseS3Url(url);
		return { bucket: loc.bucket, key: loc.key, region: loc.region, versionId: loc.versionId };
	} catch (err) {
		throw new ConfigError([`${variable}: ${(err as Error).message}`]);
	}
}

async function prepareData(
	store: RegistryStore,
	config: Config,
	log: Logger,
	seedFromS3: (() => Promise<void>) | undefined,
): Promise<boolean> {
	const path = store.path;
	// With S3 sync the next object brings (or repairs) the file: serving empty meanwhile is expected.
	// The mirror brings the file just as well.
	const s3Sync = config.sqsEnabled || Boolean(config.s3Url) || Boolean(config.mirrorFrom);
	if (!existsSync(path) && config.seedFrom) {
		try {
			// An S3 object is downloaded beside the file, and with S3 sync one may come after a
			// failed seed: the folder first (a local or API seed makes it when it writes).
			if (seedFromS3 || s3Sync) await makeParentDir(path);
			// A seed is validated, written and served in one replace: nothing left to load.
			if (seedFromS3) await seedFromS3();
			else await seedRegistryFile(store, { source: config.seedFrom, target: path, log });
			return true;
		} catch (err) {
			log.error(`Seeding from MCP_REGISTRY_SEED_FROM failed: ${(err as Error).message}`);
			// Without S3 sync nothing would ever bring the data: an empty registry that reports
			// itself healthy is worse than not starting.
			if (!s3Sync) {
				log.error(
					`Not starting: ${path} does not exist and its seed failed (with MCP_REGISTRY_S3_URL or MCP_REGISTRY_SQS_ENABLED the registry would serve empty until S3 brings the file)`,
				);
				return false;
			}
			log.warn(`Serving an empty registry until the S3 sync brings ${path}`);
			return true;
		}
	}
	if (!existsSync(path)) {
		if (config.mirrorFrom) {
			log.info(`Registry file ${path} does not exist yet: the mirror's first pull writes it`);
			return true;
		}
		log.warn(
			`Registry file ${path} does not exist: serving an empty registry until it does (SIGHUP reloads)`,
		);
		return true;
	}
	try {
		await store.reload({ initial: true });
		return true;
	} catch (err) {
		log.error(`Cannot load the registry file: ${(err as Error).message}`);
		// Without S3 sync, refuse to serve nothing silently.
		if (s3Sync) {
			log.warn("Serving an empty registry until the S3 sync brings a valid file");
			return true;
		}
		return false;
	}
}

/**
 * Writes all of `text` to `fd` before returning: a command's output must not be cut off by the
 * exit that follows it when it goes to a slow pipe (`registry validate … | less`).
 */
function writeAll(fd: number, text: string): void {
	const bytes = Buffer.from(text);
	for (let at = 0; at < bytes.byteLength; ) {
		try {
			at += writeSync(fd, bytes, at);
		} catch (err) {
			const code = (err as NodeJS.ErrnoException).code;
			if (code === "EPIPE") return; // the reader is gone (`… | head`): nothing more to say
			if (code !== "EAGAIN") throw err;
			Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // the pipe is full: wait for the reader
		}
	}
}

/** The Worker module: in a compiled binary modules live beside the entry point, so it is named here. */
const WORKER_URL = new URL("./registry/load-worker.ts", import.meta.url).href;

/**
 * The command that starts a build process: this executable again when compiled (its entry point
 * is inside it, under /$bunfs or B:\~BUN: Bun.main says so even when import.meta keeps the source
 * path, as with bytecode), else this runtime with build-process.ts.
 */
function buildCommand(): string[] {
	return isCompiled() ? [selfExecutable()] : sourceBuildCommand();
}

/**
 * This executable: on Linux /proc/self/exe, which names it even after the file was moved or
 * replaced (a binary updated in place must not start its new version for this server's work).
 */
function selfExecutable(): string {
	return process.platform === "linux" && existsSync("/proc/self/exe") ? "/proc/self/exe" : process.execPath;
}

function isCompiled(): boolean {
	const entry = (globalThis as { Bun?: { main?: string } }).Bun?.main ?? "";
	return /^(\/\$bunfs\/|[A-Za-z]:[\\/]~BUN[\\/])/.test(entry);
}

/**
 * The command that runs `registry` itself (this executable when compiled, else this runtime with
 * this file), for the mirror's rounds; undefined where no process can be started (Deno).
 */
function registryCommand(): string[] | undefined {
	if (isCompiled()) return [selfExecutable()];
	return canBuildInProcess ? [process.execPath, fileURLToPath(import.meta.url)] : undefined;
}

export async function main(argv: string[]): Promise<number> {
	// A build process (not a command for users): reads and builds one file, answers on stdout.
	if (argv[0] === BUILD_COMMAND) return runBuildProcess(argv[1], WORKER_URL);
	const write = (text: string) => writeAll(1, text);
	const line = parseCommandLine(argv);
	if (line.command === "validate") return validateCommand(line.args, write);
	const io = { out: write, err: (text: string) => writeAll(2, text), env: process.env };
	if (line.command === "pull") return pullCommand(line.args, io);
	if (line.command === "diff") return diffCommand(line.args, io);
	if (line.command === "publish") return publishCommand(line.args, io);
	if (line.command === "healthcheck") {
		let address = { hostname: "127.0.0.1", port: 8080 };
		let https = false;
		try {
			const { config } = loadConfig(process.env);
			address = config.serverAddress;
			https = Boolean(config.tlsCertFile);
		} catch {}
		return healthcheckCommand(line.args, address, write, https);
	}
	if (line.command === "help") {
		process.stdout.write(helpText());
		return 0;
	}
	if (line.command === "version") {
		process.stdout.write(versionText());
		return 0;
	}
	if (line.command === "usage-error") {
		process.stderr.write(`registry: ${escapeControl(line.message)}\n`);
		return 2;
	}

	let loaded: ReturnType<typeof loadConfig>;
	try {
		loaded = loadConfig(process.env);
	} catch (err) {
		if (err instanceof ConfigError) {
			process.stderr.write(`registry: ${escapeControl(err.message)}\n`);
			return 2;
		}
		throw err;
	}
	const { config } = loaded;
	const tlsFiles = tlsFilesOf(config);
	if (tlsFiles && "problem" in tlsFiles) {
		process.stderr.write(`registry: ${escapeControl(new ConfigError([tlsFiles.problem]).message)}\n`);
		return 2;
	}
	// The web UI's logo is read now: a path that cannot be served is a configuration error.
	let ui: UiSettings | undefined;
	try {
		ui = uiSettings(config);
	} catch (err) {
		process.stderr.write(`registry: ${escapeControl(new ConfigError([(err as Error).message]).message)}\n`);
		return 2;
	}
	const log = createLogger({ format: config.logFormat, level: config.logLevel });
	for (const w of loaded.warnings) log.warn(w);
	if (loaded.ignored.length > 0) {
		log.info(
			`This registry is a read-only replica and does not use ${loaded.ignored.join(", ")} (accepted for compatibility with the Go registry)`,
		);
	}
	log.info(`Starting registry ${buildInfo.version}`, { commit: buildInfo.gitCommit });
	// The certificate before the data: a bad pair stops start-up at once, as a bad file does.
	let tls: TlsPair | undefined;
	try {
		tls = tlsFiles ? readTlsPair(tlsFiles) : undefined;
	} catch (err) {
		log.error(`Cannot serve HTTPS: ${(err as Error).message}`);
		return 1;
	}

	const seedS3 = config.seedFrom && /^s3:\/\//i.test(config.seedFrom) ? config.seedFrom : undefined;
	const store = new RegistryStore({
		path: config.jsonFilePath,
		invalidEntries: config.invalidEntries,
		log,
		// The MD5 of what is served is compared with S3 ETags only: without S3, it is not made.
		md5: Boolean(config.sqsEnabled || config.s3Url || seedS3),
		workerUrl: WORKER_URL,
		buildCommand: buildCommand(),
		loader: config.loadWorker ? "process" : "paced",
		timeoutMs: config.loadTimeoutSeconds * 1000,
		maxFileBytes: fileByteLimit(config),
	});
	let s3Ref: ObjectRef | undefined;
	let seedRef: ObjectRef | undefined;
	try {
		s3Ref = config.s3Url ? objectRef("MCP_REGISTRY_S3_URL", config.s3Url) : undefined;
		seedRef = seedS3 ? objectRef("MCP_REGISTRY_SEED_FROM", seedS3) : undefined;
	} catch (err) {
		process.stderr.write(`registry: ${escapeControl((err as Error).message)}\n`);
		return 2;
	}
	let aws: Aws | undefined;
	try {
		aws = config.sqsEnabled || s3Ref || seedRef ? createAws(config, log) : undefined;
	} catch (err) {
		if (!(err instanceof EndpointConfigError)) throw err;
		process.stderr.write(`registry: ${escapeControl(err.message)}\n`);
		return 2;
	}
	const applyContext: ApplyContext | undefined = aws
		? { s3: aws.s3, store, target: config.jsonFilePath, maxBytes: fileByteLimit(config), log }
		: undefined;
	await removeLeftoverTempFiles(config.jsonFilePath, log);
	const seedFromS3 =
		applyContext && seedRef
			? async () => {
					// Like a file or URL seed: the first data there is must be wholly valid.
					await applyObject(applyContext, seedRef, undefined, undefined, "reject");
					log.info(`Seeded ${store.path} with ${store.current.count} entries from ${config.seedFrom}`);
				}
			: undefined;
	if (!(await prepareData(store, config, log, seedFromS3))) return 1;
	const poller = applyContext && s3Ref ? new S3Poller(applyContext, s3Ref, log) : undefined;
	const mirror = config.mirrorFrom
		? new RegistryMirror({
				store,
				source: config.mirrorFrom,
				intervalSeconds: config.mirrorIntervalSeconds,
				filters: {
					include: config.mirrorInclude,
					exclude: config.mirrorExclude,
					statuses: new Set(config.mirrorStatus),
					latestOnly: config.mirrorLatestOnly,
				},
				log,
				maxBytes: fileByteLimit(config),
				// Each round in a process of its own, as loads are built (not with LOAD_WORKER=false).
				command: config.loadWorker ? registryCommand() : undefined,
			})
		: undefined;
	const listener =
		aws?.sqs && config.sqsEnabled
			? new SyncListener({
					sqs: aws.sqs,
					s3: aws.s3,
					store,
					log,
					target: config.jsonFilePath,
					maxBytes: fileByteLimit(config),
					waitTimeSeconds: config.sqsWaitTimeSeconds,
					maxMessages: config.sqsMaxMessages,
					visibilityTimeout: config.sqsVisibilityTimeout,
					allowedBuckets: config.sqsAllowedBuckets,
					retryDelaySeconds: config.sqsRetryDelaySeconds,
					// Past one load timeout and a margin without progress, a message is stuck.
					stallMs: (config.loadTimeoutSeconds + 10) * 1000,
				})
			: undefined;

	const app = createApp({
		store,
		build: buildInfo,
		cacheMaxAge: config.cacheMaxAge,
		githubClientId: config.githubClientId,
		healthDetail: config.healthDetail,
		registryVersion: config.registryVersion,
		log,
		syncState: () => ({
			enabled: config.sqsEnabled,
			...(listener ? listener.health() : {}),
			...(poller ? { s3_url: poller.health() } : {}),
			...(mirror ? { mirror: mirror.health() } : {}),
		}),
		extraMetrics:
			listener || mirror ? () => [...(listener?.metrics() ?? []), ...(mirror?.metrics() ?? [])] : undefined,
		ui,
	});
	let server: RunningServer;
	try {
		server = await serve({
			hostname: config.serverAddress.hostname,
			port: config.serverAddress.port,
			fetch: app.fetch,
			routes: app.routes,
			tls,
		});
	} catch (err) {
		const { hostname, port } = config.serverAddress;
		log.error(
			err instanceof AddressInUseError
				? err.message
				: `Cannot listen on ${hostPort(hostname, port)}: ${(err as Error).message}`,
		);
		return 1;
	}
	// Signal handlers go in before the listening line: whoever waits for it may signal at once.
	const stopped = new Promise<number>((resolve) => {
		let stopping = false;
		const stop = (signal: string) => {
			if (stopping) return;
			stopping = true;
			log.info(`${signal}: shutting down`);
			const deadline = setTimeout(() => resolve(0), 15_000);
			// Stop receiving first (the message in hand may finish), then drain HTTP.
			Promise.all([listener?.stop(5_000), poller?.stop(), mirror?.stop()])
				.then(() => server.stop())
				.finally(() => {
					clearTimeout(deadline);
					resolve(0);
				});
		};
		process.on("SIGTERM", () => stop("SIGTERM"));
		process.on("SIGINT", () => stop("SIGINT"));
	});
	process.on("SIGHUP", () => {
		if (tlsFiles && server.reloadTls) {
			// New connections get the new pair; open ones keep theirs. A bad pair changes nothing.
			try {
				server.reloadTls(readTlsPair(tlsFiles));
				log.info(`SIGHUP: reloaded the TLS certificate ${tlsFiles.certFile}`);
			} catch (err) {
				log.error(`TLS reload failed; still serving the previous certificate: ${(err as Error).message}`);
			}
		}
		log.info(`SIGHUP: reloading ${store.path}`);
		store.reload().catch((err: Error) => {
			log.error(`Reload failed; still serving the previous data: ${err.message}`);
		});
	});
	const shown = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
	log.info(`Listening on ${server.protocol}://${shown}:${server.port}`);
	// Serving first; then catch up from S3, then listen for updates.
	if (poller) {
		await poller.check();
		poller.start(config.s3PollSeconds);
	}
	listener?.start();
	mirror?.start();
	return await stopped;
}

if (import.meta.main) {
	main(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(err: Error) => {
			process.stderr.write(`registry: ${err.stack ?? err.message}\n`);
			process.exit(1);
		},
	);
}
