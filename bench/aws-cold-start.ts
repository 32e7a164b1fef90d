/**
 * Cold start of the AWS layer: a fresh Bun process imports it and makes its first signed
 * GetObject against a local S3 server (s3rver, SigV4-checked). Ours vs the AWS SDK v3
 * (client-s3 + client-sqs). Median of N runs; totalMs is from process start.
 *
 *   bun bench/aws-cold-start.ts [RUNS]
 */
import { join } from "node:path";
import { DEFAULT_KEYS, startS3 } from "../test/support/aws-servers.ts";

const runs = Number(process.argv[2] ?? 15);
const s3 = await startS3();
await s3.put("cold.json", JSON.stringify({ servers: [] }));
const env = {
	PATH: process.env.PATH ?? "",
	HOME: "/nonexistent",
	AWS_ACCESS_KEY_ID: DEFAULT_KEYS.accessKeyId,
	AWS_SECRET_ACCESS_KEY: DEFAULT_KEYS.secretAccessKey,
	AWS_REGION: "us-east-1",
	AWS_ENDPOINT_URL_S3: s3.endpoint,
	AWS_ENDPOINT_URL: s3.endpoint,
	AWS_EC2_METADATA_DISABLED: "true",
};
type Sample = { importMs: number; requestMs: number; totalMs: number; wallMs: number };
async function measure(script: string): Promise<Sample[]> {
	const out: Sample[] = [];
	for (let i = 0; i < runs; i++) {
		const t = performance.now();
		const p = Bun.spawn([process.execPath, join(import.meta.dir, "cold", script)], {
			env,
			stdout: "pipe",
			stderr: "inherit",
		});
		const text = await new Response(p.stdout).text();
		await p.exited;
		out.push({ ...(JSON.parse(text) as Omit<Sample, "wallMs">), wallMs: performance.now() - t });
	}
	return out;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ours = await measure("ours.ts");
const sdk = await measure("sdk.ts");
await s3.close();
const row = (name: string, s: Sample[]) =>
	`| ${name} | ${median(s.map((x) => x.importMs)).toFixed(1)} | ${median(s.map((x) => x.requestMs)).toFixed(1)} | ${median(s.map((x) => x.totalMs)).toFixed(1)} | ${median(s.map((x) => x.wallMs)).toFixed(1)} |`;
console.log(
	`| client | import ms | first signed GetObject ms | import + request from process start ms | process wall ms |`,
);
console.log(`| --- | ---: | ---: | ---: | ---: |`);
console.log(row("registry src/aws (aws4fetch)", ours));
console.log(row("AWS SDK v3 client-s3 + client-sqs", sdk));
console.log(
	`\nratio (SDK / ours), import + first request: ${(median(sdk.map((x) => x.totalMs)) / median(ours.map((x) => x.totalMs))).toFixed(1)}×; runs: ${runs}`,
);
