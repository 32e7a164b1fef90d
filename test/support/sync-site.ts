/**
 * A registry process as the S3 sync runs it in end-to-end tests: the compiled binary (or the
 * source) with its own directory, registry file and SQS queue, talking to the test's S3 and SQS servers, started
 * and waited for until it listens for updates. The caller keeps the lists it cleans up after.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { awsClientEnv, type SqsServer } from "./aws-servers.ts";
import { type RunningRegistry, SOURCE_CMD, startRegistry, tempDir } from "./process.ts";

export interface SyncSite {
	dir: string;
	file: string;
	queueUrl: string;
	registry: RunningRegistry;
}

export interface SyncSiteContext {
	/** The compiled binary; none: the source with this Bun. */
	binary?: string;
	sqs: SqsServer;
	/** Where the registry's S3 requests go (the s3rver, or a recording stand-in). */
	s3Endpoint: string;
	/** Processes and directories started here, for the caller's afterAll. */
	running: RunningRegistry[];
	dirs: { cleanup(): void }[];
}

export interface SyncSiteOptions {
	env?: Record<string, string>;
	/** The registry file's content at start; none: no file. */
	initial?: string;
	queueAttributes?: Record<string, string>;
}

let queues = 0;

export async function startSyncSite(ctx: SyncSiteContext, o: SyncSiteOptions = {}): Promise<SyncSite> {
	const d = tempDir("registry-sync-");
	ctx.dirs.push(d);
	const file = join(d.path, "registry.json");
	if (o.initial !== undefined) writeFileSync(file, o.initial);
	const queueUrl = await ctx.sqs.createQueue(`site-${process.pid}-${++queues}`, o.queueAttributes);
	const registry = await startRegistry({
		cmd: ctx.binary === undefined ? SOURCE_CMD : [ctx.binary],
		cwd: d.path,
		env: {
			...awsClientEnv({ home: d.path, s3: ctx.s3Endpoint, sqs: ctx.sqs.endpoint }),
			MCP_REGISTRY_JSON_FILE_PATH: file,
			MCP_REGISTRY_SQS_ENABLED: "true",
			MCP_REGISTRY_SQS_QUEUE_URL: queueUrl,
			MCP_REGISTRY_SQS_WAIT_TIME_SECONDS: "1",
			MCP_REGISTRY_SQS_RETRY_DELAY_SECONDS: "1",
			MCP_REGISTRY_HEALTH_DETAIL: "true",
			...o.env,
		},
	});
	ctx.running.push(registry);
	await registry.waitForLog("Listening for registry updates");
	return { dir: d.path, file, queueUrl, registry };
}
