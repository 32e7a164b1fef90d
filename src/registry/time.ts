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

/** Parses an RFC 3339 date-time (`Z` or an offset, optional fraction); undefined when invalid. */
export function parseTimestamp(text: string): Timestamp | undefined {
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
