/**
 * The fallback region (RegionResolver) from the environment alone: which names it accepts. The
 * profile and instance-metadata sources are tested with their servers in
 * test/integration/aws-credentials.test.ts.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RegionResolver } from "../../src/aws/region.ts";

/** A home without ~/.aws: the environment is the only source. */
const home = mkdtempSync(join(tmpdir(), "registry-region-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("region names", () => {
	test("the fallback region accepts S3-compatible names such as auto, and still refuses host-breaking ones", async () => {
		expect(
			await new RegionResolver({
				env: { AWS_REGION: "auto", HOME: home, AWS_EC2_METADATA_DISABLED: "true" },
			}).region(),
		).toBe("auto");
		await expect(
			new RegionResolver({
				env: { AWS_REGION: "a.b/c", HOME: home, AWS_EC2_METADATA_DISABLED: "true" },
			}).region(),
		).rejects.toThrow("AWS_REGION is not a region name");
	});
});
