/**
 * findJsonError: where a text that is not JSON goes wrong, by line and column.
 */
import { describe, expect, test } from "bun:test";
import { findJsonError } from "../../src/registry/json-error.ts";

describe("findJsonError", () => {
	test("valid JSON → undefined", () => {
		for (const text of [
			"{}",
			"[]",
			' \n\t{ "a" : [1, -2.5e+3, true, false, null, "s\\n\\u00e9\\"", {}] }\r\n',
			"42",
			'"just a string"',
			JSON.stringify({ servers: [{ server: { name: "a/b", nested: [[[]]] } }] }, null, 2),
		]) {
			expect([text, findJsonError(text)]).toEqual([text, undefined]);
		}
	});

	test("missing comma between object members", () => {
		expect(findJsonError('{"a": 1\n "b": 2}')).toMatchObject({ line: 2, column: 2, offset: 9 });
	});

	test("missing comma between array items on another line", () => {
		const text = '{\n  "servers": [\n    {"a": 1}\n    {"b": 2}\n  ]\n}';
		const e = findJsonError(text);
		expect(e).toMatchObject({ line: 4, column: 5 });
		expect(e?.message).toContain('expected "," or "]"');
		expect(text[e?.offset as number]).toBe("{");
	});

	test("trailing comma in an array", () => {
		expect(findJsonError("[1, 2,]")).toMatchObject({ line: 1, column: 7, offset: 6 });
	});

	test("trailing comma in an object", () => {
		const e = findJsonError('{\n  "a": 1,\n}');
		expect(e).toMatchObject({ line: 3, column: 1 });
		expect(e?.message).toContain("property name");
	});

	test("unterminated string", () => {
		const e = findJsonError('{"a": "abc');
		expect(e).toMatchObject({ line: 1, column: 11, offset: 10 });
		expect(e?.message).toContain("unterminated string");
	});

	test("trailing garbage after the value", () => {
		const e = findJsonError('{"a": 1}\n  x');
		expect(e).toMatchObject({ line: 2, column: 3 });
		expect(e?.message).toContain("after the JSON value");
	});

	test("unexpected end of input", () => {
		expect(findJsonError('{"a": [1, 2')?.message).toContain("end of input");
		expect(findJsonError("")?.message).toContain("end of input");
	});

	test("other errors: bad literal, missing colon, bad escape, control character, bad number", () => {
		expect(findJsonError("[tru]")).toMatchObject({ column: 2 });
		expect(findJsonError('{"a" 1}')).toMatchObject({ column: 6 });
		expect(findJsonError('["\\x"]')).toMatchObject({ column: 3 });
		expect(findJsonError('["a\tb"]')).toMatchObject({ column: 4 });
		expect(findJsonError("[-]")).toMatchObject({ column: 2 });
		expect(findJsonError("[01]")).toMatchObject({ column: 3 });
		expect(findJsonError("{'a': 1}")).toMatchObject({ column: 2 });
	});

	test("agrees with JSON.parse on which texts are invalid", () => {
		const texts = [
			"{}",
			"{,}",
			"[1,,2]",
			"[1 2]",
			'{"a":1}}',
			'["\\u12"]',
			'["\\u1234"]',
			"1.",
			".5",
			"1e",
			"-0",
			"[NaN]",
			"\u00a0[]",
			"[] \n",
			'"\u2028"',
			"nul",
			'{"a":{"b":[{"c":null}]}}',
		];
		for (const text of texts) {
			let parses = true;
			try {
				JSON.parse(text);
			} catch {
				parses = false;
			}
			expect([text, findJsonError(text) === undefined]).toEqual([text, parses]);
		}
	});

	test("deep nesting does not overflow", () => {
		const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
		expect(findJsonError(deep)).toBeUndefined();
		expect(findJsonError(`${"[".repeat(100_000)}`)?.message).toContain("end of input");
	});
});
