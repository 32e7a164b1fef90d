/**
 * Fuzzing, bounded and deterministic (a fixed seed): malformed paths, queries, headers and
 * methods thrown at the app in process; mutated registry files at the loader and through the
 * store; mutated SQS bodies at the message parser. Whatever comes in: no 500, no stack trace in
 * a response or a log line, no log line broken in two, only the errors each layer promises, and
 * the data served unchanged by every rejected input.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/http/app.ts";
import { createLogger } from "../../src/log.ts";
import { loadRegistryBytes, RegistryLoadError } from "../../src/registry/load.ts";
import { RegistryStore } from "../../src/registry/store.ts";
import { parseMessage, UnprocessableMessage } from "../../src/sync/messages.ts";
import { BUILD, entry, registryDoc, snapshotData, testStore } from "../support/api-server.ts";
import { rng as seeded } from "../support/random.ts";

const SEED = 0x5eed_2026;

/** The seeded generator, with the two draws the fuzzers use. */
function rng(seed: number) {
	const next = seeded(seed);
	const int = (n: number) => Math.floor(next() * n);
	const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
	return { next, int, pick };
}

/** A C0 or C1 control character, or DEL. */
const hasControl = (text: string) =>
	[...text].some((c) => {
		const n = c.charCodeAt(0);
		return n < 0x20 || (n >= 0x7f && n <= 0x9f);
	});
const STACK = /\n\s+at |\bat .*\.(ts|js):\d+/;
const dirs: string[] = [];
afterAll(() => {
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const DOC = registryDoc([
	entry("io.github.user/weather", "1.0.0"),
	entry("io.github.user/weather", "1.1.0"),
	entry("com.example/other", "2.0.0"),
	entry("io.github.user/emoji", "0.1.0"),
]);

describe("HTTP fuzz", () => {
	const PIECES = [
		"v0",
		"v0.1",
		"servers",
		"versions",
		"latest",
		"health",
		"ping",
		"version",
		"metrics",
		"docs",
		"openapi.json",
		"openapi.yaml",
		"publish",
		"io.github.user%2Fweather",
		"io.github.user/weather",
		"1.0.0",
		"%",
		"%2",
		"%zz",
		"%00",
		"%0A",
		"%252F",
		"%2F",
		"..",
		".",
		"",
		"x".repeat(3000),
		"%E2%80%A8",
		"%C0%AF",
		"%FF",
		"😀",
		"a b",
		"{serverName}",
		"__proto__",
		"constructor",
	];
	const ROUTES = [
		"v0/servers",
		"v0.1/servers",
		"v0.1/servers",
		"v0/servers/*/versions",
		"v0.1/servers/*/versions/*",
		"v0.1/servers/*/versions/latest",
		"v0/publish",
		"v0.1/servers/*/versions/*/status",
		"v0/health",
		"metrics",
	];
	const KEYS = [
		"limit",
		"cursor",
		"search",
		"version",
		"updated_since",
		"include_deleted",
		"x",
		"",
		"limit[]",
	];
	const VALUES = [
		"",
		"0",
		"-1",
		"1",
		"100",
		"101",
		"1e309",
		"NaN",
		"0x10",
		"latest",
		"1.0.0",
		"%00",
		"%0A",
		"%",
		"%zz",
		"constructor",
		"__proto__",
		"true",
		"TRUE",
		"maybe",
		"2025-01-01T00:00:00Z",
		"2025-13-45T99:99:99Z",
		"io.github.user/weather:1.0.0",
		"aW8uZ2l0aHViLnVzZXIvd2VhdGhlcjoxLjAuMA",
		"!!!",
		"x".repeat(5000),
		"😀",
		"%E2%80%A8",
	];
	const METHODS = ["GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"];
	const HEADERS: [string, string[]][] = [
		[
			"accept-encoding",
			["gzip", "br", "gzip;q=0", "*", "identity;q=0", "br;q=abc, gzip", ",,,", "x".repeat(2000)],
		],
		["if-none-match", ["*", '"abc"', 'W/"x"', '"', "", '"a", "b"', "x".repeat(2000)]],
		["origin", ["https://evil.example", "null", ""]],
		["access-control-request-method", ["GET", "DELETE", "", "x"]],
		["access-control-request-headers", ["x-y", "*", ""]],
		["host", ["", "a/metrics?", "evil.example:99999", "[::1]", "x".repeat(300)]],
		["accept", ["application/json", "*/*", "text/html", ""]],
		["range", ["bytes=0-1", "bytes=-1", "x"]],
	];

	test("3,000 hostile requests: never a 500, never a stack trace, the data unchanged", async () => {
		const lines: string[] = [];
		const log = createLogger({ format: "text", level: "debug", write: (l) => void lines.push(l) });
		const store = testStore(snapshotData(DOC));
		const snapshot = store.current;
		const app = createApp({ store, build: BUILD, cacheMaxAge: 10, log, healthDetail: true });
		const listing = async () =>
			(await app.fetch(new Request("http://registry.test/v0.1/servers?limit=100"))).text();
		const before = await listing();
		const r = rng(SEED);
		const statuses = new Map<number, number>();
		for (let n = 0; n < 3000; n++) {
			// Half the paths are real routes with hostile parts, half anything at all.
			const segments =
				r.next() < 0.5
					? r
							.pick(ROUTES)
							.split("/")
							.map((p) => (p === "*" ? r.pick(PIECES) : p))
					: Array.from({ length: 1 + r.int(5) }, () => r.pick(PIECES));
			let path = `/${segments.join("/")}`.replace(/^\/+/, "/");
			if (r.next() < 0.1) path += "/";
			if (r.next() < 0.05) path = `/${path}`;
			const query = Array.from({ length: r.int(4) }, () => `${r.pick(KEYS)}=${r.pick(VALUES)}`).join("&");
			const url = `http://registry.test${path}${query || r.next() < 0.1 ? `?${query}` : ""}`;
			const headers = new Headers();
			for (const [name, values] of HEADERS) if (r.next() < 0.3) headers.set(name, r.pick(values));
			const method = r.pick(METHODS);
			let req: Request;
			try {
				req = new Request(url, {
					method,
					headers,
					body: method === "POST" || method === "PUT" ? "{".repeat(r.int(100)) : undefined,
				});
			} catch {
				continue; // not a request a client could send
			}
			const res = await app.fetch(req);
			statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
			const body = await res.text();
			if (res.status >= 500 && res.status !== 501)
				throw new Error(`${method} ${url} → ${res.status}: ${body}`);
			expect(STACK.test(body)).toBe(false);
		}
		// Every kind of answer was reached, not only 404s.
		const reached = [...statuses.keys()].sort();
		for (const status of [200, 308, 400, 404, 405, 422, 501]) expect(reached).toContain(status);
		for (const line of lines) {
			expect(STACK.test(line)).toBe(false);
			expect(line.replace(/\n$/, "")).not.toContain("\n");
		}
		expect(store.current).toBe(snapshot);
		expect(await listing()).toBe(before);
	});
});

describe("registry file fuzz", () => {
	const VALID = JSON.stringify(DOC);
	const INSERTS = [
		"\u0000",
		"\n",
		'"',
		"\\",
		"{",
		"[",
		"]",
		"}",
		",",
		":",
		'"servers":[],',
		'"name":"x",',
		'"name":"io.github.a/\\n INFO  Database reloaded successfully",',
		'"version":"1.0.0\\u0000",',
		"\uFEFF",
		"\uD800",
		"[".repeat(200),
		`${"[".repeat(100_000)}${"]".repeat(100_000)}`,
		'{"a":1,"a":2}',
		"1e999",
		"-0",
		"null",
	];

	function mutate(r: ReturnType<typeof rng>): Uint8Array {
		let text = VALID;
		for (let k = 1 + r.int(3); k > 0; k--) {
			const at = r.int(text.length + 1);
			const op = r.int(4);
			if (op === 0) text = text.slice(0, at) + r.pick(INSERTS) + text.slice(at);
			else if (op === 1) text = text.slice(0, at) + text.slice(at + 1 + r.int(20));
			else if (op === 2) text = text.slice(0, at);
			else text = text.slice(0, at) + String.fromCharCode(r.int(128)) + text.slice(at + 1);
		}
		const bytes = new TextEncoder().encode(text);
		// Now and then a byte that is not UTF-8.
		if (r.next() < 0.1 && bytes.length > 0) bytes[r.int(bytes.length)] = 0xff;
		return bytes;
	}

	test("400 mutated files: loaded, or refused with a RegistryLoadError naming the file; never another error", () => {
		const r = rng(SEED + 1);
		let refused = 0;
		for (let n = 0; n < 400; n++) {
			const bytes = mutate(r);
			for (const invalidEntries of ["reject", "skip"] as const) {
				try {
					loadRegistryBytes(bytes, { file: "fuzz.json", mtime: new Date(0), invalidEntries });
				} catch (err) {
					if (!(err instanceof RegistryLoadError)) throw err;
					expect(err.message.startsWith("fuzz.json")).toBe(true);
					expect(STACK.test(err.message)).toBe(false);
					refused++;
				}
			}
		}
		expect(refused).toBeGreaterThan(100);
	});

	test("60 mutated files through the store: a refused one changes nothing served and logs no broken line", async () => {
		const dir = mkdtempSync(join(tmpdir(), "fuzz-store-"));
		dirs.push(dir);
		const path = join(dir, "registry.json");
		writeFileSync(path, VALID);
		const lines: string[] = [];
		const log = createLogger({ format: "text", level: "debug", write: (l) => void lines.push(l) });
		const store = new RegistryStore({ path, invalidEntries: "reject", log, loader: "inline" });
		await store.replace();
		const r = rng(SEED + 2);
		for (let n = 0; n < 60; n++) {
			const served = store.current;
			writeFileSync(path, mutate(r));
			const ok = await store.replace().then(
				() => true,
				() => false,
			);
			if (!ok) expect(store.current).toBe(served);
			writeFileSync(path, VALID);
			await store.replace();
		}
		for (const line of lines) {
			expect(line.replace(/\n$/, "")).not.toContain("\n");
			expect(STACK.test(line)).toBe(false);
			expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z (DEBUG|INFO |WARN |ERROR) /);
		}
		expect(store.current.index.names).toEqual(snapshotData(DOC).index.names);
	});
});

describe("SQS message fuzz", () => {
	const VALID = [
		JSON.stringify({ s3_url: "s3://registry/registry.json" }),
		JSON.stringify({ s3_url: "https://registry.s3.us-east-1.amazonaws.com/a/registry.json?versionId=3" }),
		JSON.stringify({
			Records: [
				{
					eventSource: "aws:s3",
					awsRegion: "us-east-1",
					eventName: "ObjectCreated:Put",
					s3: {
						bucket: { name: "registry" },
						object: { key: "a+b%2Fc.json", sequencer: "0055AED6DCD90281E5" },
					},
				},
			],
		}),
		JSON.stringify({
			Type: "Notification",
			Message: JSON.stringify({
				Records: [
					{ eventName: "ObjectCreated:Put", s3: { bucket: { name: "registry" }, object: { key: "k" } } },
				],
			}),
		}),
		JSON.stringify({
			version: "0",
			"detail-type": "Object Created",
			source: "aws.s3",
			detail: { bucket: { name: "registry" }, object: { key: "k" } },
		}),
	];
	const INSERTS = [
		"\u0000",
		"%0A",
		"\\n",
		"..",
		"/../",
		"?list-type=2&x=",
		"@",
		"A",
		"_",
		'"',
		"{",
		"}",
		"[]",
		"null",
		"1e400",
		"\\u2028",
		"%",
		"xn--",
	];

	test("3,000 mutated bodies: parsed, or refused as unprocessable; every named bucket is a valid bucket name", () => {
		const r = rng(SEED + 3);
		let refused = 0;
		let parsed = 0;
		for (let n = 0; n < 3000; n++) {
			let body = r.pick(VALID);
			for (let k = 1 + r.int(3); k > 0; k--) {
				const at = r.int(body.length + 1);
				body = r.next() < 0.7 ? body.slice(0, at) + r.pick(INSERTS) + body.slice(at) : body.slice(0, at);
			}
			try {
				const m = parseMessage(body);
				parsed++;
				if (m.kind === "objects") {
					for (const ref of m.refs) {
						expect(ref.bucket).toMatch(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
						expect(hasControl(ref.key)).toBe(false);
					}
				}
			} catch (err) {
				if (!(err instanceof UnprocessableMessage)) throw err;
				expect(STACK.test(err.message)).toBe(false);
				refused++;
			}
		}
		expect(refused).toBeGreaterThan(100);
		expect(parsed).toBeGreaterThan(100);
	});
});
