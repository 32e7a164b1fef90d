/**
 * Time from SQS send-message to the new data being served, through the compiled binary with real
 * S3 (s3rver) and SQS (local-aws-sqs) servers on loopback. For each size, alternate two
 * registries so every message really changes the data; report each run and the median.
 *
 *   bun bench/sync-latency.ts [RUNS]
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { awsClientEnv, startS3, startSqs } from "../test/support/aws-servers.ts";
import { buildBinary } from "../test/support/binary.ts";
import { startRegistry } from "../test/support/process.ts";
import { generateRegistry } from "./generate.ts";

const runs = Number(process.argv[2] ?? 3);
const [binary, s3, sqs] = await Promise.all([buildBinary(), startS3(), startSqs()]);
const dir = mkdtempSync(join(tmpdir(), "sync-bench-"));
const queueUrl = await sqs.createQueue("bench");
const file = join(dir, "registry.json");
writeFileSync(file, JSON.stringify({ servers: [] }));
const registry = await startRegistry({
	cmd: [binary],
	cwd: dir,
	env: {
		...awsClientEnv({ home: dir, s3: s3.endpoint, sqs: sqs.rawEndpoint }),
		MCP_REGISTRY_JSON_FILE_PATH: file,
		MCP_REGISTRY_SQS_ENABLED: "true",
		MCP_REGISTRY_SQS_QUEUE_URL: queueUrl,
		// It reads the served content hash from /health.
		MCP_REGISTRY_HEALTH_DETAIL: "true",
	},
});
await registry.waitForLog("Listening on");
await Bun.sleep(500);

async function servedHash(): Promise<string> {
	const h = (await (await fetch(`${registry.base}/v0/health`)).json()) as { data: { content_hash: string } };
	return h.data.content_hash;
}

const lines: string[] = [];
for (const [label, entries] of [
	["1 MB", 1_000],
	["50 MB", 50_000],
] as const) {
	const versions = [1, 2].map((seed) => {
		const bytes = Buffer.from(JSON.stringify(generateRegistry(entries, seed)));
		return { bytes, hash: `sha256:${createHash("sha256").update(bytes).digest("hex")}` };
	});
	const times: number[] = [];
	for (let i = 0; i < runs; i++) {
		const v = versions[i % 2] as (typeof versions)[number];
		const key = `bench/${label.replace(" ", "")}-${i}.json`;
		await s3.put(key, v.bytes);
		const t = performance.now();
		await sqs.send(queueUrl, JSON.stringify({ s3_url: `s3://registry/${key}` }));
		while ((await servedHash()) !== v.hash) await Bun.sleep(5);
		times.push(performance.now() - t);
	}
	const sorted = [...times].sort((a, b) => a - b);
	const median = sorted[Math.floor(sorted.length / 2)] as number;
	lines.push(
		`| ${label} (${entries.toLocaleString("en")} entries, ${(versions[0]?.bytes.length ?? 0).toLocaleString("en")} bytes) | ${times.map((x) => x.toFixed(0)).join(", ")} | ${median.toFixed(0)} |`,
	);
}
await registry.stop();
await s3.close();
await sqs.close();
rmSync(dir, { recursive: true, force: true });
console.log("| registry | send-message → served, each run (ms) | median (ms) |");
console.log("| --- | --- | ---: |");
for (const l of lines) console.log(l);
