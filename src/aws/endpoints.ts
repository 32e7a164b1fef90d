/**
 * Where requests go: partitions and DNS suffixes, regions read from SQS queue URLs and S3
 * hosts, the SDK's endpoint overrides, and S3 object URLs (virtual-hosted or path-style).
 */

import { escapeControl, firstControlCharacter } from "../log.ts";
import { redactUrl } from "../redact.ts";

export const REGION_PATTERN = /^[a-z]{2,4}(?:-[a-z]+)+-\d+$/;

/** The DNS suffix of a region's partition. */
export function dnsSuffix(region: string): string {
	if (/^cn-/.test(region)) return "amazonaws.com.cn";
	if (/^eusc-/.test(region)) return "amazonaws.eu";
	if (/^us-isob-/.test(region)) return "sc2s.sgov.gov";
	if (/^us-isof-/.test(region)) return "csp.hci.ic.gov";
	if (/^us-iso-/.test(region)) return "c2s.ic.gov";
	if (/^eu-isoe-/.test(region)) return "cloud.adc-e.uk";
	return "amazonaws.com";
}

/** The region named by an SQS queue URL's host, or undefined (a local or custom endpoint). */
export function regionFromQueueUrl(queueUrl: string): string | undefined {
	let host: string;
	try {
		host = new URL(queueUrl).hostname.toLowerCase();
	} catch {
		return undefined;
	}
	if (host === "queue.amazonaws.com") return "us-east-1";
	const patterns = [
		/^sqs(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/,
		/^sqs(?:-fips)?\.([a-z0-9-]+)\.api\.aws$/,
		/^sqs(?:-fips)?\.([a-z0-9-]+)\.api\.amazonwebservices\.com\.cn$/,
		/^([a-z0-9-]+)\.queue\.amazonaws\.com(?:\.cn)?$/,
		/^vpce-[a-z0-9-]+\.sqs\.([a-z0-9-]+)\.vpce\.amazonaws\.com(?:\.cn)?$/,
	];
	for (const p of patterns) {
		const m = p.exec(host);
		if (m && REGION_PATTERN.test(m[1] as string)) return m[1];
	}
	return undefined;
}

/**
 * A name for a message: quoted with escapes, short, and only up to its first control character
 * — what follows a line break is what a forger wants in the log (`x\n… INFO  Database reloaded…`).
 */
function quoteName(name: string, max = 80): string {
	const cut = firstControlCharacter(name);
	const upTo = cut >= 0 ? name.slice(0, cut + 1) : name;
	const shown = upTo.slice(0, max);
	return escapeControl(JSON.stringify(shown.length < name.length ? `${shown}…` : shown));
}

const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/** Which of S3's bucket naming rules (general purpose buckets) `bucket` breaks, if any. */
function bucketRule(bucket: string): string | undefined {
	if (bucket.length < 3 || bucket.length > 63) return "it must be 3 to 63 characters long";
	if (!/^[a-z0-9.-]+$/.test(bucket)) return "it may contain only lowercase letters, digits, dots and hyphens";
	if (!/^[a-z0-9].*[a-z0-9]$/.test(bucket)) return "it must begin and end with a letter or digit";
	if (bucket.includes("..")) return "it has two adjacent dots";
	if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return "it is formatted as an IP address";
	const prefix = RESERVED_PREFIXES.find((p) => bucket.startsWith(p));
	if (prefix) return `the prefix ${JSON.stringify(prefix)} is reserved`;
	const suffix = RESERVED_SUFFIXES.find((x) => bucket.endsWith(x));
	if (suffix) return `the suffix ${JSON.stringify(suffix)} is reserved`;
	return undefined;
}

/**
 * Why `bucket` cannot be an S3 bucket's name (S3's naming rules), or undefined. A name from a
 * message goes into a request's host or path: anything else (`registry?list-type=2&x=`, `..`) would
 * send another request than the one the log names.
 */
export function bucketNameProblem(bucket: string): string | undefined {
	const rule = bucketRule(bucket);
	return rule && `the bucket name ${quoteName(bucket)} is not an S3 bucket name: ${rule}`;
}

const MAX_KEY_BYTES = 1024;

/**
 * Why `key` is refused as an object key from a message, or undefined: a control character (it
 * would end up in logs and file names), a "." or ".." segment (no URL can carry it), or more than
 * S3's 1024 bytes.
 */
export function objectKeyProblem(key: string): string | undefined {
	if (firstControlCharacter(key) >= 0) return `the object key ${quoteName(key)} has a control character`;
	if (key.split("/").some((seg) => seg === "." || seg === "..")) {
		return `the object key ${quoteName(key)} has a "." or ".." segment, which an S3 URL cannot fetch`;
	}
	if (Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES) {
		return `the object key ${quoteName(key)} is longer than ${MAX_KEY_BYTES} bytes`;
	}
	return undefined;
}

export interface S3Location {
	bucket: string;
	key: string;
	/** The region the URL names (undefined for s3:// URLs). */
	region?: string;
	versionId?: string;
}

/** A URL for a message: without user information, quoted as a name is (up to 200 characters). */
function quoteUrl(url: string): string {
	return quoteName(redactUrl(url), 200);
}

export class S3UrlError extends Error {
	constructor(url: string, reason: string) {
		super(`not an S3 object URL: ${quoteUrl(url)}: ${reason}`);
		this.name = "S3UrlError";
	}
}

const NO_USERINFO = "an S3 object URL has no user name or password";

const LEGACY_DASH_REGION = /^s3-((?:external-1)|[a-z]{2}(?:-[a-z]+)+-\d+)$/;

/**
 * Reads `s3://bucket/key` and the https forms AWS serves: virtual-hosted and path-style, with
 * or without a region, legacy `s3-region`, dual-stack, FIPS, and the China partition. The key of
 * an https URL is percent-decoded once; `?versionId=` selects a version.
 */
export function parseS3Url(input: string): S3Location {
	let url: URL;
	try {
		url = new URL(input);
	} catch {
		throw new S3UrlError(input, "not a URL");
	}
	const versionId = url.searchParams.get("versionId") ?? undefined;
	if (url.protocol === "s3:") {
		// An s3:// URI carries the key as it is (as the AWS CLI reads it): no percent-decoding,
		// `?` and `#` literal; only a trailing `?versionId=…` selects a version.
		const m = /^s3:\/\/([^/]+)\/(.*?)(?:\?versionId=([^&#]+))?$/is.exec(input);
		if (!m?.[1]) throw new S3UrlError(input, "expected s3://bucket/key");
		if (m[1].includes("@")) throw new S3UrlError(input, NO_USERINFO);
		if (!m[2]) throw new S3UrlError(input, "the key is empty");
		checkNames(input, m[1], m[2]);
		return { bucket: m[1], key: m[2], ...(m[3] ? { versionId: decodeOnce(input, m[3]) } : {}) };
	}
	if (url.protocol !== "https:") throw new S3UrlError(input, "expected an s3:// or https:// URL");
	if (url.username || url.password) throw new S3UrlError(input, NO_USERINFO);
	const host = url.hostname.toLowerCase();
	const suffix = /\.amazonaws\.com(?:\.cn)?$/.exec(host);
	if (!suffix) throw new S3UrlError(input, "the host is not an amazonaws.com S3 endpoint");
	const labels = host.slice(0, suffix.index).split(".");
	let j = labels.length - 1;
	let region: string | undefined;
	if (REGION_PATTERN.test(labels[j] ?? "")) region = labels[j--];
	if (labels[j] === "dualstack") j--;
	const s3Label = labels[j] ?? "";
	if (/^s3(?:-fips)?$/.test(s3Label)) {
		j--;
	} else {
		const dash = LEGACY_DASH_REGION.exec(s3Label);
		if (!dash || region !== undefined) throw new S3UrlError(input, "the host is not an S3 endpoint");
		region = dash[1] === "external-1" ? "us-east-1" : dash[1];
		j--;
	}
	region ??= suffix[0].endsWith(".cn") ? undefined : "us-east-1";
	if (region === undefined) throw new S3UrlError(input, "a China-partition URL must name its region");
	// The raw path: URL parsing would resolve "." and ".." segments into another key.
	const path = /^https:\/\/[^/?#]*(\/[^?#]*)/i.exec(input)?.[1] ?? "/";
	let bucket: string;
	let rawKey: string;
	if (j >= 0) {
		bucket = labels.slice(0, j + 1).join(".");
		rawKey = path.slice(1);
	} else {
		const slash = path.indexOf("/", 1);
		if (slash < 0) throw new S3UrlError(input, "a path-style URL needs /bucket/key");
		bucket = path.slice(1, slash);
		rawKey = path.slice(slash + 1);
	}
	if (!bucket) throw new S3UrlError(input, "the bucket is empty");
	if (!rawKey) throw new S3UrlError(input, "the key is empty");
	const key = decodeOnce(input, rawKey);
	checkNames(input, bucket, key);
	return { bucket, key, region, ...(versionId ? { versionId } : {}) };
}

function checkNames(input: string, bucket: string, key: string): void {
	const problem = bucketNameProblem(bucket) ?? objectKeyProblem(key);
	if (problem) throw new S3UrlError(input, problem);
}

function decodeOnce(input: string, raw: string): string {
	try {
		return decodeURIComponent(raw);
	} catch {
		throw new S3UrlError(input, "the key has an invalid percent-escape");
	}
}

/** An S3 key as a URL path: each segment encoded, `!'()*` too, `/` kept (the SDK's wire form). */
export function encodeS3Key(key: string): string {
	return key
		.split("/")
		.map((s) =>
			encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
		)
		.join("/");
}

export type ServiceId = "sqs" | "s3" | "sts";

const ENV_SERVICE: Record<ServiceId, string> = { sqs: "SQS", s3: "S3", sts: "STS" };

/**
 * A malformed AWS_ENDPOINT_URL* variable: a configuration error (start-up says so and exits 2).
 * The message names the variable and shows the value without its user information.
 */
export class EndpointConfigError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "EndpointConfigError";
	}
}

/** AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL; undefined when neither is set. */
export function endpointOverride(
	service: ServiceId,
	env: Record<string, string | undefined>,
): URL | undefined {
	const specific = `AWS_ENDPOINT_URL_${ENV_SERVICE[service]}`;
	const variable = env[specific] ? specific : "AWS_ENDPOINT_URL";
	const raw = env[variable];
	if (!raw) return undefined;
	const shown = escapeControl(JSON.stringify(redactUrl(raw)));
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new EndpointConfigError(`${variable}: not a URL: ${shown}`);
	}
	if (url.protocol !== "http:" && url.protocol !== "https:") {
		throw new EndpointConfigError(`${variable}: must be an http:// or https:// URL (got ${shown})`);
	}
	return url;
}

/** Checks every endpoint override at once (at start-up); throws EndpointConfigError. */
export function checkEndpointOverrides(env: Record<string, string | undefined>): void {
	for (const service of Object.keys(ENV_SERVICE) as ServiceId[]) endpointOverride(service, env);
}

const IP_HOST = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/i;

function isDnsCompatible(bucket: string): boolean {
	return /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket) && !bucket.includes("..");
}

export interface S3UrlOptions {
	bucket: string;
	key: string;
	region: string;
	versionId?: string;
	endpoint?: URL;
	forcePathStyle?: boolean;
}

/** The URL a GetObject goes to. */
/** A region that can stand in a host name (AWS regions, and names like `auto`). */
export const REGION_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function s3ObjectUrl(o: S3UrlOptions): string {
	// The region becomes part of the host: never let anything else through (a message, a redirect).
	if (!REGION_LABEL.test(o.region))
		throw new Error(`not a region name: ${JSON.stringify(o.region).slice(0, 80)}`);
	if (o.key.split("/").some((s) => s === "." || s === "..")) {
		throw new Error(`the S3 key ${JSON.stringify(o.key)} has a "." or ".." segment, which URLs cannot carry`);
	}
	const path = encodeS3Key(o.key);
	const query = o.versionId ? `?versionId=${encodeURIComponent(o.versionId)}` : "";
	if (o.endpoint) {
		const base = o.endpoint;
		const pathStyle =
			o.forcePathStyle ||
			IP_HOST.test(base.hostname) ||
			base.hostname === "localhost" ||
			!isDnsCompatible(o.bucket);
		const prefix = base.pathname.replace(/\/+$/, "");
		if (pathStyle) return `${base.protocol}//${base.host}${prefix}/${o.bucket}/${path}${query}`;
		return `${base.protocol}//${o.bucket}.${base.host}${prefix}/${path}${query}`;
	}
	const host = `s3.${o.region}.${dnsSuffix(o.region)}`;
	if (o.forcePathStyle || !isDnsCompatible(o.bucket)) return `https://${host}/${o.bucket}/${path}${query}`;
	return `https://${o.bucket}.${host}/${path}${query}`;
}

export function stsEndpoint(region: string, env: Record<string, string | undefined>): string {
	const override = endpointOverride("sts", env);
	if (override) return override.href;
	return `https://sts.${region}.${dnsSuffix(region)}/`;
}
