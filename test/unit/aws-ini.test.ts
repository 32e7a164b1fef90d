/**
 * The AWS shared config / credentials file parser, held to the AWS SDK for JavaScript v3's
 * behaviour (`@smithy/core/config` parseIni + loadSharedConfigFiles): comments, sections and
 * their prefixes, sub-sections, merges, paths.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSharedFiles, parseIni, profileName, profileOf } from "../../src/aws/ini.ts";

const dirs: string[] = [];
afterAll(() => {
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempHome(): string {
	const d = mkdtempSync(join(tmpdir(), "aws-ini-"));
	dirs.push(d);
	return d;
}

/** The sections of a parsed text as a plain object, for whole-value comparisons. */
function sections(text: string): Record<string, Record<string, string>> {
	const out: Record<string, Record<string, string>> = {};
	for (const [name, values] of parseIni(text)) out[name] = { ...values };
	return out;
}

describe("parseIni: comments", () => {
	test("whole-line comments with # and ; are dropped, also when indented", () => {
		const text = ["# a comment", "; another", "[default]", "  # indented comment", "region = eu-west-1"].join(
			"\n",
		);
		expect(sections(text)).toEqual({ default: { region: "eu-west-1" } });
	});

	test("a comment after whitespace is removed from the value", () => {
		const text = [
			"[default]",
			"region = us-west-2 ; note",
			"output = text # why",
			"tab\t=\tvalue\t#\ttabbed comment",
		].join("\n");
		expect(sections(text)).toEqual({
			default: { region: "us-west-2", output: "text", tab: "value" },
		});
	});

	test("# or ; with no whitespace before them are part of the value", () => {
		const text = ["[default]", "output=json#x", "a=b;c", "url = http://h/p#frag"].join("\n");
		expect(sections(text)).toEqual({ default: { output: "json#x", a: "b;c", url: "http://h/p#frag" } });
	});

	test("a comment after a section header does not change the section name", () => {
		expect(sections("[profile dev] # the dev profile\nregion = eu-west-1")).toEqual({
			"profile.dev": { region: "eu-west-1" },
		});
	});
});

describe("parseIni: sections", () => {
	test("[profile x] becomes profile.x and [x] stays x", () => {
		const text = "[profile dev]\na = 1\n[dev]\nb = 2\n[default]\nc = 3";
		expect(sections(text)).toEqual({ "profile.dev": { a: "1" }, dev: { b: "2" }, default: { c: "3" } });
	});

	test("quoted profile names lose their quotes", () => {
		const text = "[profile 'sq']\na = 1\n[profile \"dq\"]\nb = 2";
		expect(sections(text)).toEqual({ "profile.sq": { a: "1" }, "profile.dq": { b: "2" } });
	});

	test("names may carry the characters the SDK allows (@ + . % : / -)", () => {
		expect(sections("[profile a-b@c+d.e%f:g/h_i]\nk = v")).toEqual({
			"profile.a-b@c+d.e%f:g/h_i": { k: "v" },
		});
	});

	test("sso-session and services sections keep their prefix", () => {
		const text =
			"[sso-session my-sso]\nsso_region = us-east-1\n[services my-svc]\ns3 =\n  endpoint_url = http://x";
		expect(sections(text)).toEqual({
			"sso-session.my-sso": { sso_region: "us-east-1" },
			"services.my-svc": { "s3.endpoint_url": "http://x" },
		});
	});

	test("an unknown prefix ignores the section and every key under it", () => {
		const text = "[default]\na = 1\n[unknown thing]\nb = 2\nc = 3\n[profile x]\nd = 4";
		expect(sections(text)).toEqual({ default: { a: "1" }, "profile.x": { d: "4" } });
	});

	test("headers that do not match the prefix pattern keep their raw text", () => {
		const text = '[profile   spaced]\na = 1\n[ profile x ]\nb = 2\n[profile "two words"]\nc = 3';
		expect(sections(text)).toEqual({
			"profile   spaced": { a: "1" },
			" profile x ": { b: "2" },
			'profile "two words"': { c: "3" },
		});
	});

	test("a repeated section merges into the first, later keys winning", () => {
		const text = "[default]\na = 1\nb = 2\n[other]\nx = 9\n[default]\nb = 3\nc = 4";
		expect(sections(text)).toEqual({ default: { a: "1", b: "3", c: "4" }, other: { x: "9" } });
	});

	test("key = value lines before any section are ignored", () => {
		expect(sections("orphan = 1\n[default]\na = 2")).toEqual({ default: { a: "2" } });
	});

	test("CRLF line endings are handled", () => {
		expect(sections("[default]\r\nregion = eu-west-1\r\noutput = json\r\n")).toEqual({
			default: { region: "eu-west-1", output: "json" },
		});
	});
});

describe("parseIni: keys and values", () => {
	test("keys are case-sensitive", () => {
		expect(sections("[default]\nRegion = a\nregion = b")).toEqual({ default: { Region: "a", region: "b" } });
	});

	test("quotes are not stripped from values", () => {
		expect(sections("[default]\na = \"double\"\nb = 'single'")).toEqual({
			default: { a: '"double"', b: "'single'" },
		});
	});

	test("a line is split at its first =; keys and values are trimmed", () => {
		expect(sections("[default]\n  key   =   a = b  ")).toEqual({ default: { key: "a = b" } });
	});

	test("lines without =, or starting with =, are ignored", () => {
		expect(sections("[default]\njust words\n= value\nk = v")).toEqual({ default: { k: "v" } });
	});

	test("sub-sections: `s3 =` then indented lines give s3.k, closed by the next non-indented line", () => {
		const text = [
			"[default]",
			"s3 =",
			"  max_concurrent_requests = 10",
			"\taddressing_style = path",
			"region = us-east-1",
			"  after_close = x",
		].join("\n");
		expect(sections(text)).toEqual({
			default: {
				"s3.max_concurrent_requests": "10",
				"s3.addressing_style": "path",
				region: "us-east-1",
				after_close: "x",
			},
		});
	});

	test("a sub-section is closed by a new section, and an indented line without = does not close it", () => {
		const text = [
			"[default]",
			"s3 =",
			"  a = 1",
			"  continuation without equals",
			"  b = 2",
			"[profile p]",
			"  c = 3",
		].join("\n");
		expect(sections(text)).toEqual({ default: { "s3.a": "1", "s3.b": "2" }, "profile.p": { c: "3" } });
	});

	test("an empty value never becomes a key of its own", () => {
		const values = parseIni("[default]\nempty =\nk = v").get("default");
		expect(values).toBeDefined();
		expect(Object.keys(values ?? {})).toEqual(["k"]);
	});
});

describe("loadSharedFiles / profileOf", () => {
	function files(config: string | undefined, credentials: string | undefined) {
		const home = tempHome();
		const env: Record<string, string> = {
			HOME: home,
			AWS_CONFIG_FILE: join(home, "config"),
			AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
		};
		if (config !== undefined) writeFileSync(env.AWS_CONFIG_FILE as string, config);
		if (credentials !== undefined) writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE as string, credentials);
		return { env, files: loadSharedFiles(env) };
	}

	test("config file: [default] and [profile x] are profiles; a plain [x] is ignored", () => {
		const { files: f } = files("[default]\na = 1\n[profile dev]\nb = 2\n[plain]\nc = 3", undefined);
		expect([...f.config.keys()].sort()).toEqual(["default", "dev"]);
		expect(profileOf(f, "dev")).toEqual({ b: "2" });
		expect(profileOf(f, "plain")).toBeUndefined();
		expect(profileOf(f, "profile.dev")).toBeUndefined();
	});

	test("config file: [profile default] replaces [default] wholesale", () => {
		const { files: f } = files(
			"[default]\nonly_plain = 1\nshared = plain\n[profile default]\nshared = prof",
			"",
		);
		expect(profileOf(f, "default")).toEqual({ shared: "prof" });
	});

	test("config file: [profile default] wins even when it comes first", () => {
		const { files: f } = files("[profile default]\nshared = prof\n[default]\nonly_plain = 1", "");
		expect(profileOf(f, "default")).toEqual({ shared: "prof" });
	});

	test("credentials file: [profile x] is the profile literally named profile.x", () => {
		const { files: f } = files(undefined, "[profile dev]\naws_access_key_id = AKIDEV\n[dev2]\nk = v");
		expect(profileOf(f, "dev")).toBeUndefined();
		expect(profileOf(f, "profile.dev")).toEqual({ aws_access_key_id: "AKIDEV" });
		expect(profileOf(f, "dev2")).toEqual({ k: "v" });
	});

	test("config and credentials merge key by key, the credentials file winning", () => {
		const { files: f } = files(
			"[profile p]\nregion = eu-west-1\nfrom_config = c\nboth = config",
			"[p]\nboth = credentials\nfrom_credentials = k",
		);
		expect(profileOf(f, "p")).toEqual({
			region: "eu-west-1",
			from_config: "c",
			both: "credentials",
			from_credentials: "k",
		});
	});

	test("a profile only in one file is still found", () => {
		const { files: f } = files("[profile c]\na = 1", "[k]\nb = 2");
		expect(profileOf(f, "c")).toEqual({ a: "1" });
		expect(profileOf(f, "k")).toEqual({ b: "2" });
		expect(profileOf(f, "neither")).toBeUndefined();
	});

	test("missing files count as empty", () => {
		const { files: f } = files(undefined, undefined);
		expect(f.config.size).toBe(0);
		expect(f.credentials.size).toBe(0);
		expect(profileOf(f, "default")).toBeUndefined();
	});

	test("default paths are ~/.aws/config and ~/.aws/credentials under HOME", () => {
		const home = tempHome();
		mkdirSync(join(home, ".aws"));
		writeFileSync(join(home, ".aws", "config"), "[default]\nregion = eu-west-1\n");
		writeFileSync(join(home, ".aws", "credentials"), "[default]\naws_access_key_id = AKIAHOME\n");
		const f = loadSharedFiles({ HOME: home });
		expect(f.configPath).toBe(join(home, ".aws", "config"));
		expect(f.credentialsPath).toBe(join(home, ".aws", "credentials"));
		expect(profileOf(f, "default")).toEqual({ region: "eu-west-1", aws_access_key_id: "AKIAHOME" });
	});

	test("~/ in AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE is expanded with HOME", () => {
		const home = tempHome();
		mkdirSync(join(home, "custom"));
		writeFileSync(join(home, "custom", "cfg"), "[profile x]\na = 1\n");
		writeFileSync(join(home, "custom", "creds"), "[x]\nb = 2\n");
		const f = loadSharedFiles({
			HOME: home,
			AWS_CONFIG_FILE: "~/custom/cfg",
			AWS_SHARED_CREDENTIALS_FILE: "~/custom/creds",
		});
		expect(f.configPath).toBe(join(home, "custom", "cfg"));
		expect(f.credentialsPath).toBe(join(home, "custom", "creds"));
		expect(profileOf(f, "x")).toEqual({ a: "1", b: "2" });
	});

	test("without HOME, USERPROFILE is the home directory", () => {
		const home = tempHome();
		mkdirSync(join(home, ".aws"));
		writeFileSync(join(home, ".aws", "credentials"), "[default]\nk = v\n");
		const f = loadSharedFiles({ USERPROFILE: home });
		expect(f.credentialsPath).toBe(join(home, ".aws", "credentials"));
		expect(profileOf(f, "default")).toEqual({ k: "v" });
	});

	test("the files are read from the env given, not from process.env", () => {
		const a = files("[default]\nwhich = a", undefined);
		const b = files("[default]\nwhich = b", undefined);
		expect(profileOf(a.files, "default")).toEqual({ which: "a" });
		expect(profileOf(b.files, "default")).toEqual({ which: "b" });
	});
});

describe("profileName", () => {
	test("AWS_PROFILE selects the profile; default otherwise", () => {
		expect(profileName({ AWS_PROFILE: "dev" })).toBe("dev");
		expect(profileName({})).toBe("default");
		expect(profileName({ AWS_PROFILE: "" })).toBe("default");
	});

	test("AWS_DEFAULT_PROFILE is ignored, as the JS SDK does", () => {
		expect(profileName({ AWS_DEFAULT_PROFILE: "dev" })).toBe("default");
	});

	test("the selected profile's values come through profileOf", () => {
		const home = tempHome();
		writeFileSync(join(home, "config"), "[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\n");
		const env = { HOME: home, AWS_CONFIG_FILE: join(home, "config"), AWS_PROFILE: "dev" };
		expect(profileOf(loadSharedFiles(env), profileName(env))?.region).toBe("eu-west-1");
	});
});
