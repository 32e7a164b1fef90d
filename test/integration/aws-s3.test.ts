/**
 * The S3 client against s3rver (which verifies SigV4; objects uploaded with the AWS SDK) and,
 * where s3rver cannot produce a condition, small stand-in servers on loopback: key encoding,
 * conditional GETs, size limits, truncated bodies, checksums and ETags, typed S3 errors, retries,
 * region redirects, version ids, no transparent decompression, streaming in chunks, aborts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { crc32 } from "node:zlib";
import { Crc64NvmeJs } from "@aws-sdk/checksums/crc";
import { CredentialProvider } from "../../src/aws/credentials.ts";
import { AwsError } from "../../src/aws/errors.ts";
import { type GetObjectRequest, type GetObjectResult, S3Client } from "../../src/aws/s3.ts";
import { AwsHttp } from "../../src/aws/signed-fetch.ts";
import { rejection } from "../support/assert.ts";
import {
	BUCKET,
	DEFAULT_KEYS,
	type S3Server,
	type StandIn,
	standIn,
	startS3,
} from "../support/aws-servers.ts";
import { until } from "../support/poll.ts";

let s3: S3Server;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
	s3 = await startS3();
});

afterAll(async () => {
	for (const close of closers) await close().catch(() => {});
	await s3.close();
});

/** A stand-in S3 endpoint, closed after all tests. */
function fakeS3(handle: (req: Request) => Response | Promise<Response>): StandIn {
	const s = standIn(handle);
	closers.push(() => s.close());
	return s;
}

function http(
	o: { keys?: { accessKeyId: string; secretAccessKey: string }; sleeps?: number[] } = {},
): AwsHttp {
	return new AwsHttp({
		credentials: CredentialProvider.fixed(o.keys ?? DEFAULT_KEYS),
		sleep: async (ms: number) => {
			o.sleeps?.push(ms);
		},
	});
}

function client(endpoint: string, o: { http?: AwsHttp; fallbackRegion?: string } = {}): S3Client {
	return new S3Client({
		http: o.http ?? http(),
		env: { AWS_ENDPOINT_URL_S3: endpoint },
		fallbackRegion: async () => o.fallbackRegion ?? "us-east-1",
	});
}

interface Collected {
	chunks: Uint8Array[];
	writes: number;
	bytes(): Buffer;
	write(chunk: Uint8Array): void;
}

function sink(): Collected {
	const chunks: Uint8Array[] = [];
	return {
		chunks,
		get writes() {
			return chunks.length;
		},
		bytes: () => Buffer.concat(chunks),
		write(chunk) {
			chunks.push(chunk.slice());
		},
	};
}

async function get(
	c: S3Client,
	r: GetObjectRequest,
	out = sink(),
): Promise<{ result: GetObjectResult; out: Collected }> {
	const result = await c.getObject(r, out);
	return { result, out };
}

async function awsError(p: Promise<unknown>): Promise<AwsError> {
	const err = await rejection(p);
	expect(err).toBeInstanceOf(AwsError);
	return err as AwsError;
}

const md5 = (b: Uint8Array | string) => createHash("md5").update(b).digest("hex");
const sha256b64 = (b: Uint8Array | string) => createHash("sha256").update(b).digest("base64");
function crc32b64(b: Uint8Array): string {
	const out = Buffer.alloc(4);
	out.writeUInt32BE(crc32(b) >>> 0);
	return out.toString("base64");
}
async function crc64b64(b: Uint8Array): Promise<string> {
	const c = new Crc64NvmeJs();
	c.update(b);
	return Buffer.from(await c.digest()).toString("base64");
}

/** The region of a request's SigV4 credential scope. */
function scopeRegion(headers: Headers | Record<string, string>): string | undefined {
	const auth = headers instanceof Headers ? headers.get("authorization") : headers.authorization;
	return /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\/aws4_request/.exec(auth ?? "")?.[1];
}

function xmlError(
	status: number,
	code: string,
	message: string,
	headers: Record<string, string> = {},
	extra = "",
) {
	return new Response(
		`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>RID123</RequestId><HostId>HID</HostId></Error>`,
		{ status, headers: { "content-type": "application/xml", "x-amz-request-id": "RID123", ...headers } },
	);
}

/**
 * A raw TCP "S3" that answers every request with the given head and body bytes, then closes
 * the socket (for answers Bun.serve will not produce, like a short body).
 */
async function rawServer(head: string, body: Uint8Array): Promise<{ url: string; requests: number }> {
	const state = { url: "", requests: 0 };
	const sockets = new Set<Socket>();
	const server: NetServer = createServer((socket) => {
		sockets.add(socket);
		socket.on("close", () => sockets.delete(socket));
		let buf = "";
		socket.on("data", (d) => {
			buf += d.toString("latin1");
			if (!buf.includes("\r\n\r\n")) return;
			state.requests++;
			socket.write(head.replace(/\n/g, "\r\n"));
			socket.write(body, () => socket.destroy());
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as { port: number };
	state.url = `http://127.0.0.1:${port}`;
	closers.push(
		() =>
			new Promise<void>((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			}),
	);
	return state;
}

describe("keys and downloads (s3rver)", () => {
	for (const key of [
		"a b+c.txt",
		"ünï/çødé ✓.bin",
		"quote'(paren)*!~.txt",
		"dir/registry.json",
		"dir/sub dir/x+y (1).json",
		"pct%2Fliteral.json",
	]) {
		test(`${JSON.stringify(key)} downloads byte-identical`, async () => {
			const body = Buffer.concat([Buffer.from(`${key}\n`), randomBytes(1000)]);
			const { etag } = await s3.put(key, body);
			const { result, out } = await get(client(s3.endpoint), { bucket: BUCKET, key });
			expect(out.bytes().equals(body)).toBe(true);
			expect(result).toMatchObject({ notModified: false, bytes: body.length, etag, md5Verified: true });
		});
	}

	test("a large object (5 MB) arrives in several chunks that concatenate to the original", async () => {
		const body = randomBytes(5 * 1024 * 1024);
		await s3.put("big/registry.bin", body);
		const { result, out } = await get(client(s3.endpoint), { bucket: BUCKET, key: "big/registry.bin" });
		expect(out.writes).toBeGreaterThan(1);
		expect(out.bytes().length).toBe(body.length);
		expect(out.bytes().equals(body)).toBe(true);
		expect(result).toMatchObject({ notModified: false, bytes: body.length, md5Verified: true });
	});

	test("a region given by the caller (from the message) is used as is", async () => {
		await s3.put("regional.json", "{}");
		const c = client(s3.endpoint, { fallbackRegion: "ap-south-1" });
		const { out } = await get(c, { bucket: BUCKET, key: "regional.json", region: "us-east-1" });
		expect(out.bytes().toString()).toBe("{}");
	});
});

describe("conditional GET (s3rver)", () => {
	test("a matching ETag, quoted or not, answers notModified without writing", async () => {
		const { etag } = await s3.put("cond/registry.json", '{"v":1}');
		expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
		const c = client(s3.endpoint);
		for (const ifNoneMatch of [etag, etag.replace(/"/g, "")]) {
			const { result, out } = await get(c, { bucket: BUCKET, key: "cond/registry.json", ifNoneMatch });
			expect(result.notModified).toBe(true);
			expect(out.writes).toBe(0);
		}
	});

	test("a stale ETag downloads the object", async () => {
		const old = await s3.put("cond/changing.json", '{"v":1}');
		const fresh = await s3.put("cond/changing.json", '{"v":2}');
		expect(fresh.etag).not.toBe(old.etag);
		const { result, out } = await get(client(s3.endpoint), {
			bucket: BUCKET,
			key: "cond/changing.json",
			ifNoneMatch: old.etag,
		});
		expect(result).toMatchObject({ notModified: false, etag: fresh.etag });
		expect(out.bytes().toString()).toBe('{"v":2}');
	});

	test("If-None-Match goes on the wire quoted, with x-amz-checksum-mode: ENABLED, both signed", async () => {
		const s = fakeS3(() => new Response(null, { status: 304, headers: { etag: '"abc"' } }));
		const { result } = await get(client(s.url), { bucket: "b", key: "k.json", ifNoneMatch: "abc" });
		expect(result).toEqual({ notModified: true, etag: '"abc"' });
		const h = s.requests[0]?.headers ?? {};
		expect(h["if-none-match"]).toBe('"abc"');
		expect(h["x-amz-checksum-mode"]).toBe("ENABLED");
		const signed = /SignedHeaders=([^,]+)/.exec(h.authorization ?? "")?.[1]?.split(";") ?? [];
		expect(signed).toContain("x-amz-checksum-mode");
		expect(signed).toContain("if-none-match");
		expect(s.requests[0]?.method).toBe("GET");
		expect(s.requests[0]?.path).toBe("/b/k.json");
	});
});

describe("size limits", () => {
	test("Content-Length over maxBytes → ObjectTooLarge before any sink write", async () => {
		await s3.put("limits/big.json", randomBytes(10_000));
		const out = sink();
		const err = await awsError(
			client(s3.endpoint).getObject({ bucket: BUCKET, key: "limits/big.json", maxBytes: 9_999 }, out),
		);
		expect(err.code).toBe("ObjectTooLarge");
		expect(err.retryable).toBe(false);
		expect(err.message).toContain("10000");
		expect(out.writes).toBe(0);
	});

	test("exactly maxBytes is allowed", async () => {
		await s3.put("limits/exact.json", randomBytes(10_000));
		const { result } = await get(client(s3.endpoint), {
			bucket: BUCKET,
			key: "limits/exact.json",
			maxBytes: 10_000,
		});
		expect(result).toMatchObject({ notModified: false, bytes: 10_000 });
	});

	test("no Content-Length: an endless stream is stopped once past the limit", async () => {
		let produced = 0;
		const s = fakeS3(
			() =>
				new Response(
					new ReadableStream({
						async pull(controller) {
							await Bun.sleep(1); // a slow producer: the fault under test
							produced += 4096;
							controller.enqueue(new Uint8Array(4096));
						},
					}),
				),
		);
		const out = sink();
		const err = await awsError(
			client(s.url).getObject({ bucket: "b", key: "endless", maxBytes: 50_000 }, out),
		);
		expect(s.requests.length).toBe(1);
		expect(err.code).toBe("ObjectTooLarge");
		expect(err.retryable).toBe(false);
		expect(out.bytes().length).toBeLessThanOrEqual(50_000);
		const stoppedAt = produced;
		// A window in which a stream still being read would grow by far more than this bound.
		await Bun.sleep(200);
		// The stream is no longer read.
		expect(produced - stoppedAt).toBeLessThan(200_000);
	});
});

describe("integrity", () => {
	test("a truncated body (Content-Length 1000, 500 bytes, then close) → IncompleteBody, retryable", async () => {
		const body = randomBytes(500);
		const raw = await rawServer(
			"HTTP/1.1 200 OK\nContent-Type: application/octet-stream\nContent-Length: 1000\nConnection: close\n\n",
			body,
		);
		const err = await awsError(client(raw.url).getObject({ bucket: "b", key: "short" }, sink()));
		expect(err.code).toBe("IncompleteBody");
		expect(err.retryable).toBe(true);
		expect(err.service).toBe("s3");
	});

	const payload = Buffer.from('{"servers":[{"name":"io.github.x/y"}]}\n'.repeat(50));

	function withHeaders(headers: Record<string, string>) {
		return fakeS3(
			() => new Response(payload, { headers: { "content-type": "application/json", ...headers } }),
		);
	}

	test("a right x-amz-checksum-sha256 is verified: result.checksum set", async () => {
		const s = withHeaders({
			"x-amz-checksum-sha256": sha256b64(payload),
			"x-amz-checksum-type": "FULL_OBJECT",
		});
		const { result, out } = await get(client(s.url), { bucket: "b", key: "k" });
		expect(result).toMatchObject({ notModified: false, checksum: "sha256", bytes: payload.length });
		expect(out.bytes().equals(payload)).toBe(true);
	});

	test("a wrong x-amz-checksum-sha256 → ChecksumMismatch", async () => {
		const s = withHeaders({ "x-amz-checksum-sha256": sha256b64("something else") });
		const err = await awsError(client(s.url).getObject({ bucket: "b", key: "k" }, sink()));
		expect(err.code).toBe("ChecksumMismatch");
		expect(err.message).toContain("sha256");
	});

	test("a right x-amz-checksum-crc32 is verified; a wrong one → ChecksumMismatch", async () => {
		const right = withHeaders({ "x-amz-checksum-crc32": crc32b64(payload) });
		const { result } = await get(client(right.url), { bucket: "b", key: "k" });
		expect(result).toMatchObject({ notModified: false, checksum: "crc32" });

		const wrong = withHeaders({ "x-amz-checksum-crc32": crc32b64(Buffer.from("other")) });
		const err = await awsError(client(wrong.url).getObject({ bucket: "b", key: "k" }, sink()));
		expect(err.code).toBe("ChecksumMismatch");
		expect(err.message).toContain("crc32");
	});

	test("a right x-amz-checksum-crc64nvme (S3's default) is verified", async () => {
		const s = withHeaders({ "x-amz-checksum-crc64nvme": await crc64b64(payload) });
		const { result } = await get(client(s.url), { bucket: "b", key: "k" });
		expect(result).toMatchObject({ notModified: false, checksum: "crc64nvme" });
	});

	test("with several checksums, the SDK's first choice (sha256) is the one checked", async () => {
		const s = withHeaders({
			"x-amz-checksum-crc32": crc32b64(payload),
			"x-amz-checksum-sha256": sha256b64("not the body"),
		});
		const err = await awsError(client(s.url).getObject({ bucket: "b", key: "k" }, sink()));
		expect(err.code).toBe("ChecksumMismatch");
		expect(err.message).toContain("sha256");
	});

	test("a composite checksum (ending in -3) is not verified", async () => {
		const s = withHeaders({ "x-amz-checksum-crc32": "AAAAAA==-3", "x-amz-checksum-type": "COMPOSITE" });
		const { result, out } = await get(client(s.url), { bucket: "b", key: "k" });
		expect(result.notModified).toBe(false);
		expect(result).not.toHaveProperty("checksum", "crc32");
		expect((result as { checksum?: string }).checksum).toBeUndefined();
		expect(out.bytes().equals(payload)).toBe(true);
	});

	test("an ETag that is the body's MD5 is verified; one that is not → ChecksumMismatch", async () => {
		const right = withHeaders({ etag: `"${md5(payload)}"` });
		const { result } = await get(client(right.url), { bucket: "b", key: "k" });
		expect(result).toMatchObject({ notModified: false, md5Verified: true });

		const wrong = withHeaders({ etag: `"${md5("other")}"` });
		const err = await awsError(client(wrong.url).getObject({ bucket: "b", key: "k" }, sink()));
		expect(err.code).toBe("ChecksumMismatch");
		expect(err.message).toContain("ETag");
	});

	test("a multipart ETag (-N) or an SSE-KMS object's ETag is not taken for an MD5", async () => {
		const multipart = withHeaders({ etag: `"${md5("x")}-4"` });
		expect((await get(client(multipart.url), { bucket: "b", key: "k" })).result).toMatchObject({
			notModified: false,
			md5Verified: false,
		});
		const kms = withHeaders({ etag: `"${md5("x")}"`, "x-amz-server-side-encryption": "aws:kms" });
		expect((await get(client(kms.url), { bucket: "b", key: "k" })).result).toMatchObject({
			notModified: false,
			md5Verified: false,
		});
	});

	test("stored bytes are handed over as stored: no transparent decompression", async () => {
		const gz = Buffer.from(Bun.gzipSync(payload));
		const s = fakeS3(
			() =>
				new Response(gz, {
					headers: {
						"content-type": "application/json",
						"content-encoding": "gzip",
						etag: `"${md5(gz)}"`,
						"x-amz-checksum-sha256": sha256b64(gz),
					},
				}),
		);
		const { result, out } = await get(client(s.url), { bucket: "b", key: "k.json.gz" });
		expect(out.bytes().equals(gz)).toBe(true);
		expect(result).toMatchObject({ bytes: gz.length, md5Verified: true, checksum: "sha256" });
	});

	test("a body that stops arriving → TimeoutError after idleTimeoutMs, retryable", async () => {
		const s = fakeS3(
			() =>
				new Response(
					new ReadableStream({
						async start(controller) {
							controller.enqueue(new Uint8Array(100));
							await Bun.sleep(10_000); // a body that stops arriving: the fault under test
							controller.close();
						},
					}),
				),
		);
		const started = performance.now();
		const err = await awsError(
			client(s.url).getObject({ bucket: "b", key: "stall", idleTimeoutMs: 300 }, sink()),
		);
		expect(err.code).toBe("TimeoutError");
		expect(err.retryable).toBe(true);
		expect(performance.now() - started).toBeLessThan(5000);
	});
});

describe("typed S3 errors", () => {
	test("NoSuchKey (s3rver): 404, not retried", async () => {
		const err = await awsError(
			client(s3.endpoint).getObject({ bucket: BUCKET, key: "no/such key.json" }, sink()),
		);
		expect(err.code).toBe("NoSuchKey");
		expect(err.status).toBe(404);
		expect(err.retryable).toBe(false);
		expect(err.service).toBe("s3");
		expect(err.message).toContain("s3://registry/no/such key.json");
	});

	test("AccessDenied (stand-in): 403, request id, not retried", async () => {
		const s = fakeS3(() => xmlError(403, "AccessDenied", "Access Denied"));
		const err = await awsError(client(s.url).getObject({ bucket: "b", key: "k" }, sink()));
		expect(err.code).toBe("AccessDenied");
		expect(err.status).toBe(403);
		expect(err.retryable).toBe(false);
		expect(err.requestId).toBe("RID123");
		expect(err.message).toContain("Access Denied");
		expect(s.requests.length).toBe(1);
	});

	test("SignatureDoesNotMatch (s3rver, wrong secret): 403", async () => {
		await s3.put("signed.json", "{}");
		const wrong = http({
			keys: { accessKeyId: DEFAULT_KEYS.accessKeyId, secretAccessKey: "not-the-secret" },
		});
		const err = await awsError(
			client(s3.endpoint, { http: wrong }).getObject({ bucket: BUCKET, key: "signed.json" }, sink()),
		);
		expect(err.code).toBe("SignatureDoesNotMatch");
		expect(err.status).toBe(403);
		expect(err.retryable).toBe(false);
	});

	test("a 404 without a body is still typed", async () => {
		const s = fakeS3(() => new Response(null, { status: 404 }));
		const err = await awsError(client(s.url).getObject({ bucket: "b", key: "k" }, sink()));
		expect(err.status).toBe(404);
		expect(err.code).toBe("NotFound");
	});
});

describe("retries", () => {
	test("500 then 200 → retried and downloaded", async () => {
		let n = 0;
		const s = fakeS3(() =>
			++n === 1
				? xmlError(500, "InternalError", "We encountered an internal error.")
				: new Response("ok body"),
		);
		const sleeps: number[] = [];
		const out = sink();
		const result = await client(s.url, { http: http({ sleeps }) }).getObject({ bucket: "b", key: "k" }, out);
		expect(result.notModified).toBe(false);
		expect(out.bytes().toString()).toBe("ok body");
		expect(s.requests.length).toBe(2);
		expect(sleeps.length).toBe(1);
		expect(sleeps[0] as number).toBeLessThan(50);
	});

	test("503 SlowDown is retried as throttling", async () => {
		let n = 0;
		const s = fakeS3(() =>
			++n === 1 ? xmlError(503, "SlowDown", "Please reduce your request rate.") : new Response("ok"),
		);
		const sleeps: number[] = [];
		await get(client(s.url, { http: http({ sleeps }) }), { bucket: "b", key: "k" });
		expect(s.requests.length).toBe(2);
		expect(sleeps.length).toBe(1);
		expect(sleeps[0] as number).toBeLessThan(1000);
	});

	test("persistent 500s: 3 attempts, then a typed retryable error", async () => {
		const s = fakeS3(() => xmlError(500, "InternalError", "We encountered an internal error."));
		const err = await awsError(client(s.url).getObject({ bucket: "b", key: "k" }, sink()));
		expect(err.code).toBe("InternalError");
		expect(err.status).toBe(500);
		expect(err.retryable).toBe(true);
		expect(s.requests.length).toBe(3);
	});
});

describe("region redirects", () => {
	const body = '{"servers":[]}';

	/** A bucket living in eu-central-1: requests signed for another region get `redirect()`. */
	function regional(redirect: (req: Request) => Response) {
		return fakeS3((req) =>
			scopeRegion(req.headers) === "eu-central-1" ? new Response(body) : redirect(req),
		);
	}

	const cases: [string, () => Response][] = [
		[
			"301 PermanentRedirect",
			() =>
				xmlError(
					301,
					"PermanentRedirect",
					"The bucket you are attempting to access must be addressed using the specified endpoint.",
					{ "x-amz-bucket-region": "eu-central-1" },
					"<Endpoint>b.s3.eu-central-1.amazonaws.com</Endpoint><Bucket>b</Bucket>",
				),
		],
		[
			"307 TemporaryRedirect",
			() =>
				xmlError(
					307,
					"TemporaryRedirect",
					"Please re-send this request to the specified temporary endpoint.",
					{
						"x-amz-bucket-region": "eu-central-1",
						location: "https://b.s3.eu-central-1.amazonaws.com/k.json",
					},
				),
		],
		[
			"400 AuthorizationHeaderMalformed",
			() =>
				xmlError(
					400,
					"AuthorizationHeaderMalformed",
					"The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-central-1'",
					{ "x-amz-bucket-region": "eu-central-1" },
					"<Region>eu-central-1</Region>",
				),
		],
	];

	for (const [name, redirect] of cases) {
		test(`${name} with x-amz-bucket-region: followed once, re-signed, remembered per bucket`, async () => {
			const s = regional(redirect);
			const c = client(s.url, { fallbackRegion: "us-east-1" });
			const { result, out } = await get(c, { bucket: "b", key: "k.json" });
			expect(result.notModified).toBe(false);
			expect(out.bytes().toString()).toBe(body);
			expect(s.requests.map((r) => scopeRegion(r.headers))).toEqual(["us-east-1", "eu-central-1"]);
			expect(s.requests.map((r) => r.path)).toEqual(["/b/k.json", "/b/k.json"]);
			expect(c.regionOf("b")).toBe("eu-central-1");
			expect(c.regionOf("other")).toBeUndefined();

			// The next GetObject for that bucket goes straight to eu-central-1.
			const again = await get(c, { bucket: "b", key: "k.json" });
			expect(again.out.bytes().toString()).toBe(body);
			expect(s.requests.length).toBe(3);
			expect(scopeRegion(s.requests[2]?.headers ?? {})).toBe("eu-central-1");
		});
	}

	test("a redirect without x-amz-bucket-region is a typed error, not followed", async () => {
		const s = fakeS3(() =>
			xmlError(
				301,
				"PermanentRedirect",
				"The bucket you are attempting to access must be addressed using the specified endpoint.",
			),
		);
		const c = client(s.url);
		const err = await awsError(c.getObject({ bucket: "b", key: "k.json" }, sink()));
		expect(err.status).toBe(301);
		expect(err.code).toBe("PermanentRedirect");
		expect(err.retryable).toBe(false);
		expect(s.requests.length).toBe(1);
		expect(c.regionOf("b")).toBeUndefined();
	});

	test("a 400 without x-amz-bucket-region is an ordinary error, not a redirect", async () => {
		const s = fakeS3(() => xmlError(400, "InvalidArgument", "bad"));
		const err = await awsError(client(s.url).getObject({ bucket: "b", key: "k.json" }, sink()));
		expect(err.code).toBe("InvalidArgument");
		expect(s.requests.length).toBe(1);
	});

	test("a redirect naming the region already used is not followed (no loop)", async () => {
		const s = fakeS3(() =>
			xmlError(301, "PermanentRedirect", "must be addressed using the specified endpoint", {
				"x-amz-bucket-region": "us-east-1",
			}),
		);
		const c = client(s.url);
		const err = await awsError(c.getObject({ bucket: "b", key: "k.json" }, sink()));
		expect(err.status).toBe(301);
		expect(err.code).toBe("PermanentRedirect");
		expect(s.requests.length).toBe(1);
	});

	test("a second redirect after following one is an error (followed once only)", async () => {
		let n = 0;
		const regions = ["eu-central-1", "ap-south-1", "sa-east-1"];
		const s = fakeS3(() =>
			xmlError(301, "PermanentRedirect", "elsewhere", { "x-amz-bucket-region": regions[n++ % 3] as string }),
		);
		const err = await awsError(client(s.url).getObject({ bucket: "b", key: "k.json" }, sink()));
		expect(err.status).toBe(301);
		expect(err.retryable).toBe(false);
		expect(s.requests.length).toBe(2);
	});
});

describe("request details", () => {
	test("versionId is sent as a query parameter", async () => {
		const s = fakeS3(() => new Response("v", { headers: { "x-amz-version-id": "3/L4kqtJl+cpXroDTDmJ" } }));
		const { result } = await get(client(s.url), {
			bucket: "b",
			key: "dir/k.json",
			versionId: "3/L4kqtJl+cpXroDTDmJ",
		});
		const url = new URL(`http://x${s.requests[0]?.path}`);
		expect(url.pathname).toBe("/b/dir/k.json");
		expect(url.searchParams.get("versionId")).toBe("3/L4kqtJl+cpXroDTDmJ");
		expect(result).toMatchObject({ notModified: false, versionId: "3/L4kqtJl+cpXroDTDmJ" });
	});

	test("keys are sent in the SDK's encoding (path-style for an IP endpoint)", async () => {
		const s = fakeS3(() => new Response("x"));
		await get(client(s.url), { bucket: "b", key: "dir/a b+c'(1)*!.json" });
		expect(s.requests[0]?.path).toBe("/b/dir/a%20b%2Bc%27%281%29%2A%21.json");
		expect(scopeRegion(s.requests[0]?.headers ?? {})).toBe("us-east-1");
	});

	test("a caller abort while the body streams ends the download with the abort reason", async () => {
		const s = fakeS3(
			() =>
				new Response(
					new ReadableStream({
						async pull(controller) {
							await Bun.sleep(10); // a slow body: the fault under test
							controller.enqueue(new Uint8Array(1000));
						},
					}),
				),
		);
		const controller = new AbortController();
		const reason = new Error("shutting down");
		const out = sink();
		const p = client(s.url).getObject({ bucket: "b", key: "slow", signal: controller.signal }, out);
		const settled = p.then(
			() => "resolved",
			(err) => err,
		);
		await until("some of the body to arrive", () => out.writes > 0);
		controller.abort(reason);
		const started = performance.now();
		// The bound on how long the abort may take.
		const outcome = await Promise.race([settled, Bun.sleep(2000).then(() => "still downloading")]);
		expect(outcome).toBe(reason);
		expect(performance.now() - started).toBeLessThan(2000);
	});
});
