import { describe, expect, test } from "bun:test";
import { parseTimestamp, timestampFromDate } from "../../src/registry/time.ts";

describe("parseTimestamp: valid RFC 3339", () => {
	test("UTC with Z, no fraction", () => {
		expect(parseTimestamp("2025-01-01T00:00:00Z")).toEqual({
			iso: "2025-01-01T00:00:00Z",
			key: "2025-01-01T00:00:00.000000000Z",
		});
	});

	test("microsecond fraction is kept in iso and padded to 9 digits in key", () => {
		expect(parseTimestamp("2025-10-09T17:05:17.793149Z")).toEqual({
			iso: "2025-10-09T17:05:17.793149Z",
			key: "2025-10-09T17:05:17.793149000Z",
		});
	});

	test("nanosecond fraction is kept exactly", () => {
		expect(parseTimestamp("2025-11-04T20:13:58.529905274Z")).toEqual({
			iso: "2025-11-04T20:13:58.529905274Z",
			key: "2025-11-04T20:13:58.529905274Z",
		});
	});

	test("trailing zeros of the fraction are trimmed in iso, not in key", () => {
		expect(parseTimestamp("2025-01-01T00:00:00.500Z")).toEqual({
			iso: "2025-01-01T00:00:00.5Z",
			key: "2025-01-01T00:00:00.500000000Z",
		});
		expect(parseTimestamp("2025-08-07T13:15:04.280Z")?.iso).toBe("2025-08-07T13:15:04.28Z");
	});

	test("an all-zero fraction disappears from iso", () => {
		expect(parseTimestamp("2025-01-01T00:00:00.000Z")).toEqual({
			iso: "2025-01-01T00:00:00Z",
			key: "2025-01-01T00:00:00.000000000Z",
		});
		expect(parseTimestamp("2025-01-01T00:00:00.000000000+00:00")?.iso).toBe("2025-01-01T00:00:00Z");
	});

	test("key always has exactly nine fraction digits", () => {
		for (const text of [
			"2025-01-01T00:00:00Z",
			"2025-01-01T00:00:00.1Z",
			"2025-01-01T00:00:00.123456Z",
			"2025-01-01T00:00:00.123456789Z",
			"2025-01-01T00:00:00.1234567891Z",
			"2025-01-01T03:00:00.12+03:00",
		]) {
			const key = parseTimestamp(text)?.key;
			expect(key).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
		}
	});

	test("positive offset is normalised to UTC", () => {
		expect(parseTimestamp("2025-03-01T12:00:00+02:00")).toEqual({
			iso: "2025-03-01T10:00:00Z",
			key: "2025-03-01T10:00:00.000000000Z",
		});
	});

	test("negative offset with minutes is normalised to UTC, across a day boundary", () => {
		expect(parseTimestamp("2025-01-01T23:30:00-05:30")?.iso).toBe("2025-01-02T05:00:00Z");
	});

	test("offset crossing a year boundary backwards", () => {
		expect(parseTimestamp("2025-01-01T00:30:00+01:00")?.iso).toBe("2024-12-31T23:30:00Z");
	});

	test("offset crossing into a leap day and out of it", () => {
		expect(parseTimestamp("2024-03-01T01:00:00+02:00")?.iso).toBe("2024-02-29T23:00:00Z");
		expect(parseTimestamp("2024-02-29T23:00:00-02:00")?.iso).toBe("2024-03-01T01:00:00Z");
	});

	test("+00:00 and -00:00 are the same as Z", () => {
		const z = parseTimestamp("2025-05-05T05:05:05.05Z");
		expect(z).toBeDefined();
		expect(parseTimestamp("2025-05-05T05:05:05.05+00:00")).toEqual(z as NonNullable<typeof z>);
		expect(parseTimestamp("2025-05-05T05:05:05.05-00:00")).toEqual(z as NonNullable<typeof z>);
	});

	test("fraction is kept with an offset", () => {
		expect(parseTimestamp("2025-06-01T12:00:00.250+02:00")).toEqual({
			iso: "2025-06-01T10:00:00.25Z",
			key: "2025-06-01T10:00:00.250000000Z",
		});
		expect(parseTimestamp("2025-06-01T12:00:00.123456789-01:00")?.iso).toBe("2025-06-01T13:00:00.123456789Z");
	});

	test("lowercase t and z are accepted and normalised to upper case", () => {
		expect(parseTimestamp("2025-01-01t00:00:00z")).toEqual({
			iso: "2025-01-01T00:00:00Z",
			key: "2025-01-01T00:00:00.000000000Z",
		});
		expect(parseTimestamp("2025-01-01t10:00:00.5+01:00")?.iso).toBe("2025-01-01T09:00:00.5Z");
		expect(parseTimestamp("2025-01-01T00:00:00.7z")?.iso).toBe("2025-01-01T00:00:00.7Z");
	});

	test("leap days of leap years are valid", () => {
		expect(parseTimestamp("2024-02-29T00:00:00Z")?.iso).toBe("2024-02-29T00:00:00Z");
		expect(parseTimestamp("2000-02-29T12:00:00Z")?.iso).toBe("2000-02-29T12:00:00Z");
		expect(parseTimestamp("2024-02-29T12:00:00+01:00")?.iso).toBe("2024-02-29T11:00:00Z");
	});

	test("last second of the day and last day of months are valid", () => {
		expect(parseTimestamp("2025-12-31T23:59:59Z")?.iso).toBe("2025-12-31T23:59:59Z");
		expect(parseTimestamp("2025-04-30T00:00:00Z")?.iso).toBe("2025-04-30T00:00:00Z");
		expect(parseTimestamp("2025-01-31T00:00:00Z")?.iso).toBe("2025-01-31T00:00:00Z");
	});
});

describe("parseTimestamp: invalid", () => {
	const invalid: [string, string][] = [
		["February 30", "2025-02-30T00:00:00Z"],
		["February 30 with offset", "2025-02-30T00:00:00+01:00"],
		["February 29 in a non-leap year", "2025-02-29T00:00:00Z"],
		["February 29 in a non-leap year with offset", "2025-02-29T12:00:00+00:00"],
		["February 29 in a century non-leap year", "1900-02-29T00:00:00Z"],
		["April 31", "2025-04-31T00:00:00Z"],
		["month 13", "2025-13-01T00:00:00Z"],
		["month 0", "2025-00-10T00:00:00Z"],
		["day 0", "2025-01-00T00:00:00Z"],
		["hour 24", "2025-01-01T24:00:00Z"],
		["hour 24 with offset", "2025-01-01T24:00:00+01:00"],
		["minute 60", "2025-01-01T00:60:00Z"],
		["second 60", "2025-01-01T00:00:60Z"],
		["second 60 with offset", "2025-06-30T23:59:60-01:00"],
		["date only", "2025-01-01"],
		["missing offset", "2025-01-01T00:00:00"],
		["missing offset with fraction", "2025-01-01T00:00:00.123"],
		["empty fraction", "2025-01-01T00:00:00.Z"],
		["offset without colon", "2025-01-01T00:00:00+0200"],
		["offset hour 24", "2025-01-01T00:00:00+24:00"],
		["offset minute 60", "2025-01-01T00:00:00+02:60"],
		["short year", "25-01-01T00:00:00Z"],
		["one-digit month", "2025-1-01T00:00:00Z"],
		["no seconds", "2025-01-01T00:00Z"],
		["leading space", " 2025-01-01T00:00:00Z"],
		["trailing text", "2025-01-01T00:00:00Zjunk"],
		["empty string", ""],
		["words", "yesterday"],
	];
	for (const [label, text] of invalid) {
		test(`${label}: ${JSON.stringify(text)}`, () => {
			expect(parseTimestamp(text)).toBeUndefined();
		});
	}
});

describe("timestamp keys", () => {
	test("keys compare as strings in chronological order, where iso strings do not", () => {
		const a = parseTimestamp("2025-01-01T00:00:00Z");
		const b = parseTimestamp("2025-01-01T00:00:00.1Z");
		expect(a && b).toBeDefined();
		const [ta, tb] = [a as NonNullable<typeof a>, b as NonNullable<typeof b>];
		// "...00Z" > "...00.1Z" as plain strings, yet a is earlier: the key gets it right.
		expect(ta.iso > tb.iso).toBe(true);
		expect(ta.key < tb.key).toBe(true);
	});

	test("sorting by key equals sorting by instant, across offsets and precisions", () => {
		const texts = [
			"2025-01-01T01:00:00+02:00", // 2024-12-31T23:00Z
			"2025-01-01T00:00:00Z",
			"2024-12-31T23:00:00.5Z",
			"2024-12-31T22:59:59.999999999-00:00",
			"2025-01-01T00:00:00.000000001Z",
			"2024-12-31T19:30:00.25-04:00", // 23:30:00.25Z
			"2025-01-01T00:00:00.1Z",
			"2025-01-01T00:00:00.09Z",
		];
		const parsed = texts.map((t) => {
			const p = parseTimestamp(t);
			if (!p) throw new Error(`did not parse ${t}`);
			return { t, key: p.key };
		});
		const byKey = [...parsed].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)).map((x) => x.t);
		expect(byKey).toEqual([
			"2024-12-31T22:59:59.999999999-00:00",
			"2025-01-01T01:00:00+02:00",
			"2024-12-31T23:00:00.5Z",
			"2024-12-31T19:30:00.25-04:00",
			"2025-01-01T00:00:00Z",
			"2025-01-01T00:00:00.000000001Z",
			"2025-01-01T00:00:00.09Z",
			"2025-01-01T00:00:00.1Z",
		]);
	});

	test("equal instants written differently have equal keys", () => {
		expect(parseTimestamp("2025-03-01T12:00:00.5+02:00")?.key).toBe(
			parseTimestamp("2025-03-01T10:00:00.500Z")?.key as string,
		);
	});
});

describe("timestampFromDate", () => {
	test("a Date becomes a UTC timestamp with its milliseconds", () => {
		expect(timestampFromDate(new Date("2025-01-01T00:00:00Z"))).toEqual({
			iso: "2025-01-01T00:00:00Z",
			key: "2025-01-01T00:00:00.000000000Z",
		});
		expect(timestampFromDate(new Date("2025-07-04T10:20:30.120+02:00"))).toEqual({
			iso: "2025-07-04T08:20:30.12Z",
			key: "2025-07-04T08:20:30.120000000Z",
		});
	});
});

describe("parseTimestamp: UTC written plainly (read without a regular expression) as the general rule reads it", () => {
	/** The same instant with a +00:00 offset: the general parser's reading of it. */
	const general = (text: string) => parseTimestamp(text.replace(/Z$/, "+00:00"));
	test("every fraction length, trailing zeros, leap days, the limits of each field", () => {
		const cases = [
			"2025-01-01T00:00:00Z",
			"2024-02-29T23:59:59Z",
			"0000-01-01T00:00:00Z",
			"9999-12-31T23:59:59Z",
			"2025-10-09T17:05:17.0Z",
			"2025-10-09T17:05:17.10Z",
			"2025-10-09T17:05:17.120Z",
			"2025-10-09T17:05:17.1234Z",
			"2025-10-09T17:05:17.000000000Z",
			"2025-10-09T17:05:17.123456789Z",
			"2025-10-09T17:05:17.120000000Z",
			"2025-10-09T17:05:17.1234567890Z", // more than nine digits: the general rule keeps nine
		];
		for (const text of cases) {
			const t = parseTimestamp(text);
			expect(t, text).toEqual(general(text) as NonNullable<ReturnType<typeof parseTimestamp>>);
			expect(t?.key.length, text).toBe(30);
		}
	});

	test("what is not a valid date-time is refused, as by the general parser", () => {
		for (const text of [
			"2025-02-29T00:00:00Z",
			"2025-13-01T00:00:00Z",
			"2025-00-10T00:00:00Z",
			"2025-10-00T00:00:00Z",
			"2025-10-09T24:00:00Z",
			"2025-10-09T17:60:00Z",
			"2025-10-09T17:05:60Z",
			"2025-10-09T17:05:17.Z",
			"2025-1a-09T17:05:17Z",
			"2025-10-09 17:05:17Z",
		]) {
			expect(parseTimestamp(text), text).toBeUndefined();
		}
	});
});
