/**
 * One boolean parser for environment variables and query parameters: Go's strconv.ParseBool
 * spellings; variables take them in any case, query parameters exactly as Go does.
 */
import { describe, expect, test } from "bun:test";
import { parseBool } from "../../src/bool.ts";
import { parseListParams, parseQuery } from "../../src/http/params.ts";

const TRUE = ["1", "t", "T", "TRUE", "true", "True"];
const FALSE = ["0", "f", "F", "FALSE", "false", "False"];
const NEITHER = ["", "yes", "no", "on", "2", " true", "true ", "tru", "constructor", "__proto__", "toString"];

describe("parseBool", () => {
	test("Go's spellings", () => {
		for (const s of TRUE) expect([s, parseBool(s)]).toEqual([s, true]);
		for (const s of FALSE) expect([s, parseBool(s)]).toEqual([s, false]);
	});

	test("other cases only with anyCase", () => {
		for (const [s, b] of [
			["tRuE", true],
			["fAlSe", false],
		] as const) {
			expect(parseBool(s)).toBeUndefined();
			expect(parseBool(s, { anyCase: true })).toBe(b);
		}
	});

	test("anything else is neither, in any case (names of Object.prototype too)", () => {
		for (const s of NEITHER) {
			expect([s, parseBool(s)]).toEqual([s, undefined]);
			expect([s, parseBool(s, { anyCase: true })]).toEqual([s, undefined]);
		}
	});
});

describe("include_deleted reads with it", () => {
	const includeDeleted = (value: string) => {
		const p = parseListParams(parseQuery(`include_deleted=${encodeURIComponent(value)}`));
		return "includeDeleted" in p ? p.includeDeleted : p;
	};

	test("Go's spellings", () => {
		for (const s of TRUE) expect(includeDeleted(s)).toBe(true);
		for (const s of FALSE) expect(includeDeleted(s)).toBe(false);
	});

	test("anything else is a 422 naming the value", () => {
		for (const s of ["tRuE", "yes", "constructor", "__proto__"]) {
			expect(includeDeleted(s)).toEqual({
				status: 422,
				detail: "validation failed",
				errors: [{ message: "invalid boolean", location: "query.include_deleted", value: s }],
			});
		}
	});
});
