import { describe, expect, test } from "bun:test";
import {
	decodeCursor,
	decodePathParam,
	encodeCursor,
	type ListParams,
	parseListParams,
	parseQuery,
} from "../../src/http/params.ts";
import type { Problem } from "../../src/http/problem.ts";

const UPDATED_SINCE_DETAIL =
	"Invalid updated_since format: expected RFC3339 timestamp (e.g., 2025-08-07T13:15:04.280Z)";
const DELETED_CONFLICT_DETAIL =
	"Cannot set include_deleted=false when using updated_since (incremental sync requires deleted servers)";

const list = (query: string) => parseListParams(parseQuery(query));

function params(query: string): ListParams {
	const r = list(query);
	if ("status" in r) throw new Error(`expected params for ${query}, got ${JSON.stringify(r)}`);
	return r;
}

function problem(query: string): Problem {
	const r = list(query);
	if (!("status" in r)) throw new Error(`expected a problem for ${query}, got ${JSON.stringify(r)}`);
	return r;
}

describe("decodePathParam", () => {
	test("single encoding of the slash", () => {
		expect(decodePathParam("io.github.user%2Fweather")).toEqual({ value: "io.github.user/weather" });
		expect(decodePathParam("io.github.user%2fweather")).toEqual({ value: "io.github.user/weather" });
	});

	test("double encoding of the slash", () => {
		expect(decodePathParam("io.github.user%252Fweather")).toEqual({ value: "io.github.user/weather" });
	});

	test("a plain segment is unchanged", () => {
		expect(decodePathParam("1.0.0")).toEqual({ value: "1.0.0" });
		expect(decodePathParam("latest")).toEqual({ value: "latest" });
	});

	test("a literal + stays +", () => {
		expect(decodePathParam("1.0.0+20130313144700")).toEqual({ value: "1.0.0+20130313144700" });
	});

	test("%2B is +, and a double-encoded %252B is + too", () => {
		expect(decodePathParam("1.0.0%2B20130313144700")).toEqual({ value: "1.0.0+20130313144700" });
		expect(decodePathParam("1.0.0%252B20130313144700")).toEqual({ value: "1.0.0+20130313144700" });
	});

	test("UTF-8 escapes decode", () => {
		expect(decodePathParam("caf%C3%A9")).toEqual({ value: "café" });
	});

	test("a single decode that leaves a % is decoded again, as upstream: a lone % is an error", () => {
		for (const raw of ["100%25", "a%25zz", "foo%25zz"]) {
			const r = decodePathParam(raw);
			expect([raw, "error" in r]).toEqual([raw, true]);
		}
		expect((decodePathParam("foo%25zz") as { error: string }).error).toBe('invalid URL escape "%zz"');
		expect(decodePathParam("a%2541")).toEqual({ value: "aA" });
	});

	test("a second decode that fails is an error", () => {
		const r = decodePathParam("%25zz%2541");
		expect("error" in r).toBe(true);
		expect((r as { error: string }).error).toContain("%zz");
	});

	test("a raw invalid escape is an error", () => {
		const r = decodePathParam("%zz");
		expect("error" in r).toBe(true);
		expect((r as { error: string }).error).toContain("%zz");
	});

	test("an escape that is not UTF-8 is an error", () => {
		expect("error" in decodePathParam("%FF")).toBe(true);
		expect("error" in decodePathParam("a%252Fb%25FF")).toBe(true);
	});

	test("a truncated escape is an error", () => {
		expect("error" in decodePathParam("abc%2")).toBe(true);
	});
});

describe("parseQuery", () => {
	test("empty query gives an empty map", () => {
		expect(parseQuery("").size).toBe(0);
	});

	test("the first occurrence of a parameter wins", () => {
		const q = parseQuery("limit=5&limit=10&search=a&search=b");
		expect(q.get("limit")).toBe("5");
		expect(q.get("search")).toBe("a");
	});

	test("+ is a space, %2B is a plus", () => {
		const q = parseQuery("search=hello+world&version=1.0.0%2Bbuild");
		expect(q.get("search")).toBe("hello world");
		expect(q.get("version")).toBe("1.0.0+build");
	});

	test("+ in a key is a space too", () => {
		expect(parseQuery("a+b=1").get("a b")).toBe("1");
	});

	test("a key without = reads as true", () => {
		const q = parseQuery("include_deleted&limit=3");
		expect(q.get("include_deleted")).toBe("true");
		expect(q.get("limit")).toBe("3");
	});

	test("an empty value is kept as the empty string", () => {
		const q = parseQuery("limit=&search=");
		expect(q.get("limit")).toBe("");
		expect(q.get("search")).toBe("");
	});

	test("an empty first occurrence still wins over a later one", () => {
		expect(parseQuery("limit=&limit=5").get("limit")).toBe("");
	});

	test("empty parts are skipped", () => {
		const q = parseQuery("&&limit=2&");
		expect([...q.keys()]).toEqual(["limit"]);
	});

	test("only the first = splits key and value", () => {
		expect(parseQuery("cursor=abc==").get("cursor")).toBe("abc==");
	});

	test("percent-escapes in keys and values decode", () => {
		const q = parseQuery("updated%5Fsince=2025-01-01T00%3A00%3A00Z");
		expect(q.get("updated_since")).toBe("2025-01-01T00:00:00Z");
	});

	test("a broken escape in a value is kept as an error for that parameter", () => {
		const q = parseQuery("search=%zz&limit=4");
		const v = q.get("search");
		expect(typeof v).toBe("object");
		expect((v as { error: string }).error).toContain("%zz");
		expect(q.get("limit")).toBe("4");
	});
});

describe("cursors", () => {
	const pairs: [string, string][] = [
		["io.github.user/weather", "1.0.0"],
		["io.github.user/weather", "1.0.0+20130313144700"],
		["io.github.user/weather", "1.0.0-rc.1+build.5"],
		["io.github.user/weather", "v:1:2"],
		["com.example/ünïcødé", "2.0.0-βeta"],
		["io.github.a/b", "emoji-🚀"],
		["io.github.a/b", ""],
		["a/b", "?&=#/ %"],
	];
	for (const [name, version] of pairs) {
		test(`round trip ${name} ${JSON.stringify(version)}`, () => {
			const c = encodeCursor(name, version);
			expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
			expect(decodeCursor(c)).toEqual({ name, version, carried: {} });
		});
	}

	test("encoded cursors have no padding and are URL-safe as they are", () => {
		// lengths 1..6 of the payload cover every padding case
		for (let n = 0; n < 6; n++) {
			const c = encodeCursor("io.github.a/b", "x".repeat(n));
			expect(c).not.toContain("=");
			expect(encodeURIComponent(c)).toBe(c);
		}
	});

	test("the cursor is base64url of name:version", () => {
		const c = encodeCursor("io.github.user/weather", "1.0.0");
		expect(Buffer.from(c, "base64url").toString("utf8")).toBe("io.github.user/weather:1.0.0");
	});

	test("the upstream name:version form is accepted, split at the first colon", () => {
		expect(decodeCursor("io.github.user/weather:1.0.0")).toEqual({
			name: "io.github.user/weather",
			version: "1.0.0",
			carried: {},
		});
		expect(decodeCursor("io.github.user/weather:1:2")).toEqual({
			name: "io.github.user/weather",
			version: "1:2",
			carried: {},
		});
		expect(decodeCursor("io.github.user/weather:")).toEqual({
			name: "io.github.user/weather",
			version: "",
			carried: {},
		});
	});

	test("a bare name has no version", () => {
		const c = decodeCursor("io.github.user/weather");
		expect(c).toEqual({ name: "io.github.user/weather", carried: {} });
		expect(c && "version" in c && c.version !== undefined).toBe(false);
	});

	test("any other string is accepted as upstream accepts it: a bare name, or name:version", () => {
		const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64url");
		for (const c of [
			"!!!",
			"abc def",
			"zzz",
			"3f1c2b7e-8d4a-4c1e-9b3a-1f2e3d4c5b6a",
			b64("no slash or colon"),
			b64("io.github.a/b-without-colon"),
			b64("noslash:1.0.0"),
			Buffer.from([0xff, 0xfe, 0xfd, 0x2f, 0x3a]).toString("base64url"),
		]) {
			expect([c, decodeCursor(c)]).toEqual([c, { name: c, carried: {} }]);
		}
		expect(decodeCursor("zzz:1")).toEqual({ name: "zzz", version: "1", carried: {} });
	});

	test("a cursor carries the query that produced it, and stays URL-safe", () => {
		const carried = {
			search: "a b&c=d/é",
			version: "latest",
			updated_since: "2025-01-01T00:00:00+02:00",
			include_deleted: "true",
		};
		const c = encodeCursor("io.github.a/b", "1.0.0", carried);
		expect(encodeURIComponent(c)).toBe(c);
		expect(decodeCursor(c)).toEqual({ name: "io.github.a/b", version: "1.0.0", carried });
		// Without a query it is the plain form, as before.
		expect(encodeCursor("io.github.a/b", "1.0.0", {})).toBe(encodeCursor("io.github.a/b", "1.0.0"));
		// Only the known parameters are read back.
		const forged = Buffer.from("io.github.a/b:1.0.0\nlimit=3&search=x", "utf8").toString("base64url");
		expect(decodeCursor(forged)).toEqual({
			name: "io.github.a/b",
			version: "1.0.0",
			carried: { search: "x" },
		});
	});
});

describe("parseListParams: limit", () => {
	test("default is 30", () => {
		expect(params("").limit).toBe(30);
	});

	test("empty value means not given", () => {
		expect(params("limit=").limit).toBe(30);
	});

	for (const n of [1, 2, 50, 99, 100]) {
		test(`limit=${n} is accepted`, () => {
			expect(params(`limit=${n}`).limit).toBe(n);
		});
	}

	const bad: [string, string, unknown][] = [
		["0", "expected number >= 1", 0],
		["-1", "expected number >= 1", -1],
		["101", "expected number <= 100", 101],
		["1000", "expected number <= 100", 1000],
		["abc", "invalid integer", "abc"],
		["1.5", "invalid integer", "1.5"],
		["1e2", "invalid integer", "1e2"],
		["0x10", "invalid integer", "0x10"],
	];
	for (const [raw, message, value] of bad) {
		test(`limit=${raw} → 422 ${message}`, () => {
			expect(problem(`limit=${raw}`)).toEqual({
				status: 422,
				detail: "validation failed",
				errors: [{ message, location: "query.limit", value }],
			});
		});
	}

	test("limit with a space (form-decoded +) is invalid", () => {
		const p = problem("limit=+5");
		expect(p.status).toBe(422);
		expect(p.errors?.[0]).toMatchObject({ message: "invalid integer", location: "query.limit" });
	});

	test("limit with a broken escape → 422 at query.limit", () => {
		const p = problem("limit=%zz");
		expect(p.status).toBe(422);
		expect(p.errors?.[0]?.location).toBe("query.limit");
	});
});

describe("parseListParams: include_deleted", () => {
	test("default false", () => {
		expect(params("").includeDeleted).toBe(false);
	});
	test("true", () => {
		expect(params("include_deleted=true").includeDeleted).toBe(true);
	});
	test("false", () => {
		expect(params("include_deleted=false").includeDeleted).toBe(false);
	});
	test("key alone reads as true", () => {
		expect(params("include_deleted").includeDeleted).toBe(true);
	});
	test("empty value means not given", () => {
		expect(params("include_deleted=").includeDeleted).toBe(false);
	});
	for (const raw of ["maybe", "yes", "2"]) {
		test(`include_deleted=${raw} → 422 invalid boolean`, () => {
			expect(problem(`include_deleted=${raw}`)).toEqual({
				status: 422,
				detail: "validation failed",
				errors: [{ message: "invalid boolean", location: "query.include_deleted", value: raw }],
			});
		});
	}
});

describe("parseListParams: updated_since", () => {
	test("valid timestamp becomes a key and forces includeDeleted", () => {
		const p = params("updated_since=2025-08-07T13:15:04.280Z");
		expect(p.updatedSince).toBe("2025-08-07T13:15:04.280000000Z");
		expect(p.includeDeleted).toBe(true);
	});

	test("an offset is normalised (the + of the offset must be %2B in a query)", () => {
		const p = params("updated_since=2025-08-07T15:15:04%2B02:00");
		expect(p.updatedSince).toBe("2025-08-07T13:15:04.000000000Z");
	});

	test("include_deleted=true with updated_since is fine", () => {
		const p = params("updated_since=2025-01-01T00:00:00Z&include_deleted=true");
		expect(p.includeDeleted).toBe(true);
		expect(p.updatedSince).toBe("2025-01-01T00:00:00.000000000Z");
	});

	for (const raw of ["yesterday", "2025-01-01", "2025-02-30T00:00:00Z", "2025-01-01T00:00:00"]) {
		test(`updated_since=${raw} → 400 with the exact detail`, () => {
			expect(problem(`updated_since=${encodeURIComponent(raw)}`)).toEqual({
				status: 400,
				detail: UPDATED_SINCE_DETAIL,
			});
		});
	}

	test("a + in the offset arriving as a space is invalid", () => {
		expect(problem("updated_since=2025-08-07T15:15:04+02:00")).toEqual({
			status: 400,
			detail: UPDATED_SINCE_DETAIL,
		});
	});

	test("include_deleted=false with updated_since → 400 with the exact detail", () => {
		expect(problem("updated_since=2025-01-01T00:00:00Z&include_deleted=false")).toEqual({
			status: 400,
			detail: DELETED_CONFLICT_DETAIL,
		});
		expect(problem("include_deleted=0&updated_since=2025-01-01T00:00:00Z")).toEqual({
			status: 400,
			detail: DELETED_CONFLICT_DETAIL,
		});
	});

	test("empty updated_since means not given", () => {
		const p = params("updated_since=&include_deleted=false");
		expect(p.updatedSince).toBeUndefined();
		expect(p.includeDeleted).toBe(false);
	});
});

describe("parseListParams: search, version, cursor, others", () => {
	test("search is lower-cased", () => {
		expect(params("search=WeaTHer").search).toBe("weather");
	});

	test("search is form-decoded", () => {
		expect(params("search=Hello+World").search).toBe("hello world");
	});

	test("empty search is no filter", () => {
		expect(params("search=").search).toBeUndefined();
		expect(params("").search).toBeUndefined();
	});

	test("version is passed through unchanged", () => {
		expect(params("version=latest").version).toBe("latest");
		expect(params("version=1.0.0%2Bbuild").version).toBe("1.0.0+build");
		expect(params("version=V1").version).toBe("V1");
		expect(params("").version).toBeUndefined();
	});

	test("cursor in our form decodes to a position", () => {
		const c = encodeCursor("io.github.a/b", "1.0.0");
		expect(params(`cursor=${c}`).cursor).toEqual({ name: "io.github.a/b", version: "1.0.0" });
	});

	test("cursor in the upstream form (URL-encoded) decodes to a position", () => {
		expect(params("cursor=io.github.a%2Fb%3A1.0.0").cursor).toEqual({
			name: "io.github.a/b",
			version: "1.0.0",
		});
	});

	test("no cursor string is a 422: any other string is a bare name", () => {
		expect(params("cursor=!!!").cursor).toEqual({ name: "!!!" });
		expect(params("cursor=zzz").cursor).toEqual({ name: "zzz" });
		expect(params("cursor=zzz%3A1").cursor).toEqual({ name: "zzz", version: "1" });
	});

	test("a cursor's carried query applies where the request omits it; what the request gives wins", () => {
		const c = encodeCursor("io.github.a/b", "1.0.0", { search: "weather", version: "latest" });
		expect(params(`cursor=${c}`)).toMatchObject({ search: "weather", version: "latest" });
		expect(params(`cursor=${c}&search=`)).toMatchObject({ search: "weather" });
		expect(params(`cursor=${c}&search=Other&version=1.0.0`)).toMatchObject({
			search: "other",
			version: "1.0.0",
			carried: { search: "other", version: "1.0.0" },
		});
		const since = encodeCursor("io.github.a/b", "1.0.0", { updated_since: "2025-01-01T00:00:00Z" });
		expect(params(`cursor=${since}`)).toMatchObject({ includeDeleted: true });
		expect(problem(`cursor=${since}&include_deleted=false`).status).toBe(400);
		const bad = encodeCursor("io.github.a/b", "1.0.0", { include_deleted: "maybe" });
		expect(problem(`cursor=${bad}`).errors?.[0]).toMatchObject({ location: "query.include_deleted" });
	});

	test("the next cursor carries the effective query", () => {
		expect(params("search=Foo&version=latest&include_deleted=1&limit=5").carried).toEqual({
			search: "foo",
			version: "latest",
			include_deleted: "true",
		});
		expect(params("limit=5").carried).toEqual({});
	});

	test("an empty cursor means not given", () => {
		expect(params("cursor=").cursor).toBeUndefined();
	});

	test("unknown parameters are ignored", () => {
		expect(params("foo=bar&limit=7&x")).toEqual({
			limit: 7,
			cursor: undefined,
			search: undefined,
			version: undefined,
			updatedSince: undefined,
			includeDeleted: false,
			carried: {},
		});
	});

	test("the first occurrence wins in the list parameters", () => {
		expect(params("limit=5&limit=abc").limit).toBe(5);
		expect(problem("limit=abc&limit=5").status).toBe(422);
	});

	test("several invalid parameters are reported together", () => {
		const p = problem("limit=abc&include_deleted=maybe&cursor=!!!");
		expect(p.status).toBe(422);
		expect(p.errors?.map((e) => e.location).sort()).toEqual(["query.include_deleted", "query.limit"].sort());
	});

	test("a 422 validation error comes before the updated_since 400", () => {
		const p = problem("limit=0&updated_since=nope");
		expect(p.status).toBe(422);
	});

	test("all parameters together", () => {
		expect(params("limit=10&search=Foo&version=latest&updated_since=2025-01-01T00:00:00.5Z")).toEqual({
			limit: 10,
			cursor: undefined,
			search: "foo",
			version: "latest",
			updatedSince: "2025-01-01T00:00:00.500000000Z",
			includeDeleted: true,
			carried: { search: "foo", version: "latest", updated_since: "2025-01-01T00:00:00.5Z" },
		});
	});
});

describe("the query a cursor carries is the query in effect", () => {
	test("spelling out a default (include_deleted=false) carries the same as leaving it out", () => {
		const a = parseListParams(parseQuery("limit=7&include_deleted=false"));
		const b = parseListParams(parseQuery("limit=7"));
		if ("status" in a || "status" in b) throw new Error("unexpected problem");
		expect(a.carried).toEqual(b.carried);
		expect(encodeCursor("x", "1", a.carried)).toBe(encodeCursor("x", "1", b.carried));
	});

	test("updated_since is carried in one spelling, and implies include_deleted", () => {
		const a = parseListParams(parseQuery("updated_since=2025-01-01T00:00:00Z"));
		const b = parseListParams(parseQuery("updated_since=2025-01-01T00:00:00.000Z&include_deleted=true"));
		if ("status" in a || "status" in b) throw new Error("unexpected problem");
		expect(a.carried).toEqual(b.carried);
		expect(a.carried.include_deleted).toBeUndefined();
	});
});
