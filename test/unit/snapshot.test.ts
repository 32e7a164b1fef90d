/**
 * Queries on a loaded snapshot: list order, paging, search, filters, versions and find.
 */
import { describe, expect, test } from "bun:test";
import { emptySnapshotData, type ListQuery, Snapshot, transferList } from "../../src/registry/snapshot.ts";
import {
	api,
	build,
	decoder,
	entries,
	item,
	type Obj,
	officialOf,
	server,
} from "../support/registry-docs.ts";

describe("list order", () => {
	test("by name then version, by code-unit comparison", () => {
		const data = build([
			server("io.github.b/x", "1.0.0"),
			server("io.github.a/x", "1.9.0"),
			server("io.github.B/x", "1.0.0"),
			server("io.github.a/x", "10.0.0"),
			server("Io.github.z/x", "1.0.0"),
			server("io.github.a/x", "1.10.0"),
			server("io.github.a-b/x", "1.0.0"),
			server("io.github.a/x", "1.0.0-rc"),
			server("io.github.a/x", "1.0.0"),
		]);
		const order = data.index.names.map((n, i) => `${n}@${data.index.versions[i]}`);
		expect(order).toEqual([
			"Io.github.z/x@1.0.0",
			"io.github.B/x@1.0.0",
			"io.github.a-b/x@1.0.0",
			"io.github.a/x@1.0.0",
			"io.github.a/x@1.0.0-rc",
			"io.github.a/x@1.10.0",
			"io.github.a/x@1.9.0",
			"io.github.a/x@10.0.0",
			"io.github.b/x@1.0.0",
		]);
		// the serialised entries follow the same order
		expect(entries(data).map((e) => `${(e.server as Obj).name}@${(e.server as Obj).version}`)).toEqual(order);
		expect(data.index.nameCount).toBe(5);
	});
});

/**
 * A small registry for the Snapshot tests (list order shown):
 *  0 io.github.acme/alpha 1.0.0  active     pub 01-01 upd 01-10
 *  1 io.github.acme/alpha 1.5.0  active     pub 03-01 upd 03-01
 *  2 io.github.acme/alpha 2.0.0  active     pub 02-01 upd 02-10   latest
 *  3 io.github.acme/beta  1.0.0  deleted    pub 01-05 upd 03-05   latest (only version)
 *  4 io.github.acme/gamma 0.1.0  deprecated pub 01-07 upd 02-20   latest, "Weather FORECAST tool"
 *  5 io.github.zed/delta  1.0.0  active     pub 01-01 upd 01-01   description "nothing here"
 *  6 io.github.zed/delta  1.1.0  deleted    pub 02-01 upd 02-01   latest (deleted)
 */
function registry(): Snapshot {
	const d = (md: string) => `2025-${md}T00:00:00Z`;
	const e = (name: string, version: string, official: Obj, extra: Obj = {}) =>
		item(server(name, version, extra), official);
	const data = build(
		api(
			e("io.github.zed/delta", "1.1.0", {
				status: "deleted",
				publishedAt: d("02-01"),
				updatedAt: d("02-01"),
			}),
			e("io.github.acme/alpha", "2.0.0", { publishedAt: d("02-01"), updatedAt: d("02-10") }),
			e("io.github.acme/beta", "1.0.0", {
				status: "deleted",
				publishedAt: d("01-05"),
				updatedAt: d("03-05"),
			}),
			e("io.github.acme/alpha", "1.0.0", { publishedAt: d("01-01"), updatedAt: d("01-10") }),
			e(
				"io.github.acme/gamma",
				"0.1.0",
				{ status: "deprecated", publishedAt: d("01-07"), updatedAt: d("02-20") },
				{ description: "Weather FORECAST tool" },
			),
			e(
				"io.github.zed/delta",
				"1.0.0",
				{ publishedAt: d("01-01"), updatedAt: d("01-01") },
				{ description: "nothing here" },
			),
			e("io.github.acme/alpha", "1.5.0", { publishedAt: d("03-01"), updatedAt: d("03-01") }),
		),
	);
	return new Snapshot(data);
}

const ALL = [
	"io.github.acme/alpha@1.0.0",
	"io.github.acme/alpha@1.5.0",
	"io.github.acme/alpha@2.0.0",
	"io.github.acme/beta@1.0.0",
	"io.github.acme/gamma@0.1.0",
	"io.github.zed/delta@1.0.0",
	"io.github.zed/delta@1.1.0",
];

describe("Snapshot.list", () => {
	const snap = registry();
	const ids = (items: number[]) => items.map((i) => `${snap.index.names[i]}@${snap.index.versions[i]}`);
	const q = (extra: Partial<ListQuery> = {}): ListQuery => ({ limit: 100, includeDeleted: false, ...extra });
	const run = (extra: Partial<ListQuery> = {}) => {
		const r = snap.list(q(extra));
		return { ids: ids(r.items), more: r.more };
	};

	test("the fixture is in the expected order", () => {
		expect(ids([0, 1, 2, 3, 4, 5, 6])).toEqual(ALL);
		expect(snap.count).toBe(7);
	});

	test("deleted entries are hidden by default", () => {
		expect(run()).toEqual({
			ids: [
				"io.github.acme/alpha@1.0.0",
				"io.github.acme/alpha@1.5.0",
				"io.github.acme/alpha@2.0.0",
				"io.github.acme/gamma@0.1.0",
				"io.github.zed/delta@1.0.0",
			],
			more: false,
		});
	});

	test("includeDeleted shows them", () => {
		expect(run({ includeDeleted: true })).toEqual({ ids: ALL, more: false });
	});

	test("limit cuts the page and says more follow", () => {
		expect(run({ limit: 2 })).toEqual({
			ids: ["io.github.acme/alpha@1.0.0", "io.github.acme/alpha@1.5.0"],
			more: true,
		});
	});

	test("a limit equal to the number of matches says no more", () => {
		expect(run({ limit: 5 }).more).toBe(false);
		expect(run({ limit: 4 }).more).toBe(true);
		expect(run({ limit: 7, includeDeleted: true }).more).toBe(false);
	});

	test("more is false when only hidden entries follow", () => {
		// after delta@1.0.0 only the deleted delta@1.1.0 remains
		expect(run({ limit: 1, after: { name: "io.github.acme/gamma", version: "0.1.0" } })).toEqual({
			ids: ["io.github.zed/delta@1.0.0"],
			more: false,
		});
	});

	test("after (name, version) is strictly after it", () => {
		expect(run({ after: { name: "io.github.acme/alpha", version: "1.5.0" } }).ids).toEqual([
			"io.github.acme/alpha@2.0.0",
			"io.github.acme/gamma@0.1.0",
			"io.github.zed/delta@1.0.0",
		]);
	});

	test("after a name alone skips every version of it", () => {
		expect(run({ after: { name: "io.github.acme/alpha" }, includeDeleted: true }).ids).toEqual([
			"io.github.acme/beta@1.0.0",
			"io.github.acme/gamma@0.1.0",
			"io.github.zed/delta@1.0.0",
			"io.github.zed/delta@1.1.0",
		]);
	});

	test("after a position that is not in the registry continues at the next one", () => {
		expect(run({ after: { name: "io.github.acme/alpha", version: "1.2" } }).ids[0]).toBe(
			"io.github.acme/alpha@1.5.0",
		);
		expect(run({ after: { name: "io.github.b" }, includeDeleted: true }).ids[0]).toBe(
			"io.github.zed/delta@1.0.0",
		);
		expect(run({ after: { name: "a" } }).ids[0]).toBe("io.github.acme/alpha@1.0.0");
		expect(run({ after: { name: "zzz" } })).toEqual({ ids: [], more: false });
	});

	test("paging with limit 1 visits every item once", () => {
		const seen: string[] = [];
		let after: ListQuery["after"];
		for (let guard = 0; guard < 20; guard++) {
			const r = snap.list(q({ limit: 1, after, includeDeleted: true }));
			seen.push(...ids(r.items));
			if (!r.more) break;
			const last = r.items[r.items.length - 1] as number;
			after = { name: snap.index.names[last] as string, version: snap.index.versions[last] as string };
		}
		expect(seen).toEqual(ALL);
	});

	test("search matches the name, case-insensitively", () => {
		expect(run({ search: "alpha" }).ids).toEqual([
			"io.github.acme/alpha@1.0.0",
			"io.github.acme/alpha@1.5.0",
			"io.github.acme/alpha@2.0.0",
		]);
		expect(run({ search: "zed/" }).ids).toEqual(["io.github.zed/delta@1.0.0"]);
	});

	test("search matches the description, case-insensitively", () => {
		expect(run({ search: "forecast" }).ids).toEqual(["io.github.acme/gamma@0.1.0"]);
		expect(run({ search: "weather forecast" }).ids).toEqual(["io.github.acme/gamma@0.1.0"]);
	});

	test("search does not match across the name/description boundary or across entries", () => {
		// name "...gamma" followed by description "Weather..."
		expect(run({ search: "gammaweather" }).ids).toEqual([]);
		expect(run({ search: "gamma weather" }).ids).toEqual([]);
		// description "A test server" of one entry followed by the next entry's name
		expect(run({ search: "serverio" }).ids).toEqual([]);
	});

	test("search with no match is empty", () => {
		expect(run({ search: "no such thing" })).toEqual({ ids: [], more: false });
	});

	test("search matching in both name and description lists the entry once", () => {
		const s = new Snapshot(build([server("io.github.a/echo", "1.0.0", { description: "echo echo echo" })]));
		expect(s.list(q({ search: "echo" })).items).toEqual([0]);
	});

	test("search respects deleted, limit and more", () => {
		expect(run({ search: "io.github", limit: 3 })).toEqual({
			ids: ["io.github.acme/alpha@1.0.0", "io.github.acme/alpha@1.5.0", "io.github.acme/alpha@2.0.0"],
			more: true,
		});
		expect(run({ search: "delta" })).toEqual({ ids: ["io.github.zed/delta@1.0.0"], more: false });
		expect(run({ search: "delta", includeDeleted: true, limit: 1 })).toEqual({
			ids: ["io.github.zed/delta@1.0.0"],
			more: true,
		});
		expect(run({ search: "beta" })).toEqual({ ids: [], more: false });
	});

	test("search with after", () => {
		expect(run({ search: "alpha", after: { name: "io.github.acme/alpha", version: "1.0.0" } }).ids).toEqual([
			"io.github.acme/alpha@1.5.0",
			"io.github.acme/alpha@2.0.0",
		]);
		expect(run({ search: "test server", after: { name: "io.github.acme/gamma" } }).ids).toEqual([]);
	});

	test("search stays aligned when lower-casing changes a description's length", () => {
		// "İ" (U+0130) lower-cases to two code units: later entries must still be found exactly
		const s = new Snapshot(
			build([
				server("io.github.a/first", "1.0.0", { description: `${"İ".repeat(30)} İstanbul` }),
				server("io.github.a/second", "1.0.0", { description: "plain" }),
				server("io.github.a/third", "1.0.0", { description: "target word" }),
			]),
		);
		const found = (term: string) => s.list(q({ search: term })).items.map((i) => s.index.names[i]);
		expect(found("target")).toEqual(["io.github.a/third"]);
		expect(found("plain")).toEqual(["io.github.a/second"]);
		expect(found("second")).toEqual(["io.github.a/second"]);
		expect(found("i̇stanbul")).toEqual(["io.github.a/first"]);
	});

	test("control characters 0 and 1 in a description do not break the search index", () => {
		const s = new Snapshot(
			build([
				server("io.github.a/one", "1.0.0", { description: "a\u0000b\u0001c" }),
				server("io.github.a/two", "1.0.0", { description: "needle" }),
			]),
		);
		expect(s.list(q({ search: "needle" })).items.map((i) => s.index.names[i])).toEqual(["io.github.a/two"]);
		expect(s.list(q({ search: "a b c" })).items.map((i) => s.index.names[i])).toEqual(["io.github.a/one"]);
	});

	test("an empty search is no filter", () => {
		expect(run({ search: "" }).ids).toHaveLength(5);
	});

	test("version latest: only the latest of each name, deleted hidden unless asked", () => {
		expect(run({ version: "latest" }).ids).toEqual([
			"io.github.acme/alpha@2.0.0",
			"io.github.acme/gamma@0.1.0",
		]);
		expect(run({ version: "latest", includeDeleted: true }).ids).toEqual([
			"io.github.acme/alpha@2.0.0",
			"io.github.acme/beta@1.0.0",
			"io.github.acme/gamma@0.1.0",
			"io.github.zed/delta@1.1.0",
		]);
	});

	test("version exact match", () => {
		expect(run({ version: "1.0.0" }).ids).toEqual([
			"io.github.acme/alpha@1.0.0",
			"io.github.zed/delta@1.0.0",
		]);
		expect(run({ version: "1.0.0", includeDeleted: true }).ids).toEqual([
			"io.github.acme/alpha@1.0.0",
			"io.github.acme/beta@1.0.0",
			"io.github.zed/delta@1.0.0",
		]);
		expect(run({ version: "9.9.9" }).ids).toEqual([]);
		// no semver normalisation: v1.0.0 is not 1.0.0
		expect(run({ version: "v1.0.0" }).ids).toEqual([]);
	});

	test("updatedSince keeps entries updated strictly after it", () => {
		// alpha@2.0.0 was updated exactly at 02-10: excluded
		expect(run({ updatedSince: "2025-02-10T00:00:00.000000000Z", includeDeleted: true }).ids).toEqual([
			"io.github.acme/alpha@1.5.0",
			"io.github.acme/beta@1.0.0",
			"io.github.acme/gamma@0.1.0",
		]);
		expect(run({ updatedSince: "2025-02-09T23:59:59.999999999Z", includeDeleted: true }).ids).toEqual([
			"io.github.acme/alpha@1.5.0",
			"io.github.acme/alpha@2.0.0",
			"io.github.acme/beta@1.0.0",
			"io.github.acme/gamma@0.1.0",
		]);
		expect(run({ updatedSince: "2025-12-31T00:00:00.000000000Z", includeDeleted: true }).ids).toEqual([]);
	});

	test("filters combine", () => {
		expect(
			run({
				search: "acme",
				version: "latest",
				updatedSince: "2025-02-15T00:00:00.000000000Z",
				includeDeleted: true,
			}).ids,
		).toEqual(["io.github.acme/beta@1.0.0", "io.github.acme/gamma@0.1.0"]);
	});

	test("an empty snapshot lists nothing", () => {
		const empty = new Snapshot(emptySnapshotData("none"));
		expect(empty.count).toBe(0);
		expect(empty.list(q({ includeDeleted: true }))).toEqual({ items: [], more: false });
		expect(empty.list(q({ search: "x" }))).toEqual({ items: [], more: false });
		expect(empty.versions("io.github.a/b", true)).toBeUndefined();
		expect(empty.find("io.github.a/b", "latest", true)).toBeUndefined();
	});
});

describe("Snapshot.versions and Snapshot.find", () => {
	const snap = registry();
	const ids = (items: number[] | undefined) => items?.map((i) => snap.index.versions[i]);
	const at = (i: number | undefined) =>
		i === undefined ? undefined : `${snap.index.names[i]}@${snap.index.versions[i]}`;

	test("versions: newest publishedAt first", () => {
		// published: 1.5.0 03-01, 2.0.0 02-01, 1.0.0 01-01
		expect(ids(snap.versions("io.github.acme/alpha", false))).toEqual(["1.5.0", "2.0.0", "1.0.0"]);
	});

	test("versions: deleted hidden unless asked", () => {
		expect(ids(snap.versions("io.github.zed/delta", false))).toEqual(["1.0.0"]);
		expect(ids(snap.versions("io.github.zed/delta", true))).toEqual(["1.1.0", "1.0.0"]);
	});

	test("versions: every version hidden → undefined; with includeDeleted → shown", () => {
		expect(snap.versions("io.github.acme/beta", false)).toBeUndefined();
		expect(ids(snap.versions("io.github.acme/beta", true))).toEqual(["1.0.0"]);
	});

	test("versions: unknown name → undefined", () => {
		expect(snap.versions("io.github.acme/nope", true)).toBeUndefined();
		expect(snap.versions("io.github.acme", true)).toBeUndefined();
	});

	test("versions: order uses the full precision of publishedAt", () => {
		const s = new Snapshot(
			build(
				api(
					item(server("io.github.a/x", "a"), { publishedAt: "2025-01-01T00:00:00.000000001Z" }),
					item(server("io.github.a/x", "b"), { publishedAt: "2025-01-01T00:00:00.1Z" }),
					item(server("io.github.a/x", "c"), { publishedAt: "2025-01-01T00:00:00Z" }),
					item(server("io.github.a/x", "d"), { publishedAt: "2025-01-01T01:00:00+02:00" }),
				),
			),
		);
		expect(s.versions("io.github.a/x", false)?.map((i) => s.index.versions[i])).toEqual(["b", "a", "c", "d"]);
	});

	test("find: latest", () => {
		expect(at(snap.find("io.github.acme/alpha", "latest", false))).toBe("io.github.acme/alpha@2.0.0");
		expect(at(snap.find("io.github.acme/gamma", "latest", false))).toBe("io.github.acme/gamma@0.1.0");
	});

	test("find: exact version", () => {
		expect(at(snap.find("io.github.acme/alpha", "1.5.0", false))).toBe("io.github.acme/alpha@1.5.0");
		expect(snap.find("io.github.acme/alpha", "3.0.0", true)).toBeUndefined();
		expect(snap.find("io.github.acme/nope", "1.0.0", true)).toBeUndefined();
	});

	test("find: a deleted match is hidden unless asked", () => {
		expect(snap.find("io.github.acme/beta", "1.0.0", false)).toBeUndefined();
		expect(at(snap.find("io.github.acme/beta", "1.0.0", true))).toBe("io.github.acme/beta@1.0.0");
	});

	test("find: a deleted latest is hidden unless asked", () => {
		expect(snap.find("io.github.zed/delta", "latest", false)).toBeUndefined();
		expect(at(snap.find("io.github.zed/delta", "latest", true))).toBe("io.github.zed/delta@1.1.0");
		// the non-deleted version is still found by its number
		expect(at(snap.find("io.github.zed/delta", "1.0.0", false))).toBe("io.github.zed/delta@1.0.0");
	});

	test("find returns the entry whose bytes are that version", () => {
		const i = snap.find("io.github.acme/alpha", "latest", false);
		expect(i).toBeDefined();
		const e = JSON.parse(decoder.decode(snap.entry(i as number))) as Obj;
		expect((e.server as Obj).version).toBe("2.0.0");
		expect(officialOf(e).isLatest).toBe(true);
	});
});

describe("SnapshotData across threads", () => {
	test("posted with its index's buffers transferred, it serves the same on the other side", () => {
		const data = build(api(item(server("io.github.a/x", "1.0.0")), item(server("io.github.a/y", "2.0.0"))));
		const served = entries(data);
		const provenance = structuredClone(data.provenance);
		const transfer = transferList(data);
		// one arena chunk, the chunk and span of each entry, status, latest, search blob, offsets, index
		expect(new Set(transfer).size).toBe(8);
		const moved = structuredClone(data, { transfer });
		// moved, not copied: the sender's buffers are detached
		for (const chunk of data.index.arena) expect(chunk.byteLength).toBe(0);
		expect(entries(moved)).toEqual(served);
		expect(moved.provenance).toEqual(provenance);
		expect(new Snapshot(moved).find("io.github.a/y", "latest", false)).toBe(1);
	});
});
