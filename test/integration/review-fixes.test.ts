/**
 * Regressions for defects a review found: a reload and an S3 apply racing to swap, regions
 * from messages choosing hosts, an open redirect, a stale reload request, region names.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { s3ObjectUrl } from "../../src/aws/endpoints.ts";
import { RegionResolver } from "../../src/aws/region.ts";
import type { S3Client } from "../../src/aws/s3.ts";
import { silentLogger } from "../../src/log.ts";
import { RegistryStore } from "../../src/registry/store.ts";
import { AppliedState, applyObject } from "../../src/sync/apply.ts";
import { parseMessage, UnprocessableMessage } from "../../src/sync/messages.ts";
import { startApiServer } from "../support/api-server.ts";

const dir = mkdtempSync(join(tmpdir(), "registry-review-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
const registry = (prefix: string, n: number) =>
	JSON.stringify(
		Array.from({ length: n }, (_, i) => ({
			$schema: SCHEMA,
			name: `io.github.${prefix}/s${i}`,
			description: "d",
			version: "1.0.0",
		})),
	);

/** An S3 client that answers with fixed bytes (a unit-level stand-in for the download). */
function fixedS3(body: string): S3Client {
	return {
		async getObject(_req: unknown, sink: { write(c: Uint8Array): unknown }) {
			const bytes = new TextEncoder().encode(body);
			await sink.write(bytes);
			return { notModified: false, bytes: bytes.length, etag: `"${prefixHash(body)}"`, md5Verified: false };
		},
	} as unknown as S3Client;
}
const prefixHash = (s: string) => Bun.hash(s).toString(16);

describe("a reload and an S3 apply never swap out of order", () => {
	test("SIGHUP-style reload started before an apply: the apply's data is what is served, and matches the file", async () => {
		const file = join(dir, "race.json");
		writeFileSync(file, registry("old", 20_000));
		const store = new RegistryStore({
			path: file,
			invalidEntries: "reject",
			log: silentLogger,
			loader: "paced",
		});
		await store.reload({ initial: true });
		const reload = store.reload(); // reads the file in slices…
		await Bun.sleep(5);
		const ctx = {
			s3: fixedS3(registry("new", 10)),
			store,
			target: file,
			maxBytes: 1 << 30,
			log: silentLogger,
		};
		const applied = applyObject(ctx, { bucket: "b", key: "k" }, new AppliedState()); // …while this replaces it
		await Promise.all([reload, applied]);
		expect(store.current.count).toBe(10);
		expect(store.current.data.names[0]).toStartWith("io.github.new/");
		expect(readFileSync(file, "utf8")).toBe(registry("new", 10));
	});

	test("a reload asked for while a failing one runs does not make the next reload load twice", async () => {
		const file = join(dir, "again.json");
		writeFileSync(file, "[oops");
		const store = new RegistryStore({
			path: file,
			invalidEntries: "reject",
			log: silentLogger,
			loader: "inline",
		});
		const first = store.reload();
		const second = store.reload(); // folded into the running one
		await expect(first).rejects.toThrow("invalid JSON");
		await expect(second).rejects.toThrow("invalid JSON");
		writeFileSync(file, registry("ok", 3));
		await store.reload();
		expect(store.loads.success).toBe(1);
		expect(store.current.count).toBe(3);
	});
});

describe("a message never chooses the host", () => {
	test("an event's awsRegion or EventBridge region must be a region name", () => {
		const event = (awsRegion: string) =>
			JSON.stringify({
				Records: [
					{
						eventName: "ObjectCreated:Put",
						awsRegion,
						s3: { bucket: { name: "mybucket" }, object: { key: "registry.json" } },
					},
				],
			});
		expect(() => parseMessage(event("x.evil.example/"), ["mybucket"])).toThrow(UnprocessableMessage);
		expect(() => parseMessage(event("x.evil.example/"))).toThrow("Records[0].awsRegion is not a region name");
		const bridge = JSON.stringify({
			source: "aws.s3",
			"detail-type": "Object Created",
			region: "evil.example#",
			detail: { bucket: { name: "mybucket" }, object: { key: "k" } },
		});
		expect(() => parseMessage(bridge)).toThrow("region is not a region name");
		const ok = parseMessage(event("eu-west-1"));
		expect(ok.kind === "objects" && ok.refs[0]?.region).toBe("eu-west-1");
	});

	test("S3 URLs refuse a region that is not a DNS label (from a message or a redirect)", () => {
		expect(() => s3ObjectUrl({ bucket: "b", key: "k", region: "evil.example/" })).toThrow(
			"not a region name",
		);
		expect(
			s3ObjectUrl({ bucket: "bkt", key: "k", region: "auto", endpoint: new URL("https://acc.r2.example") }),
		).toBe("https://bkt.acc.r2.example/k");
	});

	test("the fallback region accepts S3-compatible names such as auto, and still refuses host-breaking ones", async () => {
		expect(
			await new RegionResolver({
				env: { AWS_REGION: "auto", HOME: dir, AWS_EC2_METADATA_DISABLED: "true" },
			}).region(),
		).toBe("auto");
		await expect(
			new RegionResolver({
				env: { AWS_REGION: "a.b/c", HOME: dir, AWS_EC2_METADATA_DISABLED: "true" },
			}).region(),
		).rejects.toThrow("AWS_REGION is not a region name");
	});
});

describe("no open redirect", () => {
	test("a trailing-slash redirect of //host/ stays on this host", async () => {
		const api = await startApiServer({ servers: [] });
		try {
			const cases: [string, string][] = [
				["//evil.example/", "/evil.example"],
				["///evil.example/", "/evil.example"],
				["//evil.example/x/?q=1", "/evil.example/x?q=1"],
			];
			for (const [path, location] of cases) {
				const res = await fetch(`${api.base}${path}`, { redirect: "manual" });
				expect(res.status).toBe(308);
				expect(res.headers.get("location")).toBe(location);
			}
		} finally {
			api.stop();
		}
	});
});
