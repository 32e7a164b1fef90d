/**
 * The latest version of each name: the file's one flag, else semver precedence, then publish time.
 */
import { describe, expect, test } from "bun:test";
import { api, build, entries, item, latestOf, officialOf, server } from "../support/registry-docs.ts";

describe("latest version", () => {
	const pub = (day: number) => `2025-01-${String(day).padStart(2, "0")}T00:00:00Z`;

	test("exactly one version flagged isLatest stands even if it is not the highest", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.0.0"), { isLatest: true, publishedAt: pub(1) }),
				item(server("io.github.a/x", "2.0.0"), { isLatest: false, publishedAt: pub(2) }),
				item(server("io.github.a/x", "3.0.0"), { publishedAt: pub(3) }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@1.0.0"]);
		expect([...data.index.latest]).toEqual([1, 0, 0]);
	});

	test("no version flagged: semver precedence, numerically", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.9.0"), { publishedAt: pub(3) }),
				item(server("io.github.a/x", "1.10.0"), { publishedAt: pub(1) }),
				item(server("io.github.a/x", "1.2.0"), { publishedAt: pub(2) }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@1.10.0"]);
	});

	test("all versions flagged false: computed", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.0.0"), { isLatest: false }),
				item(server("io.github.a/x", "2.0.0"), { isLatest: false }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@2.0.0"]);
	});

	test("a single version flagged false is still the latest", () => {
		const data = build(api(item(server("io.github.a/x", "1.0.0"), { isLatest: false })));
		expect(latestOf(data)).toEqual(["io.github.a/x@1.0.0"]);
	});

	test("several flagged: computed from all versions", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.0.0"), { isLatest: true }),
				item(server("io.github.a/x", "1.5.0"), { isLatest: true }),
				item(server("io.github.a/x", "2.0.0")),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@2.0.0"]);
	});

	test("pre-release is below the release even when published later", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.0.0-rc.1"), { publishedAt: pub(9) }),
				item(server("io.github.a/x", "1.0.0"), { publishedAt: pub(1) }),
				item(server("io.github.a/x", "1.0.0-beta.11"), { publishedAt: pub(8) }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@1.0.0"]);
	});

	test("a leading v counts as semver", () => {
		const data = build(api(item(server("io.github.a/x", "1.0.0")), item(server("io.github.a/x", "v2.0.0"))));
		expect(latestOf(data)).toEqual(["io.github.a/x@v2.0.0"]);
	});

	test("semver beats non-semver even when the non-semver one is newer", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "0.0.1"), { publishedAt: pub(1) }),
				item(server("io.github.a/x", "snapshot-2025"), { publishedAt: pub(20) }),
				item(server("io.github.a/x", "2.0"), { publishedAt: pub(21) }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@0.0.1"]);
	});

	test("neither semver: the later publishedAt wins", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "alpha"), { publishedAt: pub(3) }),
				item(server("io.github.a/x", "beta"), { publishedAt: pub(2) }),
				item(server("io.github.a/x", "zeta"), { publishedAt: pub(1) }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@alpha"]);
	});

	test("neither semver: publish times are compared as instants, after normalising offsets", () => {
		const data = build(
			api(
				// 2025-02-28T23:00:00Z
				item(server("io.github.a/x", "build-a"), { publishedAt: "2025-03-01T01:00:00+02:00" }),
				item(server("io.github.a/x", "build-b"), { publishedAt: "2025-02-28T23:30:00Z" }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@build-b"]);
	});

	test("neither semver: sub-second precision decides", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "r1"), { publishedAt: "2025-01-01T00:00:00.000000002Z" }),
				item(server("io.github.a/x", "r2"), { publishedAt: "2025-01-01T00:00:00.000000001Z" }),
				item(server("io.github.a/x", "r3"), { publishedAt: "2025-01-01T00:00:00Z" }),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@r1"]);
	});

	test("each name is decided on its own", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.0.0"), { isLatest: true }),
				item(server("io.github.a/x", "2.0.0")),
				item(server("io.github.a/y", "1.0.0")),
				item(server("io.github.a/y", "3.0.0")),
				item(server("io.github.a/z", "0.1.0")),
			),
		);
		expect(latestOf(data)).toEqual(["io.github.a/x@1.0.0", "io.github.a/y@3.0.0", "io.github.a/z@0.1.0"]);
	});

	test("the latest flags array agrees with the served isLatest", () => {
		const data = build(
			api(
				item(server("io.github.a/x", "1.0.0")),
				item(server("io.github.a/x", "1.1.0")),
				item(server("io.github.a/y", "5.0.0")),
			),
		);
		const served = entries(data).map((e) => (officialOf(e).isLatest ? 1 : 0));
		expect([...data.index.latest]).toEqual(served);
		expect(served).toEqual([0, 1, 1]);
	});
});
