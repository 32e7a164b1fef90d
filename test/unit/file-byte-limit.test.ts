/**
 * MCP_REGISTRY_MAX_FILE_BYTES, and MCP_REGISTRY_S3_MAX_BYTES its older name: the largest registry
 * file a load takes, local or from S3. The new name wins when both are set.
 */
import { describe, expect, test } from "bun:test";
import { fileByteLimit, fileByteLimitOf } from "../../src/config/variables.ts";
import { loadConfig } from "../../src/config.ts";

const env = (vars: Record<string, string>) =>
	Object.fromEntries(Object.entries(vars).map(([k, v]) => [`MCP_REGISTRY_${k}`, v]));

const limit = (vars: Record<string, string>) => fileByteLimit(loadConfig(env(vars)).config);

describe("the largest registry file", () => {
	test("256 MiB by default", () => {
		expect(limit({})).toBe(268435456);
		expect(fileByteLimitOf({})).toBe(268435456);
	});

	test("MAX_FILE_BYTES, or its older name S3_MAX_BYTES; the new name wins when both are set", () => {
		for (const [vars, bytes] of [
			[{ MAX_FILE_BYTES: "64MiB" }, 64 * 2 ** 20],
			[{ S3_MAX_BYTES: "1GB" }, 1e9],
			[{ MAX_FILE_BYTES: "1KiB", S3_MAX_BYTES: "1GiB" }, 1024],
			[{ MAX_FILE_BYTES: "2GiB", S3_MAX_BYTES: "1" }, 2 * 2 ** 30],
		] as [Record<string, string>, number][]) {
			expect(limit(vars), JSON.stringify(vars)).toBe(bytes);
			expect(fileByteLimitOf(env(vars)), JSON.stringify(vars)).toBe(bytes);
		}
	});

	test("a malformed value is refused naming the variable, by the server and by validate", () => {
		expect(() => loadConfig(env({ MAX_FILE_BYTES: "0" }))).toThrow(
			"MCP_REGISTRY_MAX_FILE_BYTES must be a positive byte count",
		);
		expect(() => fileByteLimitOf(env({ MAX_FILE_BYTES: "lots" }))).toThrow(
			'MCP_REGISTRY_MAX_FILE_BYTES must be a positive byte count, optionally with a unit (KiB, MiB, GiB, KB, MB, GB) (got "lots")',
		);
		expect(() => fileByteLimitOf(env({ S3_MAX_BYTES: "-1" }))).toThrow("MCP_REGISTRY_S3_MAX_BYTES must be");
	});

	test("no unknown-variable warning for either name", () => {
		expect(loadConfig(env({ MAX_FILE_BYTES: "1MiB", S3_MAX_BYTES: "1MiB" })).warnings).toEqual([]);
	});
});
