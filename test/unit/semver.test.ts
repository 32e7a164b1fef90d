import { describe, expect, test } from "bun:test";
import { compareSemver, compareVersions, isSemver, parseSemver } from "../../src/registry/semver.ts";

function parsed(v: string) {
	const p = parseSemver(v);
	if (!p) throw new Error(`expected ${v} to be semver`);
	return p;
}

const sign = (n: number) => Math.sign(n);

describe("isSemver", () => {
	for (const v of [
		"1.2.3",
		"v1.2.3",
		"0.0.0",
		"1.2.3-rc.1+build",
		"v1.2.3-rc.1+build.5",
		"1.0.0-alpha",
		"1.0.0-alpha.beta.1",
		"1.0.0-0.3.7",
		"1.0.0-x-y-z.--",
		"1.0.0+20130313144700",
		"1.0.0-beta+exp.sha.5114f85",
		"1.0.0+001",
		"10.20.30",
		"999999999999999999999.0.0",
	]) {
		test(`${v} is semver`, () => {
			expect(isSemver(v)).toBe(true);
		});
	}

	for (const v of [
		"1.2",
		"v1",
		"1",
		"v1.2",
		"01.2.3",
		"1.02.3",
		"1.2.03",
		"1.2.3.4",
		"1.2.3-01",
		"1.2.3-rc.01",
		"1.2.3-",
		"1.2.3+",
		"1.2.3-rc..1",
		"1.2.3+build..1",
		"1.2.3-rc_1",
		"V1.2.3",
		"vv1.2.3",
		" 1.2.3",
		"1.2.3 ",
		"latest",
		"",
		"2025.01.01-snapshot!",
	]) {
		test(`${JSON.stringify(v)} is not semver`, () => {
			expect(isSemver(v)).toBe(false);
		});
	}
});

describe("compareSemver", () => {
	const ordered = [
		"1.0.0-alpha",
		"1.0.0-alpha.1",
		"1.0.0-alpha.beta",
		"1.0.0-beta",
		"1.0.0-beta.2",
		"1.0.0-beta.11",
		"1.0.0-rc.1",
		"1.0.0",
	];

	test("semver.org §11 precedence example, each adjacent pair", () => {
		for (let i = 0; i + 1 < ordered.length; i++) {
			const a = ordered[i] as string;
			const b = ordered[i + 1] as string;
			expect([a, b, sign(compareSemver(parsed(a), parsed(b)))]).toEqual([a, b, -1]);
			expect([b, a, sign(compareSemver(parsed(b), parsed(a)))]).toEqual([b, a, 1]);
		}
	});

	test("semver.org §11 precedence example, every pair (transitive)", () => {
		for (let i = 0; i < ordered.length; i++) {
			for (let j = 0; j < ordered.length; j++) {
				const a = ordered[i] as string;
				const b = ordered[j] as string;
				expect([a, b, sign(compareSemver(parsed(a), parsed(b)))]).toEqual([a, b, sign(i - j)]);
			}
		}
	});

	test("sorting a shuffled list gives the §11 order", () => {
		const shuffled = [...ordered].reverse();
		shuffled.push(shuffled.shift() as string);
		expect(shuffled.sort((a, b) => compareSemver(parsed(a), parsed(b)))).toEqual(ordered);
	});

	test("major, minor and patch compare numerically, not as strings", () => {
		expect(sign(compareSemver(parsed("1.10.0"), parsed("1.9.0")))).toBe(1);
		expect(sign(compareSemver(parsed("2.0.0"), parsed("10.0.0")))).toBe(-1);
		expect(sign(compareSemver(parsed("1.0.10"), parsed("1.0.9")))).toBe(1);
		expect(sign(compareSemver(parsed("1.2.3"), parsed("1.3.0")))).toBe(-1);
		expect(sign(compareSemver(parsed("0.9.9"), parsed("1.0.0")))).toBe(-1);
	});

	test("numbers beyond 2^53 compare exactly", () => {
		expect(sign(compareSemver(parsed("9007199254740993.0.0"), parsed("9007199254740992.0.0")))).toBe(1);
	});

	test("build metadata is ignored", () => {
		expect(compareSemver(parsed("1.0.0+build.1"), parsed("1.0.0+build.2"))).toBe(0);
		expect(compareSemver(parsed("1.0.0+zzz"), parsed("1.0.0"))).toBe(0);
		expect(compareSemver(parsed("1.0.0-rc.1+a"), parsed("1.0.0-rc.1+b"))).toBe(0);
		expect(sign(compareSemver(parsed("1.0.0-rc.1+zzz"), parsed("1.0.0")))).toBe(-1);
	});

	test("a leading v does not change precedence", () => {
		expect(compareSemver(parsed("v1.2.3"), parsed("1.2.3"))).toBe(0);
		expect(sign(compareSemver(parsed("v1.2.4"), parsed("1.2.3")))).toBe(1);
	});

	test("pre-release is below the release, and below a later patch", () => {
		expect(sign(compareSemver(parsed("1.0.0-rc.1"), parsed("1.0.0")))).toBe(-1);
		expect(sign(compareSemver(parsed("1.0.1-alpha"), parsed("1.0.0")))).toBe(1);
	});

	test("numeric identifiers sort below alphanumeric ones; alphanumerics in ASCII order", () => {
		expect(sign(compareSemver(parsed("1.0.0-1"), parsed("1.0.0-a")))).toBe(-1);
		expect(sign(compareSemver(parsed("1.0.0-999"), parsed("1.0.0-0a")))).toBe(-1);
		expect(sign(compareSemver(parsed("1.0.0-B"), parsed("1.0.0-a")))).toBe(-1);
		expect(sign(compareSemver(parsed("1.0.0-alpha-2"), parsed("1.0.0-alpha-10")))).toBe(1);
	});
});

describe("compareVersions", () => {
	const early = "2025-01-01T00:00:00.000000000Z";
	const late = "2025-06-01T00:00:00.000000000Z";

	test("both semver: semver precedence decides, publish time ignored", () => {
		expect(sign(compareVersions("2.0.0", "1.0.0", early, late))).toBe(1);
		expect(sign(compareVersions("1.0.0", "2.0.0", late, early))).toBe(-1);
		expect(sign(compareVersions("1.10.0", "1.9.0", early, late))).toBe(1);
		expect(sign(compareVersions("1.0.0-rc.1", "1.0.0", late, early))).toBe(-1);
		expect(sign(compareVersions("v2.0.0", "1.5.0", early, late))).toBe(1);
	});

	test("both semver with equal precedence compare equal", () => {
		expect(compareVersions("1.0.0+a", "1.0.0+b", early, late)).toBe(0);
	});

	test("exactly one semver: the semver one wins, whatever the publish times", () => {
		expect(sign(compareVersions("1.0.0", "snapshot", early, late))).toBe(1);
		expect(sign(compareVersions("snapshot", "1.0.0", late, early))).toBe(-1);
		expect(sign(compareVersions("0.0.1", "99.0", early, late))).toBe(1);
		expect(sign(compareVersions("1.2", "0.0.1-alpha", late, early))).toBe(-1);
	});

	test("neither semver: the later publishedAt wins", () => {
		expect(sign(compareVersions("alpha", "beta", late, early))).toBe(1);
		expect(sign(compareVersions("alpha", "beta", early, late))).toBe(-1);
		expect(sign(compareVersions("2.0", "1.0", early, late))).toBe(-1);
		expect(sign(compareVersions("20250101", "20240101", early, late))).toBe(-1);
	});

	test("neither semver: keys differing only in the nanoseconds are ordered", () => {
		expect(
			sign(compareVersions("a", "b", "2025-01-01T00:00:00.000000002Z", "2025-01-01T00:00:00.000000001Z")),
		).toBe(1);
	});

	test("neither semver with the same publish time compare equal", () => {
		expect(compareVersions("x", "y", early, early)).toBe(0);
	});
});
