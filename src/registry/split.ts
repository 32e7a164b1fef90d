/**
 * Finds the entries of a registry file without parsing it whole: the byte ranges of the elements
 * of the top-level array, or of the top-level object's "servers" array. Each entry is then
 * parsed on its own, so a 50 MB file never becomes one 50 MB object graph. Anything this scanner
 * does not recognise returns undefined, and the caller parses the whole text instead (which also
 * gives the precise position of a syntax error).
 */
import { drain, type Steps } from "./pace.ts";

export interface SplitFile {
	top: "array" | "object";
	/** [start, end) byte ranges of each entry. */
	ranges: number[];
	/** The file with the entries' array emptied: parsed to validate everything else. */
	skeleton: Uint8Array;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number): boolean {
	return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The index after the string that opens at `i`, or -1. */
function skipString(b: Uint8Array, i: number): number {
	let j = i + 1;
	for (;;) {
		const q = b.indexOf(QUOTE, j);
		if (q < 0) return -1;
		let slashes = 0;
		for (let k = q - 1; k > i && b[k] === BACKSLASH; k--) slashes++;
		if (slashes % 2 === 0) return q + 1;
		j = q + 1;
	}
}

/** The index after the value that starts at `i` (any JSON value), or -1. Brackets only balanced, not validated. */
function skipValue(b: Uint8Array, i: number): number {
	const n = b.length;
	const c = b[i];
	if (c === QUOTE) return skipString(b, i);
	if (c !== 0x7b && c !== 0x5b) {
		// A number or literal: up to the next structural byte.
		let j = i;
		while (j < n) {
			const d = b[j] as number;
			if (d === 0x2c || d === 0x5d || d === 0x7d || isSpace(d)) break;
			j++;
		}
		return j > i ? j : -1;
	}
	let depth = 0;
	let j = i;
	while (j < n) {
		const d = b[j] as number;
		if (d === QUOTE) {
			j = skipString(b, j);
			if (j < 0) return -1;
			continue;
		}
		if (d === 0x7b || d === 0x5b) depth++;
		else if (d === 0x7d || d === 0x5d) {
			depth--;
			if (depth === 0) return j + 1;
		}
		j++;
	}
	return -1;
}

function skipSpace(b: Uint8Array, i: number): number {
	while (i < b.length && isSpace(b[i] as number)) i++;
	return i;
}

/** Element ranges of the array opening at `i`; `end` is the index after its `]`. */
function* arrayElements(b: Uint8Array, i: number): Steps<{ ranges: number[]; end: number } | undefined> {
	const ranges: number[] = [];
	let j = skipSpace(b, i + 1);
	if (b[j] === 0x5d) return { ranges, end: j + 1 };
	for (;;) {
		if (ranges.length % 2048 === 0) yield;
		const start = j;
		const end = skipValue(b, j);
		if (end < 0) return undefined;
		ranges.push(start, end);
		j = skipSpace(b, end);
		if (b[j] === 0x2c) {
			j = skipSpace(b, j + 1);
			continue;
		}
		if (b[j] === 0x5d) return { ranges, end: j + 1 };
		return undefined;
	}
}

const SERVERS = new TextEncoder().encode('"servers"');

function isServersKey(b: Uint8Array, i: number, end: number): boolean {
	if (end - i !== SERVERS.length) return false;
	for (let k = 0; k < SERVERS.length; k++) if (b[i + k] !== SERVERS[k]) return false;
	return true;
}

export function splitRegistry(b: Uint8Array): SplitFile | undefined {
	return drain(splitSteps(b));
}

export function* splitSteps(b: Uint8Array): Steps<SplitFile | undefined> {
	let i = 0;
	if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3; // BOM
	i = skipSpace(b, i);
	if (b[i] === 0x5b) {
		const arr = yield* arrayElements(b, i);
		if (!arr || skipSpace(b, arr.end) !== b.length) return undefined;
		return { top: "array", ranges: arr.ranges, skeleton: new TextEncoder().encode("[]") };
	}
	if (b[i] !== 0x7b) return undefined;
	// Top-level object: find its "servers" key (exactly once) and that array's elements.
	let found: { ranges: number[]; open: number; end: number } | undefined;
	let j = skipSpace(b, i + 1);
	if (b[j] === 0x7d) return undefined;
	for (;;) {
		if (b[j] !== QUOTE) return undefined;
		const keyEnd = skipString(b, j);
		if (keyEnd < 0) return undefined;
		const servers = isServersKey(b, j, keyEnd);
		j = skipSpace(b, keyEnd);
		if (b[j] !== 0x3a) return undefined;
		j = skipSpace(b, j + 1);
		if (servers) {
			if (found || b[j] !== 0x5b) return undefined;
			const arr = yield* arrayElements(b, j);
			if (!arr) return undefined;
			found = { ranges: arr.ranges, open: j, end: arr.end };
			j = arr.end;
		} else {
			j = skipValue(b, j);
			if (j < 0) return undefined;
		}
		j = skipSpace(b, j);
		if (b[j] === 0x2c) {
			j = skipSpace(b, j + 1);
			continue;
		}
		if (b[j] === 0x7d) break;
		return undefined;
	}
	if (!found || skipSpace(b, j + 1) !== b.length) return undefined;
	const skeleton = new Uint8Array(found.open + 2 + (b.length - found.end));
	skeleton.set(b.subarray(0, found.open + 1), 0);
	skeleton[found.open + 1] = 0x5d;
	skeleton.set(b.subarray(found.end), found.open + 2);
	return { top: "object", ranges: found.ranges, skeleton };
}
