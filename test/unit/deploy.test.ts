/**
 * The deployment files stay in step with the code: the compose file's registry environment is
 * a configuration the registry accepts, and its S3 endpoint is addressed the way it must be.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { s3ObjectUrl } from "../../src/aws/endpoints.ts";
import { loadConfig } from "../../src/config.ts";

const ROOT = join(import.meta.dir, "..", "..");

describe("docker-compose.yml", () => {
	const compose = Bun.YAML.parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8")) as {
		services: Record<string, { environment?: Record<string, string>; build?: string; volumes?: string[] }>;
	};
	const env = compose.services.registry?.environment ?? {};

	test("the registry's environment is a valid configuration with no unknown variables", () => {
		const { config, warnings } = loadConfig(env);
		expect(warnings).toEqual([]);
		expect(config.sqsEnabled).toBe(true);
		expect(config.sqsQueueUrl).toBe(env.MCP_REGISTRY_SQS_QUEUE_URL);
		expect(config.s3ForcePathStyle).toBe(true);
	});

	test("S3 requests to LocalStack go path-style to the service name", () => {
		const url = s3ObjectUrl({
			bucket: "registry",
			key: "registry.json",
			region: "us-east-1",
			endpoint: new URL(env.AWS_ENDPOINT_URL as string),
			forcePathStyle: true,
		});
		expect(url).toBe("http://localstack:4566/registry/registry.json");
	});

	test("the image is built from this repository and keeps its data in a volume", () => {
		expect(compose.services.registry?.build).toBe(".");
		expect(compose.services.registry?.volumes).toContain("registry-data:/data");
		const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
		expect(dockerfile).toContain("MCP_REGISTRY_JSON_FILE_PATH=/data/registry.json");
		expect(dockerfile).toMatch(/^USER nonroot$/m);
		const init = readFileSync(join(ROOT, "deploy", "localstack-init.sh"), "utf8");
		expect(init).toContain("--queue-name registry-updates ");
		expect(env.MCP_REGISTRY_SQS_QUEUE_URL).toEndWith("/registry-updates");
	});
});
