/**
 * GET {p}/servers, in process: parameters, validation problems, filters, order,
 * pagination and cursors (including across a reload).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import {
	type ApiTarget,
	createApiApp,
	entry,
	getJson,
	OFFICIAL,
	registryDoc,
	snapshotData,
} from "../support/api-server.ts";

interface ServerItem {
	server: Record<string, unknown> & { name: string; version: string };
	_meta: Record<string, Record<string, unknown>>;
}

interface ListBody {
	servers: ServerItem[];
	metadata: { count: number; nextCursor?: string };
}

const PREFIXES = ["/v0", "/v0.1"] as const;
const URL_SAFE = /^[A-Za-z0-9_-]+$/;

/** Every entry of the list server, in the order the API must serve them. */
const LIST = registryDoc([
	entry("io.github.user/weather", "1.0.0+20130313144700", { description: "Forecasts", isLatest: true }),
	entry("io.github.user/weather", "1.0.0", { description: "Forecasts", isLatest: false }),
	entry("io.github.user/weather-old", "0.9.0", { description: "Old forecasts", status: "deleted" }),
	entry("com.example/alpha", "1.9.0", { publishedAt: "2025-01-10T00:00:00Z", isLatest: false }),
	entry("com.example/alpha", "2.0.0", { publishedAt: "2025-03-10T00:00:00Z", isLatest: true }),
	entry("com.example/alpha", "1.10.0", { publishedAt: "2025-02-10T00:00:00Z", isLatest: false }),
	entry("com.example/alpha", "3.0.0-rc.1", { publishedAt: "2025-01-01T00:00:00Z", isLatest: false }),
	entry("Com.Example/Upper", "1.0.0", {
		description: "Uppercase name",
		extra: { title: "Upper", "x-unknown": { nested: [1, "two", null], flag: false } },
		meta: { "com.example/custom": { rank: 7, tags: ["a", "b"] } },
	}),
	entry("com.example/beta", "1.0.0", { description: "Beta server", isLatest: false }),
	entry("com.example/beta", "1.1.0", { description: "Beta server", status: "deleted", isLatest: true }),
	entry("com.example/gone", "1.0.0", { status: "deleted" }),
	entry("com.example/gone", "2.0.0", { status: "deleted" }),
	entry("com.example/search-me", "0.1.0", { description: "Finds FOO BAR things" }),
	entry("com.example/forecast", "1.0.0", {
		description: "Weather for tomorrow",
		publishedAt: "2025-06-01T02:00:00+02:00",
	}),
	entry("io.github.a/b", "1.0.0"),
	entry("io.github.a-b/c", "1.0.0"),
	entry("io.github.a.b/c", "1.0.0"),
	entry("com.example/deprecated", "1.0.0", { status: "deprecated", statusMessage: "Use com.example/alpha" }),
]);

/** The visible (non-deleted) entries in code-unit order of name, then version. */
const VISIBLE = [
	"Com.Example/Upper@1.0.0",
	"com.example/alpha@1.10.0",
	"com.example/alpha@1.9.0",
	"com.example/alpha@2.0.0",
	"com.example/alpha@3.0.0-rc.1",
	"com.example/beta@1.0.0",
	"com.example/deprecated@1.0.0",
	"com.example/forecast@1.0.0",
	"com.example/search-me@0.1.0",
	"io.github.a-b/c@1.0.0",
	"io.github.a.b/c@1.0.0",
	"io.github.a/b@1.0.0",
	"io.github.user/weather@1.0.0",
	"io.github.user/weather@1.0.0+20130313144700",
];

const ALL = [
	"Com.Example/Upper@1.0.0",
	"com.example/alpha@1.10.0",
	"com.example/alpha@1.9.0",
	"com.example/alpha@2.0.0",
	"com.example/alpha@3.0.0-rc.1",
	"com.example/beta@1.0.0",
	"com.example/beta@1.1.0",
	"com.example/deprecated@1.0.0",
	"com.example/forecast@1.0.0",
	"com.example/gone@1.0.0",
	"com.example/gone@2.0.0",
	"com.example/search-me@0.1.0",
	"io.github.a-b/c@1.0.0",
	"io.github.a.b/c@1.0.0",
	"io.github.a/b@1.0.0",
	"io.github.user/weather@1.0.0",
	"io.github.user/weather@1.0.0+20130313144700",
	"io.github.user/weather-old@0.9.0",
];

/** Entries for updated_since: updatedAt around 2025-03-01T00:00:00Z, down to the nanosecond. */
const SINCE = registryDoc([
	entry("io.test/t1", "1.0.0", { publishedAt: "2025-01-01T00:00:00Z", updatedAt: "2025-03-01T00:00:00Z" }),
	entry("io.test/t2", "1.0.0", {
		publishedAt: "2025-01-01T00:00:00Z",
		updatedAt: "2025-03-01T00:00:00.000000001Z",
	}),
	entry("io.test/t3", "1.0.0", { publishedAt: "2025-01-01T00:00:00Z", updatedAt: "2025-03-01T00:00:00.5Z" }),
	entry("io.test/t4", "1.0.0", {
		publishedAt: "2025-01-01T00:00:00Z",
		updatedAt: "2025-02-28T23:59:59.999999999Z",
	}),
	entry("io.test/t5", "1.0.0", {
		publishedAt: "2025-01-01T00:00:00Z",
		updatedAt: "2025-04-01T00:00:00Z",
		status: "deleted",
	}),
]);

const bulkName = (i: number) => `io.github.bulk/s${String(i).padStart(2, "0")}`;
/** 35 entries: more than the default page. */
const BULK = registryDoc(Array.from({ length: 35 }, (_, i) => entry(bulkName(34 - i), "1.0.0")));

const ids = (body: unknown) => (body as ListBody).servers.map((s) => `${s.server.name}@${s.server.version}`);

let list: ApiTarget;
let since: ApiTarget;
let bulk: ApiTarget;

beforeAll(() => {
	list = createApiApp(LIST);
	since = createApiApp(SINCE);
	bulk = createApiApp(BULK);
});

async function page(srv: ApiTarget, query: string, prefix = "/v0.1") {
	const r = await getJson(srv, `${prefix}/servers${query}`);
	return { status: r.res.status, res: r.res, text: r.text, body: r.body as ListBody };
}

/** Follows nextCursor to the end, checking each page's shape; returns every item seen. */
async function walk(srv: ApiTarget, filter: string, limit: number, prefix = "/v0.1"): Promise<string[]> {
	const seen: string[] = [];
	let cursor: string | undefined;
	for (let pages = 0; pages < 200; pages++) {
		const q = `?limit=${limit}${filter ? `&${filter}` : ""}${cursor ? `&cursor=${cursor}` : ""}`;
		const { status, body } = await page(srv, q, prefix);
		expect(status).toBe(200);
		expect(body.metadata.count).toBe(body.servers.length);
		expect(body.servers.length).toBeLessThanOrEqual(limit);
		seen.push(...ids(body));
		cursor = body.metadata.nextCursor;
		if (cursor === undefined) return seen;
		// More follows, so this page must be full and the cursor usable as-is in a URL.
		expect(body.servers.length).toBe(limit);
		expect(cursor).toMatch(URL_SAFE);
	}
	throw new Error("pagination did not end");
}

const problemText = (status: number, title: string, detail: string, errors?: unknown[]) =>
	JSON.stringify({ title, status, detail, ...(errors ? { errors } : {}) });

async function expectProblem(
	target: ApiTarget,
	path: string,
	status: number,
	detail: string,
	errors?: unknown[],
): Promise<Record<string, unknown>> {
	const { res, text, body } = await getJson(target, path);
	expect(res.status).toBe(status);
	expect(res.headers.get("content-type")).toBe("application/problem+json");
	const title = { 400: "Bad Request", 404: "Not Found", 422: "Unprocessable Entity" }[status] ?? "?";
	const b = body as Record<string, unknown>;
	if (errors) {
		expect(text.trim()).toBe(problemText(status, title, detail, errors));
	} else {
		expect(b.title).toBe(title);
		expect(b.status).toBe(status);
		expect(b.detail).toBe(detail);
		expect(Object.keys(b).slice(0, 3)).toEqual(["title", "status", "detail"]);
	}
	return b;
}

describe("GET {p}/servers: limit", () => {
	test("default page is 30 items with a nextCursor when more follow", async () => {
		for (const prefix of PREFIXES) {
			const { status, res, body } = await page(bulk, "", prefix);
			expect(status).toBe(200);
			expect(res.headers.get("content-type")).toBe("application/json");
			expect(body.servers).toHaveLength(30);
			expect(body.metadata.count).toBe(30);
			expect(body.metadata.nextCursor).toBeString();
			expect(ids(body)[0]).toBe(`${bulkName(0)}@1.0.0`);
			expect(ids(body)[29]).toBe(`${bulkName(29)}@1.0.0`);
		}
	});

	test("an empty value means the default", async () => {
		const { status, body } = await page(bulk, "?limit=");
		expect(status).toBe(200);
		expect(body.metadata.count).toBe(30);
	});

	test("1 and 100 are accepted; a page exactly as large as what remains has no nextCursor", async () => {
		const one = await page(bulk, "?limit=1");
		expect(one.status).toBe(200);
		expect(ids(one.body)).toEqual([`${bulkName(0)}@1.0.0`]);
		expect(one.body.metadata).toEqual({ count: 1, nextCursor: expect.any(String) });

		const hundred = await page(bulk, "?limit=100");
		expect(hundred.status).toBe(200);
		expect(hundred.body.metadata).toEqual({ count: 35 });
		expect(ids(hundred.body)).toEqual(Array.from({ length: 35 }, (_, i) => `${bulkName(i)}@1.0.0`));

		const exact = await page(bulk, "?limit=35");
		expect(exact.body.metadata).toEqual({ count: 35 });
		const oneShort = await page(bulk, "?limit=34");
		expect(oneShort.body.metadata.count).toBe(34);
		expect(oneShort.body.metadata.nextCursor).toBeString();
	});

	test("limit=abc → 422 problem with the exact body, fields in order", async () => {
		await expectProblem(bulk, "/v0.1/servers?limit=abc", 422, "validation failed", [
			{ message: "invalid integer", location: "query.limit", value: "abc" },
		]);
	});

	test("limit=1.5 → 422 invalid integer", async () => {
		await expectProblem(bulk, "/v0/servers?limit=1.5", 422, "validation failed", [
			{ message: "invalid integer", location: "query.limit", value: "1.5" },
		]);
	});

	test("limit=0 and limit=-1 → 422 expected number >= 1", async () => {
		await expectProblem(bulk, "/v0.1/servers?limit=0", 422, "validation failed", [
			{ message: "expected number >= 1", location: "query.limit", value: 0 },
		]);
		await expectProblem(bulk, "/v0.1/servers?limit=-1", 422, "validation failed", [
			{ message: "expected number >= 1", location: "query.limit", value: -1 },
		]);
	});

	test("limit=101 → 422 expected number <= 100", async () => {
		await expectProblem(bulk, "/v0.1/servers?limit=101", 422, "validation failed", [
			{ message: "expected number <= 100", location: "query.limit", value: 101 },
		]);
	});

	test("the first occurrence of a repeated parameter wins", async () => {
		const a = await page(bulk, "?limit=2&limit=5");
		expect(a.status).toBe(200);
		expect(a.body.metadata.count).toBe(2);
		const b = await page(bulk, "?limit=2&limit=abc");
		expect(b.status).toBe(200);
		expect(b.body.metadata.count).toBe(2);
		const c = await page(bulk, "?limit=abc&limit=2");
		expect(c.status).toBe(422);
		const d = await page(list, "?search=upper&search=alpha");
		expect(ids(d.body)).toEqual(["Com.Example/Upper@1.0.0"]);
	});

	test("unknown parameters are ignored", async () => {
		const plain = await page(bulk, "?limit=3");
		const extra = await page(bulk, "?foo=bar&limit=3&x=&page=9&sort=desc");
		expect(extra.status).toBe(200);
		expect(extra.text).toBe(plain.text);
	});
});

describe("GET {p}/servers: body, order and filters", () => {
	test("order: by name then version, code-unit comparison; deleted hidden by default", async () => {
		const { status, body } = await page(list, "?limit=100");
		expect(status).toBe(200);
		expect(ids(body)).toEqual(VISIBLE);
		expect(body.metadata).toEqual({ count: VISIBLE.length });
	});

	test("include_deleted=true shows deleted entries in order; false hides them", async () => {
		const shown = await page(list, "?limit=100&include_deleted=true");
		expect(ids(shown.body)).toEqual(ALL);
		const deleted = shown.body.servers.filter((s) => s._meta[OFFICIAL]?.status === "deleted");
		expect(deleted.map((s) => `${s.server.name}@${s.server.version}`)).toEqual([
			"com.example/beta@1.1.0",
			"com.example/gone@1.0.0",
			"com.example/gone@2.0.0",
			"io.github.user/weather-old@0.9.0",
		]);
		const hidden = await page(list, "?limit=100&include_deleted=false");
		expect(ids(hidden.body)).toEqual(VISIBLE);
	});

	test("include_deleted with a non-boolean value → 422 at query.include_deleted", async () => {
		const b = await expectProblem(list, "/v0.1/servers?include_deleted=maybe", 422, "validation failed");
		expect(b.errors).toEqual([
			{ message: expect.any(String), location: "query.include_deleted", value: "maybe" },
		]);
	});

	test("each item is the server document as loaded plus the official metadata", async () => {
		const { body } = await page(list, "?limit=100");
		const upper = body.servers[0] as ServerItem;
		// Unknown fields are kept verbatim, other _meta keys served unchanged beside the official one.
		expect(upper.server as Record<string, unknown>).toEqual(
			(LIST.servers[7] as { server: unknown }).server as Record<string, unknown>,
		);
		expect(upper.server["x-unknown"]).toEqual({ nested: [1, "two", null], flag: false });
		expect(upper._meta["com.example/custom"]).toEqual({ rank: 7, tags: ["a", "b"] });
		const official = upper._meta[OFFICIAL] as Record<string, unknown>;
		expect(official).toEqual({
			status: "active",
			statusChangedAt: "2025-06-01T00:00:00Z",
			publishedAt: "2025-06-01T00:00:00Z",
			updatedAt: "2025-06-01T00:00:00Z",
			isLatest: true,
		});
		expect("statusMessage" in official).toBe(false);

		const deprecated = body.servers.find((s) => s.server.name === "com.example/deprecated") as ServerItem;
		expect(deprecated._meta[OFFICIAL]?.status).toBe("deprecated");
		expect(deprecated._meta[OFFICIAL]?.statusMessage).toBe("Use com.example/alpha");

		// Timestamps are served as RFC 3339 UTC even when the file had an offset.
		const forecast = body.servers.find((s) => s.server.name === "com.example/forecast") as ServerItem;
		expect(forecast._meta[OFFICIAL]?.publishedAt).toBe("2025-06-01T00:00:00Z");
		expect(forecast._meta[OFFICIAL]?.updatedAt).toBe("2025-06-01T00:00:00Z");

		// isLatest is a boolean on every item: the flagged one true, the others false.
		for (const s of body.servers) expect(typeof s._meta[OFFICIAL]?.isLatest).toBe("boolean");
		const alphaLatest = body.servers
			.filter((s) => s.server.name === "com.example/alpha" && s._meta[OFFICIAL]?.isLatest === true)
			.map((s) => s.server.version);
		expect(alphaLatest).toEqual(["2.0.0"]);
	});

	test("search matches the name case-insensitively", async () => {
		const { body } = await page(list, "?search=UPPER");
		expect(ids(body)).toEqual(["Com.Example/Upper@1.0.0"]);
		const alpha = await page(list, "?search=Example%2FAlpha");
		expect(ids(alpha.body)).toEqual([
			"com.example/alpha@1.10.0",
			"com.example/alpha@1.9.0",
			"com.example/alpha@2.0.0",
			"com.example/alpha@3.0.0-rc.1",
		]);
	});

	test("search matches the description case-insensitively, '+' in the query is a space", async () => {
		const plus = await page(list, "?search=foo+bar");
		expect(plus.status).toBe(200);
		expect(ids(plus.body)).toEqual(["com.example/search-me@0.1.0"]);
		const encoded = await page(list, "?search=FOO%20Bar");
		expect(ids(encoded.body)).toEqual(["com.example/search-me@0.1.0"]);
		const joined = await page(list, "?search=foobar");
		expect(joined.body.servers).toEqual([]);
		// "weather": one description-only match, two name matches; the deleted one is hidden.
		const weather = await page(list, "?search=WEATHER");
		expect(ids(weather.body)).toEqual([
			"com.example/forecast@1.0.0",
			"io.github.user/weather@1.0.0",
			"io.github.user/weather@1.0.0+20130313144700",
		]);
	});

	test("an empty search means no filter", async () => {
		const { body } = await page(list, "?search=&limit=100");
		expect(ids(body)).toEqual(VISIBLE);
	});

	test("nothing matching → servers is [] (not null) and count 0, no nextCursor", async () => {
		const { status, text, body } = await page(list, "?search=no-such-thing-anywhere");
		expect(status).toBe(200);
		expect(body).toEqual({ servers: [], metadata: { count: 0 } });
		expect(text).toContain('"servers":[]');
		const v = await page(list, "?version=9.9.9");
		expect(v.body).toEqual({ servers: [], metadata: { count: 0 } });
	});

	test("version=latest keeps only the latest version of each name (deleted latest hidden)", async () => {
		const { body } = await page(list, "?version=latest&limit=100");
		expect(ids(body)).toEqual([
			"Com.Example/Upper@1.0.0",
			"com.example/alpha@2.0.0",
			"com.example/deprecated@1.0.0",
			"com.example/forecast@1.0.0",
			"com.example/search-me@0.1.0",
			"io.github.a-b/c@1.0.0",
			"io.github.a.b/c@1.0.0",
			"io.github.a/b@1.0.0",
			"io.github.user/weather@1.0.0+20130313144700",
		]);
		for (const s of body.servers) expect(s._meta[OFFICIAL]?.isLatest).toBe(true);
		const withDeleted = await page(list, "?version=latest&limit=100&include_deleted=true");
		expect(ids(withDeleted.body)).toContain("com.example/beta@1.1.0");
		expect(ids(withDeleted.body)).toContain("com.example/gone@2.0.0");
		expect(ids(withDeleted.body)).not.toContain("com.example/gone@1.0.0");
	});

	test("version=<exact> keeps exactly that version", async () => {
		const { body } = await page(list, "?version=1.0.0&limit=100");
		expect(ids(body)).toEqual([
			"Com.Example/Upper@1.0.0",
			"com.example/beta@1.0.0",
			"com.example/deprecated@1.0.0",
			"com.example/forecast@1.0.0",
			"io.github.a-b/c@1.0.0",
			"io.github.a.b/c@1.0.0",
			"io.github.a/b@1.0.0",
			"io.github.user/weather@1.0.0",
		]);
		const plus = await page(list, "?version=1.0.0%2B20130313144700");
		expect(ids(plus.body)).toEqual(["io.github.user/weather@1.0.0+20130313144700"]);
		const ten = await page(list, "?version=1.10.0");
		expect(ids(ten.body)).toEqual(["com.example/alpha@1.10.0"]);
	});

	test("filters combine: search + version=latest", async () => {
		const { body } = await page(list, "?search=weather&version=latest");
		expect(ids(body)).toEqual(["com.example/forecast@1.0.0", "io.github.user/weather@1.0.0+20130313144700"]);
	});
});

describe("GET {p}/servers: updated_since", () => {
	const t = (...n: number[]) => n.map((i) => `io.test/t${i}@1.0.0`);

	test("keeps entries updated strictly after the time (equal is excluded), deleted included", async () => {
		const { status, body } = await page(since, "?updated_since=2025-03-01T00:00:00Z");
		expect(status).toBe(200);
		expect(ids(body)).toEqual(t(2, 3, 5));
		const zeros = await page(since, "?updated_since=2025-03-01T00:00:00.000000000Z");
		expect(ids(zeros.body)).toEqual(t(2, 3, 5));
	});

	test("nanosecond fractions compare exactly", async () => {
		const ns = await page(since, "?updated_since=2025-03-01T00:00:00.000000001Z");
		expect(ids(ns.body)).toEqual(t(3, 5));
		const before = await page(since, "?updated_since=2025-02-28T23:59:59.999999998Z");
		expect(ids(before.body)).toEqual(t(1, 2, 3, 4, 5));
		const at4 = await page(since, "?updated_since=2025-02-28T23:59:59.999999999Z");
		expect(ids(at4.body)).toEqual(t(1, 2, 3, 5));
		const half = await page(since, "?updated_since=2025-03-01T00:00:00.499999999Z");
		expect(ids(half.body)).toEqual(t(3, 5));
		const atHalf = await page(since, "?updated_since=2025-03-01T00:00:00.5Z");
		expect(ids(atHalf.body)).toEqual(t(5));
	});

	test("an offset (+02:00 written %2B02:00, or -05:00) means the same instant", async () => {
		const plus = await page(since, "?updated_since=2025-03-01T02:00:00%2B02:00");
		expect(plus.status).toBe(200);
		expect(ids(plus.body)).toEqual(t(2, 3, 5));
		const minus = await page(since, "?updated_since=2025-02-28T19:00:00-05:00");
		expect(ids(minus.body)).toEqual(t(2, 3, 5));
	});

	const INVALID = "Invalid updated_since format: expected RFC3339 timestamp (e.g., 2025-08-07T13:15:04.280Z)";

	test("invalid → 400 with the exact detail", async () => {
		for (const v of [
			"yesterday",
			"2025-03-01",
			"2025-13-01T00:00:00Z",
			"2025-02-30T00:00:00Z",
			"2025-03-01T00:00:00",
			// A literal '+' is a space in a query string, so this is not a timestamp.
			"2025-03-01T02:00:00+02:00",
		]) {
			const b = await expectProblem(since, `/v0.1/servers?updated_since=${v}`, 400, INVALID);
			expect(b.errors).toBeUndefined();
			expect(Object.keys(b)).toEqual(["title", "status", "detail"]);
		}
	});

	test("updated_since forces include_deleted; include_deleted=false with it → 400", async () => {
		const forced = await page(since, "?updated_since=2025-03-15T00:00:00Z");
		expect(ids(forced.body)).toEqual(t(5));
		const explicit = await page(since, "?updated_since=2025-03-15T00:00:00Z&include_deleted=true");
		expect(ids(explicit.body)).toEqual(t(5));
		await expectProblem(
			since,
			"/v0.1/servers?updated_since=2025-03-15T00:00:00Z&include_deleted=false",
			400,
			"Cannot set include_deleted=false when using updated_since (incremental sync requires deleted servers)",
		);
	});

	test("without updated_since, the deleted entry stays hidden", async () => {
		const { body } = await page(since, "");
		expect(ids(body)).toEqual(t(1, 2, 3, 4));
	});
});

describe("GET {p}/servers: pagination", () => {
	const FILTERS = [
		"",
		"search=example",
		"search=weather",
		"version=latest",
		"version=1.0.0",
		"include_deleted=true",
		"updated_since=2025-02-01T00:00:00Z",
		"search=a&include_deleted=true",
	];

	for (const limit of [1, 2, 3, 7]) {
		test(`walking with limit=${limit} sees every entry exactly once, with and without filters`, async () => {
			for (const filter of FILTERS) {
				const whole = await page(list, `?limit=100${filter ? `&${filter}` : ""}`);
				expect(whole.status).toBe(200);
				expect(whole.body.metadata.nextCursor).toBeUndefined();
				const walked = await walk(list, filter, limit);
				expect(walked).toEqual(ids(whole.body));
				expect(new Set(walked).size).toBe(walked.length);
			}
			// The known totals, so the single-page reference is itself checked.
			expect(await walk(list, "", limit)).toEqual(VISIBLE);
			expect(await walk(list, "include_deleted=true", limit, "/v0")).toEqual(ALL);
		});
	}

	test("an exactly full last page has no nextCursor (plain, and with a search filter)", async () => {
		// 14 visible entries; the deleted one at the end must not produce a cursor.
		const two = await page(list, "?limit=7");
		expect(two.body.metadata.nextCursor).toBeString();
		const last = await page(list, `?limit=7&cursor=${two.body.metadata.nextCursor}`);
		expect(last.body.metadata).toEqual({ count: 7 });
		const whole = await page(list, `?limit=${VISIBLE.length}`);
		expect(whole.body.metadata).toEqual({ count: VISIBLE.length });

		// search=weather matches 3 visible entries, then a deleted one.
		const search = await page(list, "?search=weather&limit=3");
		expect(search.body.metadata).toEqual({ count: 3 });
		const searchFirst = await page(list, "?search=weather&limit=2");
		expect(searchFirst.body.metadata.nextCursor).toBeString();
		const searchLast = await page(
			list,
			`?search=weather&limit=1&cursor=${searchFirst.body.metadata.nextCursor}`,
		);
		expect(ids(searchLast.body)).toEqual(["io.github.user/weather@1.0.0+20130313144700"]);
		expect(searchLast.body.metadata).toEqual({ count: 1 });
		// With deleted entries included there is one more, so the full page now has a cursor.
		const withDeleted = await page(list, "?search=weather&limit=3&include_deleted=true");
		expect(withDeleted.body.metadata.nextCursor).toBeString();
		const rest = await page(
			list,
			`?search=weather&limit=3&include_deleted=true&cursor=${withDeleted.body.metadata.nextCursor}`,
		);
		expect(ids(rest.body)).toEqual(["io.github.user/weather-old@0.9.0"]);
		expect(rest.body.metadata).toEqual({ count: 1 });
	});

	test("nextCursor is URL-safe and works appended to the URL without encoding", async () => {
		const first = await page(list, "?limit=4");
		const cursor = first.body.metadata.nextCursor as string;
		expect(cursor).toMatch(URL_SAFE);
		expect(encodeURIComponent(cursor)).toBe(cursor);
		const next = await page(list, `?limit=4&cursor=${cursor}`);
		expect(ids(next.body)).toEqual(VISIBLE.slice(4, 8));
		// The same cursor works under the other prefix.
		const other = await page(list, `?cursor=${cursor}&limit=4`, "/v0");
		expect(other.text).toBe(next.text);
	});

	test("the upstream cursor form name:version (URL-encoded) is accepted", async () => {
		const { status, body } = await page(
			list,
			`?limit=3&cursor=${encodeURIComponent("com.example/alpha:1.9.0")}`,
		);
		expect(status).toBe(200);
		expect(ids(body)).toEqual([
			"com.example/alpha@2.0.0",
			"com.example/alpha@3.0.0-rc.1",
			"com.example/beta@1.0.0",
		]);
		// What the upstream registry itself returns as nextCursor works too.
		const upstream = await page(list, "?limit=2&cursor=io.github.user%2Fweather%3A1.0.0");
		expect(ids(upstream.body)).toEqual(["io.github.user/weather@1.0.0+20130313144700"]);
		expect(upstream.body.metadata).toEqual({ count: 1 });
	});

	test("a bare name as the cursor: items with a greater name", async () => {
		const { status, body } = await page(list, `?limit=2&cursor=${encodeURIComponent("com.example/alpha")}`);
		expect(status).toBe(200);
		expect(ids(body)).toEqual(["com.example/beta@1.0.0", "com.example/deprecated@1.0.0"]);
	});

	test("any cursor string is accepted, as upstream: a bare name lists the items with a greater name", async () => {
		const uuid = "3f1c2b7e-8d4a-4c1e-9b3a-1f2e3d4c5b6a";
		for (const c of ["not-a-cursor", "%21%21%21", "Zm9vOmJhcg", "abc", "zzz", uuid, "com.example/beta"]) {
			const { status, body } = await page(list, `?cursor=${c}`);
			const bare = decodeURIComponent(c);
			expect([c, status]).toEqual([c, 200]);
			expect([c, ids(body)]).toEqual([c, VISIBLE.filter((id) => (id.split("@")[0] as string) > bare)]);
		}
		// Without a "/" and with a ":", it is the upstream name:version form.
		const { status, body } = await page(list, "?cursor=zzz%3A1.0.0");
		expect(status).toBe(200);
		expect(ids(body)).toEqual([]);
	});

	test("our cursor carries its query: a page asked with the cursor alone keeps the search and version", async () => {
		const first = await page(list, "?search=weather&version=latest&limit=1");
		expect(first.body.metadata.nextCursor).toBeString();
		const all = ids((await page(list, "?search=weather&version=latest&limit=100")).body);
		expect(all.length).toBeGreaterThan(1);
		let cursor = first.body.metadata.nextCursor;
		const seen = ids(first.body);
		while (cursor !== undefined) {
			// Only the cursor, as VS Code asks for the pages after the first (not URL-encoded).
			const next = await page(list, `?limit=1&cursor=${cursor}`);
			expect(next.status).toBe(200);
			seen.push(...ids(next.body));
			cursor = next.body.metadata.nextCursor;
		}
		expect(seen).toEqual(all);
		// A value the request gives wins over the cursor's.
		const other = await page(list, `?search=alpha&limit=100&cursor=${first.body.metadata.nextCursor}`);
		expect(ids(other.body).every((id) => id.includes("alpha"))).toBe(true);
		// include_deleted and updated_since are carried too.
		const deleted = await page(list, "?search=weather&include_deleted=true&limit=3");
		const rest = await page(list, `?limit=3&cursor=${deleted.body.metadata.nextCursor}`);
		expect(ids(rest.body)).toEqual(["io.github.user/weather-old@0.9.0"]);
	});

	test("a cursor stays valid across a reload: no duplicates, additions after it are seen", async () => {
		const names = (...n: string[]) => n.map((x) => entry(`io.github.reload/${x}`, "1.0.0"));
		const srv = createApiApp(registryDoc(names("a1", "a2", "a3", "a4", "a5")));
		const first = await page(srv, "?limit=2");
		expect(ids(first.body)).toEqual(["io.github.reload/a1@1.0.0", "io.github.reload/a2@1.0.0"]);
		const cursor = first.body.metadata.nextCursor as string;

		// a1 (already seen) removed; a25 (after the cursor) and a6 added.
		srv.swap(snapshotData(registryDoc(names("a2", "a25", "a3", "a4", "a5", "a6"))));
		const seen = [...ids(first.body)];
		let next: string | undefined = cursor;
		while (next) {
			const p = await page(srv, `?limit=2&cursor=${next}`);
			expect(p.status).toBe(200);
			seen.push(...ids(p.body));
			next = p.body.metadata.nextCursor;
		}
		expect(seen).toEqual(
			["a1", "a2", "a25", "a3", "a4", "a5", "a6"].map((x) => `io.github.reload/${x}@1.0.0`),
		);

		// The entry the cursor points at is itself removed: the page continues after where it was.
		srv.swap(snapshotData(registryDoc(names("a1", "a3", "a4"))));
		const after = await page(srv, `?limit=5&cursor=${cursor}`);
		expect(ids(after.body)).toEqual(["io.github.reload/a3@1.0.0", "io.github.reload/a4@1.0.0"]);
		expect(after.body.metadata).toEqual({ count: 2 });
	});
});
