/**
 * registry: a read-only MCP Registry server. Wires config → store → HTTP, and the signals.
 */
import { existsSync } from "node:fs";
import { buildInfo } from "./build-info.ts";
import { ConfigError, describeVariables, loadConfig } from "./config.ts";
import { createApp } from "./http/app.ts";
import { createLogger, type Logger } from "./log.ts";
import { seedRegistryFile } from "./registry/seed.ts";
import { RegistryStore } from "./registry/store.ts";
import { serve } from "./runtime.ts";

const USAGE = `registry — a read-only MCP Registry server (the API of modelcontextprotocol/registry,
under /v0 and /v0.1), served from a registry file and kept current from S3 via SQS.

Usage:
  registry [serve]      serve the registry (the default)
  registry --version    print the version and exit
  registry --help       print this help and exit

Signals: SIGHUP reloads the registry file; SIGTERM and SIGINT stop gracefully.

Environment variables:
`;

export function helpText(): string {
	return `${USAGE}${describeVariables()}\n`;
}

function versionText(): string {
	return `registry ${buildInfo.version} (commit ${buildInfo.gitCommit}, built ${buildInfo.buildTime})\n`;
}

async function prepareData(
	store: RegistryStore,
	seedFrom: string | undefined,
	log: Logger,
): Promise<boolean> {
	const path = store.path;
	if (!existsSync(path) && seedFrom) {
		try {
			await seedRegistryFile({ source: seedFrom, target: path, invalidEntries: "reject", log });
		} catch (err) {
			log.error(`Seeding from MCP_REGISTRY_SEED_FROM failed: ${(err as Error).message}`);
		}
	}
	if (!existsSync(path)) {
		log.warn(
			`Registry file ${path} does not exist: serving an empty registry until it does (SIGHUP reloads)`,
		);
		return true;
	}
	try {
		await store.reload();
		return true;
	} catch (err) {
		log.error(`Cannot load the registry file: ${(err as Error).message}`);
		return false;
	}
}

export async function main(argv: string[]): Promise<number> {
	const args = argv.filter((a) => a !== "serve");
	if (args.includes("--help") || args.includes("-h")) {
		process.stdout.write(helpText());
		return 0;
	}
	if (args.includes("--version") || args.includes("-v")) {
		process.stdout.write(versionText());
		return 0;
	}
	if (args.length > 0) {
		process.stderr.write(`registry: unknown argument ${JSON.stringify(args[0])}; see registry --help\n`);
		return 2;
	}

	let loaded: ReturnType<typeof loadConfig>;
	try {
		loaded = loadConfig(process.env);
	} catch (err) {
		if (err instanceof ConfigError) {
			process.stderr.write(`registry: ${err.message}\n`);
			return 2;
		}
		throw err;
	}
	const { config } = loaded;
	const log = createLogger({ format: config.logFormat, level: config.logLevel });
	for (const w of loaded.warnings) log.warn(w);
	if (loaded.ignored.length > 0) {
		log.info(
			`This registry is a read-only replica and does not use ${loaded.ignored.join(", ")} (accepted for compatibility with the Go registry)`,
		);
	}
	log.info(`Starting registry ${buildInfo.version}`, { commit: buildInfo.gitCommit });
	if (config.sqsEnabled || config.s3Url) {
		log.warn(
			"MCP_REGISTRY_SQS_ENABLED / MCP_REGISTRY_S3_URL are set, but this build has no S3 sync yet: serving the file on disk only",
		);
	}

	const store = new RegistryStore({
		path: config.jsonFilePath,
		invalidEntries: config.invalidEntries,
		log,
		workerUrl: new URL("./registry/load-worker.ts", import.meta.url).href,
	});
	if (!(await prepareData(store, config.seedFrom, log))) return 1;

	const app = createApp({
		store,
		build: buildInfo,
		cacheMaxAge: config.cacheMaxAge,
		githubClientId: config.githubClientId,
		registryVersion: config.registryVersion,
		log,
	});
	let server: ReturnType<typeof serve>;
	try {
		server = serve({
			hostname: config.serverAddress.hostname,
			port: config.serverAddress.port,
			fetch: app.fetch,
		});
	} catch (err) {
		log.error(
			`Cannot listen on ${config.serverAddress.hostname}:${config.serverAddress.port}: ${(err as Error).message}`,
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
			const deadline = setTimeout(() => resolve(0), 10_000);
			server.stop().finally(() => {
				clearTimeout(deadline);
				resolve(0);
			});
		};
		process.on("SIGTERM", () => stop("SIGTERM"));
		process.on("SIGINT", () => stop("SIGINT"));
	});
	process.on("SIGHUP", () => {
		log.info(`SIGHUP: reloading ${store.path}`);
		store.reload().catch((err: Error) => {
			log.error(`Reload failed; still serving the previous data: ${err.message}`);
		});
	});
	const shown = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
	log.info(`Listening on http://${shown}:${server.port}`);
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
