/**
 * `registry publish` against real servers: s3rver (which verifies SigV4) behind a proxy that adds
 * what S3 checks and s3rver does not (the payload hash, x-amz-checksum-sha256, If-Match and
 * If-None-Match: test/support/s3-conditions.ts), and local-aws-sqs behind its signature-checking
 * proxy. The command runs in-process with an environment of its own; what it did is read back
 * with the AWS SDK (the independent client) from s3rver and the queues.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand, S3Client as SdkS3 } from "@aws-sdk/client-s3";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { CredentialProvider } from "../../src/aws/credentials.ts";
import { AwsError } from "../../src/aws/errors.ts";
import { parseS3Error, S3Client } from "../../src/aws/s3.ts";
import { AwsHttp } from "../../src/aws/signed-fetch.ts";
import { SqsClient } from "../../src/aws/sqs.ts";
import { objectMessage, publishCommand } from "../../src/pipeline/publish.ts";
import { parseMessage } from "../../src/sync/messages.ts";
import { rejection } from "../support/assert.ts";
import {
	awsClientEnv,
	BUCKET,
	DEFAULT_KEYS,
	type S3Server,
	type SqsServer,
	type StandIn,
	standIn,
	startS3,
	startSqs,
} from "../support/aws-servers.ts";
import { tempDir } from "../support/process.ts";
import { registryJson } from "../support/registry-docs.ts";
import { type S3ConditionsProxy, startS3Conditions } from "../support/s3-conditions.ts";

let s3: S3Server;
let sqs: SqsServer;
let proxy: S3ConditionsProxy;
const work = tempDir("registry-publish-");
let queues = 0;
let files = 0;
let keys = 0;

beforeAll(async () => {
	[s3, sqs] = await Promise.all([startS3(), startSqs()]);
	proxy = await startS3Conditions(s3);
});

afterAll(async () => {
	await proxy?.close();
	await s3?.close();
	await sqs?.close();
	work.cleanup();
});

/** A registry file of `content` in the work directory, named anew each time: its path. */
const file = (content: string) => work.write(`registry-${++files}.json`, content);

const newKey = () => `publish/${++keys}/registry.json`;

interface Run {
	code: number;
	out: string;
	err: string;
}

/** Runs `registry publish` in-process, talking to the proxy and the SQS proxy. */
async function publish(args: string[], env: Record<string, string> = {}): Promise<Run> {
	let out = "";
	let err = "";
	const code = await publishCommand(args, {
		out: (t) => {
			out += t;
		},
		err: (t) => {
			err += t;
		},
		env: { ...awsClientEnv({ home: work.path, s3: proxy.endpoint, sqs: sqs.endpoint }), ...env },
	});
	return { code, out, err };
}

/** The object's bytes and ETag as s3rver holds them (read past the proxy, with the SDK). */
async function stored(key: string): Promise<{ bytes: Buffer; etag: string } | undefined> {
	try {
		const got = await s3.sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
		return {
			bytes: Buffer.from(
				await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
			),
			etag: got.ETag ?? "",
		};
	} catch (err) {
		if ((err as { name?: string }).name === "NoSuchKey") return undefined;
		throw err;
	}
}

/** Every message waiting on a queue (received with the SDK, left invisible for a minute). */
async function received(queueUrl: string): Promise<string[]> {
	const out = await sqs.sdk.send(
		new ReceiveMessageCommand({
			QueueUrl: queueUrl,
			MaxNumberOfMessages: 10,
			WaitTimeSeconds: 0,
			VisibilityTimeout: 60,
		}),
	);
	return (out.Messages ?? []).map((m) => m.Body ?? "");
}

const newQueue = () => sqs.createQueue(`publish-${process.pid}-${++queues}`);
const sha256 = (b: Uint8Array | string, enc: "hex" | "base64") => createHash("sha256").update(b).digest(enc);
const md5 = (b: Uint8Array | string) => createHash("md5").update(b).digest("hex");
const sends = () => sqs.requests.filter((r) => r.target === "AmazonSQS.SendMessage").length;

describe("the upload", () => {
	test("the file's bytes land in S3 unchanged, sent with their SHA-256 checksum and signed payload hash", async () => {
		const content = registryJson("io.github.pub/one", "io.github.pub/two");
		const path = file(content);
		const key = newKey();
		const before = proxy.puts.length;
		const r = await publish([path, `s3://${BUCKET}/${key}`]);
		expect(r.err).toBe("");
		expect(r.code).toBe(0);
		const etag = `"${md5(content)}"`;
		expect(r.out).toContain(`${path}: valid: 2 entries (2 servers, api shape), 0 warnings\n`);
		expect(r.out).toContain(
			`uploaded s3://${BUCKET}/${key}: ${Buffer.byteLength(content)} bytes, ETag ${etag}, no version id (the bucket is not versioned), content hash sha256:${sha256(content, "hex")}\n`,
		);
		const obj = await stored(key);
		expect(obj?.bytes.equals(Buffer.from(content))).toBe(true);
		expect(obj?.etag).toBe(etag);
		const put = proxy.puts.slice(before);
		expect(put.length).toBe(1);
		expect(put[0]?.status).toBe(200);
		expect(put[0]?.headers["x-amz-checksum-sha256"]).toBe(sha256(content, "base64"));
		expect(put[0]?.headers["x-amz-content-sha256"]).toBe(sha256(content, "hex"));
		expect(put[0]?.headers["content-type"]).toBe("application/json");
		// The payload hash is signed: it is among the signed headers.
		expect(put[0]?.headers.authorization).toMatch(
			/SignedHeaders=[^,]*x-amz-checksum-sha256[^,]*x-amz-content-sha256/,
		);
	});

	test("the proxy checks what S3 checks: a wrong checksum or payload hash is refused, the object unchanged", async () => {
		const key = newKey();
		await s3.put(key, "original");
		// A client that sends a checksum not of its bytes: the AWS SDK, told a wrong one.
		const wrong = new SdkS3({
			region: "us-east-1",
			endpoint: proxy.endpoint,
			forcePathStyle: true,
			credentials: DEFAULT_KEYS,
			requestChecksumCalculation: "WHEN_REQUIRED",
		});
		try {
			const err = await rejection(
				wrong.send(
					new PutObjectCommand({
						Bucket: BUCKET,
						Key: key,
						Body: Buffer.from("corrupted"),
						ChecksumSHA256: sha256("something else", "base64"),
					}),
				),
			);
			expect((err as { name?: string }).name).toBe("BadDigest");
			// The same client with the right checksum gets through the proxy and s3rver's signature check.
			await wrong.send(
				new PutObjectCommand({
					Bucket: BUCKET,
					Key: key,
					Body: Buffer.from("fine"),
					ChecksumSHA256: sha256("fine", "base64"),
				}),
			);
			expect((await stored(key))?.bytes.toString()).toBe("fine");
		} finally {
			wrong.destroy();
		}
		// A signed payload hash that is not of the body (validly signed: s3rver alone would take it).
		const http = new AwsHttp({ credentials: CredentialProvider.fixed(DEFAULT_KEYS) });
		const err = await rejection(
			http.send({
				service: "s3",
				region: "us-east-1",
				method: "PUT",
				url: `${proxy.endpoint}/${BUCKET}/${key}`,
				headers: { "x-amz-content-sha256": sha256("other bytes", "hex") },
				body: new TextEncoder().encode("tampered"),
				parseError: (res) => parseS3Error(res, key, "PutObject"),
			}),
		);
		expect(err).toBeInstanceOf(AwsError);
		expect((err as AwsError).code).toBe("XAmzContentSHA256Mismatch");
		expect((await stored(key))?.bytes.toString()).toBe("fine");
	});

	test("--if-match: the current ETag writes; a stale one is refused (412), the object unchanged and no message sent", async () => {
		const key = newKey();
		const first = registryJson("io.github.pub/a");
		const { etag } = await s3.put(key, first);
		const queue = await newQueue();
		const second = registryJson("io.github.pub/a", "io.github.pub/b");
		const ok = await publish([
			"--if-match",
			etag,
			"--queue-url",
			queue,
			file(second),
			`s3://${BUCKET}/${key}`,
		]);
		expect(ok.err).toBe("");
		expect(ok.code).toBe(0);
		expect(proxy.puts.at(-1)?.headers["if-match"]).toBe(etag);
		expect((await stored(key))?.bytes.toString()).toBe(second);
		expect(await received(queue)).toEqual([JSON.stringify({ s3_url: `s3://${BUCKET}/${key}` })]);

		// The ETag the first publish saw is stale now: a second pipeline holding it is refused.
		const sentBefore = sends();
		const third = registryJson("io.github.pub/c");
		const stale = await publish([
			"--if-match",
			etag,
			"--queue-url",
			queue,
			file(third),
			`s3://${BUCKET}/${key}`,
		]);
		expect(stale.code).toBe(1);
		expect(stale.err).toContain(`s3://${BUCKET}/${key} changed since ETag ${etag} (someone else published)`);
		expect(stale.err).toContain("412 PreconditionFailed");
		expect(stale.out).not.toContain("uploaded");
		expect(proxy.puts.at(-1)?.status).toBe(412);
		expect((await stored(key))?.bytes.toString()).toBe(second);
		expect(sends()).toBe(sentBefore);
		expect(await received(queue)).toEqual([]);
		// Unquoted, as a shell may leave it, it is the same ETag.
		const unquoted = await publish(["--if-match", `${md5(second)}`, file(third), `s3://${BUCKET}/${key}`]);
		expect(unquoted.code).toBe(0);
	});

	test("two pipelines publishing at once from the same ETag: exactly one wins", async () => {
		const key = newKey();
		const { etag } = await s3.put(key, registryJson("io.github.pub/base"));
		const a = registryJson("io.github.pub/from-a");
		const b = registryJson("io.github.pub/from-b");
		const [ra, rb] = await Promise.all([
			publish(["--if-match", etag, file(a), `s3://${BUCKET}/${key}`]),
			publish(["--if-match", etag, file(b), `s3://${BUCKET}/${key}`]),
		]);
		expect([ra.code, rb.code].sort()).toEqual([0, 1]);
		const winner = ra.code === 0 ? a : b;
		expect((await stored(key))?.bytes.toString()).toBe(winner);
		expect((ra.code === 1 ? ra : rb).err).toContain("someone else published");
	});

	test("--if-match on a key with no object, and --if-none-match '*' for a first publish", async () => {
		const key = newKey();
		const content = registryJson("io.github.pub/first");
		const missing = await publish(["--if-match", '"0123"', file(content), `s3://${BUCKET}/${key}`]);
		expect(missing.code).toBe(1);
		expect(missing.err).toContain(
			`s3://${BUCKET}/${key} does not exist, so it cannot match --if-match "0123"`,
		);
		expect(await stored(key)).toBeUndefined();

		const created = await publish(["--if-none-match", "*", file(content), `s3://${BUCKET}/${key}`]);
		expect(created.code).toBe(0);
		expect(proxy.puts.at(-1)?.headers["if-none-match"]).toBe("*");
		const again = await publish([
			"--if-none-match",
			"*",
			file(registryJson("io.github.pub/second")),
			`s3://${BUCKET}/${key}`,
		]);
		expect(again.code).toBe(1);
		expect(again.err).toContain(`s3://${BUCKET}/${key} already exists (--if-none-match '*')`);
		expect((await stored(key))?.bytes.toString()).toBe(content);
	});

	test("wrong credentials: a clear error naming the refusal and where the credentials came from, no secret shown", async () => {
		const key = newKey();
		const secret = "not-the-secret-0123456789";
		const queue = await newQueue();
		const r = await publish(
			["--queue-url", queue, file(registryJson("io.github.pub/x")), `s3://${BUCKET}/${key}`],
			{
				AWS_SECRET_ACCESS_KEY: secret,
			},
		);
		expect(r.code).toBe(1);
		expect(r.err).toContain("S3 PutObject");
		expect(r.err).toContain("SignatureDoesNotMatch");
		expect(r.err).toContain("the credentials from environment were refused");
		expect(r.err).toContain("nothing uploaded, no message sent");
		expect(r.err).not.toContain(secret);
		expect(await stored(key)).toBeUndefined();
		expect(await received(queue)).toEqual([]);

		const unknown = await publish([file(registryJson("io.github.pub/x")), `s3://${BUCKET}/${key}`], {
			AWS_ACCESS_KEY_ID: "AKIAUNKNOWN0000",
		});
		expect(unknown.code).toBe(1);
		expect(unknown.err).toContain("InvalidAccessKeyId");
	});
});

describe("validation before anything is sent", () => {
	test("an invalid file: exit 1 naming the file, entry and field; nothing uploaded, nothing sent", async () => {
		const key = newKey();
		const queue = await newQueue();
		const path = file(registryJson("io.github.pub/ok", { name: "no-slash" }));
		const before = proxy.puts.length;
		const sentBefore = sends();
		const r = await publish(["--queue-url", queue, path, `s3://${BUCKET}/${key}`]);
		expect(r.code).toBe(1);
		expect(r.out).toBe("");
		expect(r.err).toContain(`registry publish: ${path}: invalid: 1 invalid entry of 2`);
		expect(r.err).toMatch(/ {2}error: servers\[1\] \(no-slash 1\.0\.0\): server\.name /);
		expect(r.err).toContain("registry publish: nothing uploaded, no message sent\n");
		expect(proxy.puts.length).toBe(before);
		expect(sends()).toBe(sentBefore);
		expect(await stored(key)).toBeUndefined();

		const notJson = await publish([file('{"servers": ['), `s3://${BUCKET}/${key}`]);
		expect(notJson.code).toBe(1);
		expect(notJson.err).toContain("registry-");
		const missing = await publish([join(work.path, "nope.json"), `s3://${BUCKET}/${key}`]);
		expect(missing.code).toBe(1);
		expect(missing.err).toContain("nope.json: no such file");
		const tooLarge = await publish([file(registryJson("io.github.pub/big")), `s3://${BUCKET}/${key}`], {
			MCP_REGISTRY_MAX_FILE_BYTES: "100",
		});
		expect(tooLarge.code).toBe(1);
		expect(tooLarge.err).toContain("over the limit of 100 bytes (MCP_REGISTRY_MAX_FILE_BYTES)");
		expect(proxy.puts.length).toBe(before);
	});

	test("warnings pass unless --strict, which refuses them as registry validate --strict does", async () => {
		const key = newKey();
		// No $schema: a warning the server tolerates.
		const path = file(
			JSON.stringify([{ name: "io.github.pub/lax", description: "A server", version: "1.0.0" }]),
		);
		const before = proxy.puts.length;
		const strict = await publish(["--strict", path, `s3://${BUCKET}/${key}`]);
		expect(strict.code).toBe(1);
		expect(strict.err).toContain(`${path}: invalid: 1 entry has warnings, errors with --strict`);
		expect(strict.err).toContain("  error: [0] (io.github.pub/lax 1.0.0): $schema is missing\n");
		expect(proxy.puts.length).toBe(before);
		const lax = await publish([path, `s3://${BUCKET}/${key}`]);
		expect(lax.code).toBe(0);
		expect(lax.out).toContain("1 warning (registry validate");
		expect(proxy.puts.length).toBe(before + 1);
	});
});

describe("the message", () => {
	test("each queue given receives {s3_url} naming the object, which the server's listener reads back", async () => {
		const key = newKey();
		const [q1, q2] = await Promise.all([newQueue(), newQueue()]);
		const r = await publish([
			"--queue-url",
			q1,
			"--queue-url",
			q2,
			file(registryJson("io.github.pub/m")),
			`s3://${BUCKET}/${key}`,
		]);
		expect(r.err).toBe("");
		expect(r.code).toBe(0);
		const body = JSON.stringify({ s3_url: `s3://${BUCKET}/${key}` });
		for (const q of [q1, q2]) {
			expect(await received(q)).toEqual([body]);
			expect(r.out).toMatch(new RegExp(`sent message [0-9a-f-]+ to ${q.replace(/[.?]/g, "\\$&")}\n`));
		}
		const parsed = parseMessage(body);
		expect(parsed).toEqual({ kind: "objects", refs: [{ bucket: BUCKET, key }], ignored: [] });
		// Signed as SQS wants it (the proxy checked the signature).
		const sent = sqs.requests.filter((x) => x.target === "AmazonSQS.SendMessage").map((x) => x.body);
		expect(sent).toContainEqual({ QueueUrl: q1, MessageBody: body });
		expect(sent).toContainEqual({ QueueUrl: q2, MessageBody: body });
	});

	test("a versioned bucket: the version id is printed and named in the message", async () => {
		proxy.versioned = true;
		try {
			const key = newKey();
			const queue = await newQueue();
			const r = await publish([
				"--queue-url",
				queue,
				file(registryJson("io.github.pub/v")),
				`s3://${BUCKET}/${key}`,
			]);
			expect(r.code).toBe(0);
			const version = /version id (v\d+-[0-9a-f]{8})/.exec(r.out)?.[1] ?? "";
			expect(version).not.toBe("");
			const [body] = await received(queue);
			expect(body).toBe(JSON.stringify({ s3_url: `s3://${BUCKET}/${key}?versionId=${version}` }));
			expect(parseMessage(body as string)).toEqual({
				kind: "objects",
				refs: [{ bucket: BUCKET, key, versionId: version }],
				ignored: [],
			});
		} finally {
			proxy.versioned = false;
		}
	});

	test("keys with spaces, plus signs and other characters round-trip through the message", async () => {
		const key = `publish/odd keys/a+b (1)/reg!stry*'.json`;
		const queue = await newQueue();
		const content = registryJson("io.github.pub/odd");
		const r = await publish(["--queue-url", queue, file(content), `s3://${BUCKET}/${key}`]);
		expect(r.err).toBe("");
		expect(r.code).toBe(0);
		expect((await stored(key))?.bytes.toString()).toBe(content);
		const [body] = await received(queue);
		expect(parseMessage(body as string)).toEqual({
			kind: "objects",
			refs: [{ bucket: BUCKET, key }],
			ignored: [],
		});
		expect(objectMessage(BUCKET, key, "a/b+c")).toBe(
			JSON.stringify({ s3_url: `s3://${BUCKET}/${key}?versionId=a%2Fb%2Bc` }),
		);
	});

	test("a queue that fails: the others still get the message; exit 1 saying what to resend", async () => {
		const key = newKey();
		const good = await newQueue();
		const gone = good.replace(/[^/]+$/, "no-such-queue");
		const r = await publish([
			"--queue-url",
			gone,
			"--queue-url",
			good,
			file(registryJson("io.github.pub/f")),
			`s3://${BUCKET}/${key}`,
		]);
		expect(r.code).toBe(1);
		expect(r.out).toContain(`uploaded s3://${BUCKET}/${key}`);
		expect(r.out).toContain(`to ${good}`);
		expect(r.err).toContain(`is uploaded, but the registries on ${gone} were not told`);
		expect(r.err).toContain("NonExistentQueue");
		expect(await received(good)).toHaveLength(1);
	});
});

describe("--dry-run", () => {
	test("shows the diff against the object in S3 and changes nothing", async () => {
		const key = newKey();
		const old = registryJson("io.github.pub/kept", "io.github.pub/gone");
		const { etag } = await s3.put(key, old);
		const queue = await newQueue();
		const next = file(
			registryJson("io.github.pub/kept", "io.github.pub/new", {
				name: "io.github.pub/kept",
				version: "2.0.0",
			}),
		);
		const before = proxy.puts.length;
		const sentBefore = sends();
		const r = await publish([
			"--dry-run",
			"--if-match",
			etag,
			"--queue-url",
			queue,
			next,
			`s3://${BUCKET}/${key}`,
		]);
		expect(r.err).toBe("");
		expect(r.code).toBe(0);
		expect(r.out).toContain(
			`dry run: s3://${BUCKET}/${key} now: ${Buffer.byteLength(old)} bytes, ETag ${etag}, no version id`,
		);
		expect(r.out).toContain(
			`s3://${BUCKET}/${key} → ${next}: 1 server added, 1 server removed, 1 version added, 1 latest change`,
		);
		expect(r.out).toContain("  + io.github.pub/new: 1.0.0");
		expect(r.out).toContain("  - io.github.pub/gone: 1.0.0");
		expect(r.out).toContain(`dry run: would upload`);
		expect(r.out).toContain(`if its ETag is still ${etag}`);
		expect(r.out).toContain(`to ${queue}`);
		expect(r.out).toContain("dry run: nothing uploaded, no message sent");
		expect(proxy.puts.length).toBe(before);
		expect(sends()).toBe(sentBefore);
		expect((await stored(key))?.bytes.toString()).toBe(old);

		const same = await publish(["--dry-run", file(old), `s3://${BUCKET}/${key}`]);
		expect(same.code).toBe(0);
		expect(same.out).toContain("dry run: the object already has exactly these bytes");
		expect(same.out).toContain("no differences");
	});

	test("no object yet: says so (every entry added); a condition that would fail exits 1", async () => {
		const key = newKey();
		const path = file(registryJson("io.github.pub/one"));
		const r = await publish(["--dry-run", path, `s3://${BUCKET}/${key}`]);
		expect(r.code).toBe(0);
		expect(r.out).toContain(
			`dry run: no current object at s3://${BUCKET}/${key}: publishing would create it`,
		);
		expect(r.out).toContain(`(no object) → ${path}: 1 server added`);
		const stale = await publish(["--dry-run", "--if-match", '"abc"', path, `s3://${BUCKET}/${key}`]);
		expect(stale.code).toBe(1);
		expect(stale.err).toContain('the upload would be refused: there is no object to match --if-match "abc"');
		await s3.put(key, "{}");
		const exists = await publish(["--dry-run", "--if-none-match", "*", path, `s3://${BUCKET}/${key}`]);
		expect(exists.code).toBe(1);
		expect(exists.err).toContain("an object exists (--if-none-match '*')");
		expect(exists.out).toContain("the object in S3 does not load");
		expect(await stored(key)).toEqual({ bytes: Buffer.from("{}"), etag: `"${md5("{}")}"` });
	});

	test("an invalid file fails the dry run too, before S3 is asked", async () => {
		const before = proxy.puts.length;
		const r = await publish([
			"--dry-run",
			file(registryJson({ name: "bad name" })),
			`s3://${BUCKET}/${newKey()}`,
		]);
		expect(r.code).toBe(1);
		expect(r.err).toContain("invalid");
		expect(proxy.puts.length).toBe(before);
	});
});

describe("usage", () => {
	const path = () => file(registryJson("io.github.pub/u"));
	test.each([
		[[], "expected FILE and s3://BUCKET/KEY"],
		[["only-one.json"], "expected FILE and s3://BUCKET/KEY"],
		[["a.json", "s3://registry/k", "extra"], 'unexpected argument "extra"'],
		[["a.json", "https://example.com/k"], "not an S3 object URL"],
		[["a.json", "s3://Bad_Bucket/k"], "is not an S3 bucket name"],
		[["a.json", "s3://registry/k?versionId=3"], "names a version"],
		[["--frobnicate", "a.json", "s3://registry/k"], "--frobnicate"],
		[["--if-match", "x", "--if-none-match", "*", "a.json", "s3://registry/k"], "exclude each other"],
		[["--if-none-match", "abc", "a.json", "s3://registry/k"], "takes only '*'"],
		[["--if-match", "abc\u0001", "a.json", "s3://registry/k"], "--if-match takes an ETag"],
		[["--if-match", "abc\u001b[31m", "a.json", "s3://registry/k"], "--if-match takes an ETag"],
		[["--queue-url", "ftp://q", "a.json", "s3://registry/k"], "is not an http(s) SQS queue URL"],
		[
			["--queue-url", "http://user:pw@127.0.0.1:1/q", "a.json", "s3://registry/k"],
			"no user name or password",
		],
		[["--queue-url", "http://127.0.0.1:1/", "a.json", "s3://registry/k"], "names no queue"],
		[["--queue-url", "http://127.0.0.1:1/1/q", "a.json", "s3://registry/k?versionId=x/y"], "names a version"],
		[["-", "s3://registry/k"], "standard input is not published"],
	])("%j → exit 2: %s", async (args, message) => {
		const r = await publish(args);
		expect(r.code).toBe(2);
		expect(r.err).toContain(message);
		expect(r.err).toContain("Usage: registry publish");
		expect(r.err).not.toContain("pw@");
	});

	test("a key the s3_url message cannot carry is refused before anything is sent", async () => {
		// An https URL can name the key `a?versionId=b.json`; s3://registry/a?versionId=b.json could not.
		const url = "https://registry.s3.us-east-1.amazonaws.com/a%3FversionId%3Db.json";
		const r = await publish(["--queue-url", "http://127.0.0.1:1/1/q", path(), url]);
		expect(r.code).toBe(2);
		expect(r.err).toContain('the key "a?versionId=b.json" cannot be named in an s3_url message');
		// Without a queue there is no message: the key is fine.
		expect((await publish(["--dry-run", path(), url])).err).not.toContain("s3_url");
	});

	test("--help, a bad variable and a bad endpoint", async () => {
		const help = await publish(["--help"]);
		expect(help.code).toBe(0);
		expect(help.out).toContain("Usage: registry publish");
		const bad = await publish([path(), "s3://registry/k"], { MCP_REGISTRY_S3_FORCE_PATH_STYLE: "maybe" });
		expect(bad.code).toBe(2);
		expect(bad.err).toContain("MCP_REGISTRY_S3_FORCE_PATH_STYLE must be");
		const endpoint = await publish([path(), "s3://registry/k"], {
			AWS_ENDPOINT_URL_S3: "ftp://user:secret@host/",
		});
		expect(endpoint.code).toBe(2);
		expect(endpoint.err).toContain("AWS_ENDPOINT_URL_S3");
		expect(endpoint.err).not.toContain("secret");
	});
});

describe("the clients publish uses", () => {
	const stands: StandIn[] = [];
	afterAll(async () => {
		for (const st of stands) await st.close();
	});
	const fake = (handle: (req: Request, body: string) => Response | Promise<Response>) => {
		const st = standIn(handle);
		stands.push(st);
		return st;
	};
	const s3Client = (endpoint: string) =>
		new S3Client({
			http: new AwsHttp({ credentials: CredentialProvider.fixed(DEFAULT_KEYS), sleep: async () => {} }),
			env: { AWS_ENDPOINT_URL_S3: endpoint },
			fallbackRegion: async () => "us-east-1",
		});
	const body = new TextEncoder().encode('{"servers":[]}');
	const etagOf = (b: Uint8Array) => `"${md5(b)}"`;

	test("PutObject: a 5xx is retried with the same bytes, re-signed; a 412 is not retried", async () => {
		let calls = 0;
		const st = fake((req) => {
			calls++;
			if (calls === 1) return new Response("<Error><Code>InternalError</Code></Error>", { status: 500 });
			if (req.headers.get("if-match") === '"stale"') {
				return new Response("<Error><Code>PreconditionFailed</Code><Message>no</Message></Error>", {
					status: 412,
				});
			}
			return new Response(null, { headers: { etag: etagOf(body) } });
		});
		const client = s3Client(st.url);
		const out = await client.putObject({ bucket: BUCKET, key: "k.json", body });
		expect(out).toEqual({
			etag: etagOf(body),
			checksumSha256: sha256(body, "base64"),
			bytes: body.byteLength,
		});
		expect(st.requests.length).toBe(2);
		for (const r of st.requests) {
			expect(r.method).toBe("PUT");
			expect(r.path).toBe(`/${BUCKET}/k.json`);
			expect(r.body).toBe('{"servers":[]}');
			expect(r.headers["x-amz-content-sha256"]).toBe(sha256(body, "hex"));
		}
		const before = st.requests.length;
		const err = await rejection(client.putObject({ bucket: BUCKET, key: "k.json", body, ifMatch: "stale" }));
		expect((err as AwsError).status).toBe(412);
		expect((err as AwsError).code).toBe("PreconditionFailed");
		expect((err as AwsError).message).toContain("S3 PutObject s3://registry/k.json: PreconditionFailed");
		expect(st.requests.length).toBe(before + 1);
	});

	test("PutObject: a region redirect is followed once, re-signed for that region", async () => {
		const st = fake((req) => {
			const auth = req.headers.get("authorization") ?? "";
			if (auth.includes("/us-east-1/s3/")) {
				return new Response("<Error><Code>PermanentRedirect</Code></Error>", {
					status: 301,
					headers: { "x-amz-bucket-region": "eu-west-1" },
				});
			}
			return new Response(null, { headers: { etag: etagOf(body), "x-amz-version-id": "v-eu" } });
		});
		const client = s3Client(st.url);
		const out = await client.putObject({ bucket: BUCKET, key: "k.json", body });
		expect(out.versionId).toBe("v-eu");
		expect(st.requests.map((r) => /\/(\w+-\w+-\d)\/s3\//.exec(r.headers.authorization ?? "")?.[1])).toEqual([
			"us-east-1",
			"eu-west-1",
		]);
		expect(client.regionOf(BUCKET)).toBe("eu-west-1");
	});

	test("PutObject: an answer that is not of the bytes sent (ETag, echoed checksum) is an error", async () => {
		const wrongEtag = fake(() => new Response(null, { headers: { etag: etagOf(new Uint8Array([1])) } }));
		const e1 = await rejection(s3Client(wrongEtag.url).putObject({ bucket: BUCKET, key: "k", body }));
		expect((e1 as AwsError).code).toBe("ChecksumMismatch");
		expect((e1 as AwsError).message).toContain("is not the MD5 of the bytes sent");
		const wrongSum = fake(
			() => new Response(null, { headers: { "x-amz-checksum-sha256": sha256("other", "base64") } }),
		);
		const e2 = await rejection(s3Client(wrongSum.url).putObject({ bucket: BUCKET, key: "k", body }));
		expect((e2 as AwsError).message).toContain("x-amz-checksum-sha256");
		// SSE-KMS ETags are not MD5s: not compared.
		const kms = fake(
			() =>
				new Response(null, {
					headers: { etag: '"0123456789abcdef0123456789abcdef"', "x-amz-server-side-encryption": "aws:kms" },
				}),
		);
		expect((await s3Client(kms.url).putObject({ bucket: BUCKET, key: "k", body })).etag).toBe(
			'"0123456789abcdef0123456789abcdef"',
		);
	});

	test("SendMessage: a FIFO queue gets a group and a fresh deduplication id; an MD5OfMessageBody not of the body fails", async () => {
		const fifo = await sqs.createQueue(`publish-${process.pid}-${++queues}.fifo`, { FifoQueue: "true" });
		const client = new SqsClient({
			queueUrl: fifo,
			http: new AwsHttp({ credentials: CredentialProvider.fixed(DEFAULT_KEYS) }),
			env: { AWS_ENDPOINT_URL_SQS: sqs.endpoint },
			fallbackRegion: async () => "us-east-1",
		});
		const a = await client.sendMessage("same body");
		const b = await client.sendMessage("same body");
		expect(a.messageId).not.toBe(b.messageId);
		expect(a.sequenceNumber).toBeDefined();
		const sent = sqs.requests.filter((x) => x.target === "AmazonSQS.SendMessage" && x.body.QueueUrl === fifo);
		expect(sent.map((x) => x.body.MessageGroupId)).toEqual(["registry", "registry"]);
		expect(sent[0]?.body.MessageDeduplicationId).not.toBe(sent[1]?.body.MessageDeduplicationId);
		// Both arrive: a publish of the same bytes again is not deduplicated away.
		const received1 = await sqs.sdk.send(
			new ReceiveMessageCommand({ QueueUrl: fifo, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
		);
		expect(received1.Messages?.length).toBeGreaterThanOrEqual(1);

		sqs.rewrite((r, text) =>
			r.target === "AmazonSQS.SendMessage"
				? text.replace(/"MD5OfMessageBody":"[0-9a-f]+"/, '"MD5OfMessageBody":"00"')
				: text,
		);
		try {
			const err = await rejection(client.sendMessage("x"));
			expect((err as AwsError).code).toBe("MD5Mismatch");
		} finally {
			sqs.rewrite(undefined);
		}
	});
});
