/**
 * The SQS listener's heartbeat against the real SQS server (behind the signature-checking
 * proxy): the visibility of a message in hand is extended while its work makes progress, and
 * no longer once it is stuck, so SQS can redeliver it and in the end dead-letter it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { CredentialProvider } from "../../src/aws/credentials.ts";
import { S3Client } from "../../src/aws/s3.ts";
import { AwsHttp } from "../../src/aws/signed-fetch.ts";
import { SqsClient } from "../../src/aws/sqs.ts";
import { createLogger } from "../../src/log.ts";
import { RegistryStore } from "../../src/registry/store.ts";
import { SyncListener } from "../../src/sync/listener.ts";
import { type SqsServer, startSqs } from "../support/aws-servers.ts";
import { until } from "../support/poll.ts";

let sqs: SqsServer;
const dir = mkdtempSync(join(tmpdir(), "sync-listener-"));

beforeAll(async () => {
	sqs = await startSqs();
});

afterAll(async () => {
	await sqs?.close();
	rmSync(dir, { recursive: true, force: true });
});

const http = () =>
	new AwsHttp({
		credentials: CredentialProvider.fixed({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }),
	});

test("a message whose work is stuck is no longer heartbeated: it becomes visible again for redelivery", async () => {
	const path = join(dir, "registry.json");
	writeFileSync(path, "[]");
	const lines: string[] = [];
	const log = createLogger({ format: "text", level: "debug", write: (l) => void lines.push(l) });
	const store = new RegistryStore({ path, invalidEntries: "reject", log, loader: "inline" });
	await store.replace();
	// Something holds the store and never lets go (a commit on a hung file system, say).
	let release = () => {};
	const holding = store.replace({
		prepare: () =>
			new Promise((resolve) => {
				release = () => resolve({ skip: "released" });
			}),
	});

	const queueUrl = await sqs.createQueue(`stuck-${Date.now()}`);
	const listener = new SyncListener({
		sqs: new SqsClient({
			queueUrl,
			http: http(),
			env: { AWS_ENDPOINT_URL_SQS: sqs.endpoint },
			fallbackRegion: async () => "us-east-1",
		}),
		// Never reached: the work waits for the store.
		s3: new S3Client({
			http: http(),
			env: { AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9" },
			fallbackRegion: async () => "us-east-1",
		}),
		store,
		log,
		target: path,
		maxBytes: 1 << 20,
		waitTimeSeconds: 1,
		maxMessages: 1,
		visibilityTimeout: 2,
		retryDelaySeconds: 1,
		stallMs: 2_500,
	});
	listener.start();
	await sqs.send(queueUrl, JSON.stringify({ s3_url: "s3://registry/stuck.json" }));
	const extensions = () =>
		sqs.requests.filter(
			(r) => r.body.QueueUrl === queueUrl && r.target === "AmazonSQS.ChangeMessageVisibility",
		).length;

	// Heartbeats every second while the work is young…
	await until("the message to be in hand", () => lines.some((l) => l.includes("Received SQS message")));
	await until("a heartbeat", () => extensions() >= 1);
	// …and none once it has waited for the store without progress for twice 2.5 s.
	await until("the stall to be noticed", () => lines.some((l) => l.includes("made no progress for")), {
		timeoutMs: 15_000,
	});
	const after = extensions();
	const visible = async () => {
		const out = await sqs.sdk.send(
			new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
		);
		return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
	};
	await until("the message to be visible again", async () => (await visible()) === 1, { timeoutMs: 10_000 });
	expect(extensions()).toBe(after);
	expect(lines.find((l) => l.includes("made no progress"))).toContain(
		"no longer extending its visibility, so SQS can redeliver it",
	);

	// Once the work moves again (the store is free), the extensions resume.
	release();
	await holding;
	await until("the heartbeat to resume", () => lines.some((l) => l.includes("is making progress again")));
	await listener.stop(2_000);
}, 30_000);
