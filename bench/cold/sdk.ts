// Child: import the AWS SDK v3 S3 and SQS clients and make the first signed request.
const t0 = performance.now();
const { S3Client, GetObjectCommand } = await import("@aws-sdk/client-s3");
await import("@aws-sdk/client-sqs");
const t1 = performance.now();
const s3 = new S3Client({ forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED" });
const out = await s3.send(new GetObjectCommand({ Bucket: "registry", Key: "cold.json" }));
const bytes = (await out.Body?.transformToByteArray())?.byteLength ?? 0;
const t2 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, requestMs: t2 - t1, totalMs: t2, bytes }));

export {};
