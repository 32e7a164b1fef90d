// Child: import our AWS module and make the first signed request.
const t0 = performance.now();
const { CredentialProvider } = await import("../../src/aws/credentials.ts");
const { AwsHttp } = await import("../../src/aws/signed-fetch.ts");
const { S3Client } = await import("../../src/aws/s3.ts");
await import("../../src/aws/sqs.ts");
const t1 = performance.now();
const env = { ...process.env };
const http = new AwsHttp({ credentials: CredentialProvider.chain({ env }) });
const s3 = new S3Client({ http, env, fallbackRegion: async () => "us-east-1" });
let bytes = 0;
await s3.getObject(
	{ bucket: "registry", key: "cold.json" },
	{
		write: (c) => {
			bytes += c.byteLength;
		},
	},
);
const t2 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, requestMs: t2 - t1, totalMs: t2, bytes }));

export {};
