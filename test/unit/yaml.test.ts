/** toYaml: the OpenAPI document as YAML, and the scalars a hand-written emitter gets wrong. */
import { describe, expect, test } from "bun:test";
import { buildOpenApi } from "../../src/http/openapi.ts";
import { toYaml } from "../../src/http/yaml.ts";

describe("toYaml", () => {
	test("the OpenAPI document parses back to a deep-equal value", () => {
		const doc = buildOpenApi();
		const yaml = toYaml(doc);
		expect(yaml.endsWith("\n")).toBe(true);
		expect(Bun.YAML.parse(yaml)).toEqual(doc);
	});

	test("tricky scalars round-trip", () => {
		const value = {
			version: "1.0.0",
			number: "200",
			float: "1.5",
			exp: "1e3",
			octal: "0o17",
			hex: "0x1F",
			bools: ["true", "false", "yes", "no", "on", "off", "y", "n", "True", "NULL", "null", "~"],
			empty: "",
			space: " leading and trailing ",
			colon: "key: value",
			hash: "a # comment",
			quote: 'she said "hi"',
			single: "it's",
			backslash: "C:\\path\\to",
			newline: "line 1\nline 2\n",
			tab: "a\tb",
			dash: "- not a list",
			star: "*anchor",
			amp: "&anchor",
			brace: "{a: 1}",
			bracket: "[1, 2]",
			percent: "%YAML",
			at: "@handle",
			backtick: "`code`",
			pipe: "| block",
			gt: "> folded",
			question: "? key",
			bang: "!tag",
			dot: ".inf",
			nan: ".nan",
			unicode: "Météo ☀️ 天気",
			url: "https://github.com/modelcontextprotocol/registry",
			path: "/v0.1/servers/{serverName}/versions/{version}",
			ref: "#/components/schemas/ServerDetail",
			"200": { description: "OK" },
			"key with: colon": 1,
			"": "empty key",
			"io.modelcontextprotocol.registry/official": { isLatest: true },
			$ref: "x",
			numbers: [0, -1, 1.5, 1e21, 123456789],
			nulls: [null, { a: null }],
			booleans: [true, false],
			emptyArray: [],
			emptyObject: {},
			nestedArrays: [[1, 2], [[3]], [], [{}]],
			arrayOfObjects: [{ a: 1, b: [1, { c: "d" }] }, { e: { f: { g: [] } } }],
		};
		expect(Bun.YAML.parse(toYaml(value))).toEqual(value);
	});

	test("a top-level array round-trips", () => {
		const value = [1, "two", { three: [3] }, [4, [5]]];
		expect(Bun.YAML.parse(toYaml(value))).toEqual(value);
	});

	test("plain strings are written unquoted, ambiguous ones quoted", () => {
		const yaml = toYaml({ a: "hello world", b: "true", c: "1.0.0" });
		expect(yaml).toBe('a: hello world\nb: "true"\nc: "1.0.0"\n');
	});
});
