/**
 * Version order for choosing the latest version of a server, as the upstream registry does
 * (golang.org/x/mod/semver, plus its rule that the core must have exactly three parts).
 */

interface SemVer {
	major: bigint;
	minor: bigint;
	patch: bigint;
	prerelease: string[];
}

const NUM = "(0|[1-9]\\d*)";
const IDENT = "[0-9A-Za-z-]+";
const SEMVER = new RegExp(
	`^v?${NUM}\\.${NUM}\\.${NUM}(?:-(${IDENT}(?:\\.${IDENT})*))?(?:\\+(${IDENT}(?:\\.${IDENT})*))?$`,
);

/** Parses `1.2.3`, `v1.2.3-rc.1+build`; undefined for anything else (`1.2`, `v1`, `01.2.3`). */
export function parseSemver(version: string): SemVer | undefined {
	const m = SEMVER.exec(version);
	if (!m) return undefined;
	const prerelease = m[4] ? m[4].split(".") : [];
	// Numeric pre-release identifiers must not have leading zeros.
	if (prerelease.some((p) => /^\d+$/.test(p) && p.length > 1 && p.startsWith("0"))) return undefined;
	return { major: BigInt(m[1] ?? 0), minor: BigInt(m[2] ?? 0), patch: BigInt(m[3] ?? 0), prerelease };
}

export function isSemver(version: string): boolean {
	return parseSemver(version) !== undefined;
}

function cmp<T>(a: T, b: T): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

function comparePrerelease(a: string[], b: string[]): number {
	if (a.length === 0 || b.length === 0) return b.length - a.length; // release > pre-release
	for (let i = 0; i < Math.min(a.length, b.length); i++) {
		const x = a[i] as string;
		const y = b[i] as string;
		const xn = /^\d+$/.test(x);
		const yn = /^\d+$/.test(y);
		if (xn && yn) {
			const c = cmp(BigInt(x), BigInt(y));
			if (c !== 0) return c;
		} else if (xn !== yn) {
			return xn ? -1 : 1; // numeric identifiers sort below alphanumeric ones
		} else {
			const c = cmp(x, y);
			if (c !== 0) return c;
		}
	}
	return cmp(a.length, b.length);
}

/** Semver precedence; build metadata is ignored. */
export function compareSemver(a: SemVer, b: SemVer): number {
	return (
		cmp(a.major, b.major) ||
		cmp(a.minor, b.minor) ||
		cmp(a.patch, b.patch) ||
		comparePrerelease(a.prerelease, b.prerelease)
	);
}

/**
 * Which of two versions is newer: semver precedence when both are semver; a semver version
 * beats a non-semver one; otherwise the later publish time (timestamp keys compare as strings).
 */
export function compareVersions(a: string, b: string, publishedA: string, publishedB: string): number {
	const sa = parseSemver(a);
	const sb = parseSemver(b);
	if (sa && sb) return compareSemver(sa, sb);
	if (sa) return 1;
	if (sb) return -1;
	return cmp(publishedA, publishedB);
}
