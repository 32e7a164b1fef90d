/**
 * RFC 3339 timestamps with nanosecond precision. JavaScript's Date keeps milliseconds only, and
 * registry timestamps carry micro- or nanoseconds (`2025-10-09T17:05:17.793149Z`), so the
 * fraction is kept as digits beside the whole seconds.
 */

export interface Timestamp {
	/** UTC, fraction trimmed of trailing zeros (Go's RFC3339Nano): what the API serves. */
	iso: string;
	/** UTC with a fixed 9-digit fraction: compares correctly as a plain string. */
	key: string;
}

const RFC3339 =
	/^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

const UTC_FAST = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
	if (month !== 2) return DAYS[month] ?? 0;
	return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** The number the digits of text[from, to) make, or -1 when one of them is not a digit. */
function digitsAt(text: string, from: number, to: number): number {
	let n = 0;
	for (let i = from; i < to; i++) {
		const d = text.charCodeAt(i) - 0x30;
		if (d < 0 || d > 9) return -1;
		n = n * 10 + d;
	}
	return n;
}

/** What follows the fraction's digits in a key, by their count: zeros to nine digits, and Z. */
const KEY_END = [
	"000000000Z",
	"00000000Z",
	"0000000Z",
	"000000Z",
	"00000Z",
	"0000Z",
	"000Z",
	"00Z",
	"0Z",
	"Z",
];

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, read without a regular expression or a string cut more
 * than needed: what nearly every registry timestamp looks like. Undefined when it is not so
 * written, or not a valid date (the general parser then decides; it agrees on all of these).
 */
function parseUtc(text: string): Timestamp | undefined {
	const n = text.length;
	if (n < 20 || n > 30 || text.charCodeAt(n - 1) !== 0x5a /* Z */) return undefined;
	if (text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d || text.charCodeAt(10) !== 0x54)
		return undefined;
	if (text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a) return undefined;
	const year = digitsAt(text, 0, 4);
	const month = digitsAt(text, 5, 7);
	const day = digitsAt(text, 8, 10);
	const hour = digitsAt(text, 11, 13);
	const minute = digitsAt(text, 14, 16);
	const second = digitsAt(text, 17, 19);
	if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
	if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
	// Two short pieces joined by +: a rope no larger than the flat string, flattened when compared.
	if (n === 20) return { iso: text, key: `${text.slice(0, 19)}.000000000Z` };
	if (n === 21 || text.charCodeAt(19) !== 0x2e /* . */ || digitsAt(text, 20, n - 1) < 0) return undefined;
	let end = n - 1; // the fraction without its trailing zeros is [20, end)
	while (end > 20 && text.charCodeAt(end - 1) === 0x30) end--;
	const iso = end === n - 1 ? text : `${text.slice(0, end === 20 ? 19 : end)}Z`;
	const key = n === 30 ? text : text.slice(0, n - 1) + (KEY_END[n - 21] as string);
	return { iso, key };
}

/** Parses an RFC 3339 date-time (`Z` or an offset, optional fraction); undefined when invalid. */
export function parseTimestamp(text: string): Timestamp | undefined {
	const written = parseUtc(text);
	if (written) return written;
	// Fast path: already UTC, as registry data almost always is; no Date arithmetic needed.
	const f = UTC_FAST.exec(text);
	if (f) {
		const year = Number(f[1]);
		const month = Number(f[2]);
		const day = Number(f[3]);
		if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
		if (Number(f[4]) > 23 || Number(f[5]) > 59 || Number(f[6]) > 59) return undefined;
		const whole = text.slice(0, 19);
		const digits = f[7] ?? "";
		const trimmed = digits.replace(/0+$/, "");
		return stamp(trimmed ? [whole, ".", trimmed, "Z"] : [whole, "Z"], [
			whole,
			".",
			digits.padEnd(9, "0"),
			"Z",
		]);
	}
	const m = RFC3339.exec(text);
	if (!m) return undefined;
	const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
		number,
		number,
		number,
		number,
		number,
		number,
	];
	if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
	if (day > daysIn(year, month)) return undefined;
	let offsetMinutes = 0;
	if (!m[8]) {
		const oh = Number(m[10]);
		const om = Number(m[11]);
		if (oh > 23 || om > 59) return undefined;
		offsetMinutes = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
	}
	const base = new Date(0);
	base.setUTCFullYear(year, month - 1, day);
	base.setUTCHours(hour, minute, second, 0);
	const utc = new Date(base.getTime() - offsetMinutes * 60_000);
	const y = utc.getUTCFullYear();
	if (y < 0 || y > 9999) return undefined;
	const whole = `${pad(y, 4)}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}T${pad(utc.getUTCHours())}:${pad(utc.getUTCMinutes())}:${pad(utc.getUTCSeconds())}`;
	const fraction = (m[7] ?? "").slice(0, 9).padEnd(9, "0");
	const trimmed = fraction.replace(/0+$/, "");
	return stamp(trimmed ? [whole, ".", trimmed, "Z"] : [whole, "Z"], [whole, ".", fraction, "Z"]);
}

/**
 * A Timestamp of flat strings: joined, not concatenated, so a loaded registry keeps two short
 * strings per timestamp rather than ropes of pieces and the whole text they were cut from.
 */
function stamp(iso: string[], key: string[]): Timestamp {
	return { iso: iso.join(""), key: key.join("") };
}

/** A Date (millisecond precision) as a Timestamp. */
export function timestampFromDate(date: Date): Timestamp {
	const parsed = parseTimestamp(date.toISOString());
	if (!parsed) throw new RangeError(`date out of range: ${date.toISOString()}`);
	return parsed;
}
