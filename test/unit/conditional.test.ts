import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { etagHeader, etagOf, isNotModified, matchesEtag } from "../../src/http/conditional.ts";
import { reply } from "../../src/http/respond.ts";

describe("matchesEtag", () => {
	const tag = "abc123XYZ";
	const cases: [string | null, boolean][] = [
		[null, false],
		["", false],
		[`"${tag}"`, true],
		[`W/"${tag}"`, true],
		[`"other", "${tag}"`, true],
		[`"other",W/"${tag}"`, true],
		[`"a", "b"`, false],
		["*", true],
		[" * ", true],
		[`"${tag}-gzip"`, true],
		[`"${tag}-br"`, true],
		[`W/"${tag}-gzip"`, true],
		[`"${tag}-deflate"`, false],
		[`"${tag}-gzip-br"`, false],
		[tag, false],
		[`"${tag}x"`, false],
		[`"${tag.slice(0, -1)}"`, false],
		[`"${tag.toLowerCase()}"`, false],
	];
	for (const [header, expected] of cases) {
		test(`${JSON.stringify(header)} → ${expected}`, () => {
			expect(matchesEtag(header, tag)).toBe(expected);
		});
	}
});

describe("etagOf", () => {
	test("a strong validator of the bytes: URL-safe, 27 characters of their SHA-256", () => {
		const body = new TextEncoder().encode('{"servers":[]}\n');
		const tag = etagOf(body);
		expect(tag).toMatch(/^[A-Za-z0-9_-]{27}$/);
		expect(tag).toBe(createHash("sha256").update(body).digest("base64url").slice(0, 27));
		expect(etagOf(new TextEncoder().encode('{"servers":[]}\n'))).toBe(tag);
		expect(etagOf(new TextEncoder().encode('{"servers":[1]}\n'))).not.toBe(tag);
	});
});

describe("etagHeader", () => {
	test("quoted; each coding its own representation", () => {
		expect(etagHeader("abc", undefined)).toBe('"abc"');
		expect(etagHeader("abc", "gzip")).toBe('"abc-gzip"');
		expect(etagHeader("abc", "br")).toBe('"abc-br"');
	});
});

describe("isNotModified", () => {
	const r = reply(200, "body", "text/plain", "no-store");
	const withInm = (inm?: string) =>
		new Request("http://registry.test/", { headers: inm === undefined ? {} : { "If-None-Match": inm } });

	test("when If-None-Match names the reply's tag, in any coding", () => {
		const tag = r.etag as string;
		expect(isNotModified(withInm(`"${tag}"`), r)).toBe(true);
		expect(isNotModified(withInm(`W/"${tag}-br"`), r)).toBe(true);
		expect(isNotModified(withInm("*"), r)).toBe(true);
	});

	test("not without If-None-Match, with another tag, or for a reply without a tag", () => {
		expect(isNotModified(withInm(), r)).toBe(false);
		expect(isNotModified(withInm('"other"'), r)).toBe(false);
		const problem = reply(404, "nope", "application/problem+json", "no-store");
		expect(problem.etag).toBeUndefined();
		expect(isNotModified(withInm("*"), problem)).toBe(false);
	});
});
