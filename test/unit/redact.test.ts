/**
 * Redaction (issue 10, "Secrets"): the user information of a URL never shows — in a single URL,
 * valid or not, and in a text that names URLs (an error message).
 */
import { describe, expect, test } from "bun:test";
import { redactRegistryUrl, redactText, redactUrl } from "../../src/redact.ts";

describe("redactUrl", () => {
	const cases: [string, string][] = [
		["http://user:s3cret@registry.example/v0/servers", "http://***@registry.example/v0/servers"],
		["https://token@registry.example/v0/servers?limit=5", "https://***@registry.example/v0/servers?limit=5"],
		["http://us%40er:pa%3Ass@host:8080/", "http://***@host:8080/"],
		// The last @ of the authority ends the user information.
		["http://user:p@ss@host/x@y", "http://***@host/x@y"],
		// Not valid URLs: still no password.
		["http://user:s3cret@127.0.0.1:99999/", "http://***@127.0.0.1:99999/"],
		["http://user:pa/ss@host/", "http://***@host/"],
		["http://user:pa ss@host/", "http://***@host/"],
		["user:s3cret@localhost:4566", "***@localhost:4566"],
		// Nothing to hide.
		["http://registry.example/v0/servers", "http://registry.example/v0/servers"],
		["https://example.com/a@b", "https://example.com/a@b"],
		["s3://registry/registry.json", "s3://registry/registry.json"],
		["data/registry.json", "data/registry.json"],
		["seed@v2.json", "seed@v2.json"],
		["data/a:b@c.json", "data/a:b@c.json"],
		["", ""],
	];
	for (const [input, shown] of cases) {
		test(JSON.stringify(input), () => {
			expect(redactUrl(input)).toBe(shown);
		});
	}

	test("a URL object is shown by its href, redacted", () => {
		expect(redactUrl(new URL("http://user:s3cret@host/v0/servers?cursor=a"))).toBe(
			"http://***@host/v0/servers?cursor=a",
		);
	});
});

describe("redactText", () => {
	test("every URL in a message loses its user information; the rest stays", () => {
		expect(redactText("http://user:s3cret@host/v0/servers?limit=100&cursor=x: HTTP 500")).toBe(
			"http://***@host/v0/servers?limit=100&cursor=x: HTTP 500",
		);
		expect(
			redactText(
				'MCP_REGISTRY_SEED_FROM must be a URL (got "http://a:b@one/x"), see https://c:d@two/y and mail@example.com',
			),
		).toBe(
			'MCP_REGISTRY_SEED_FROM must be a URL (got "http://***@one/x"), see https://***@two/y and mail@example.com',
		);
		expect(redactText("no URL here")).toBe("no URL here");
		expect(redactText('["http://host/a","b@c"]')).toBe('["http://host/a","b@c"]');
	});
});

describe("a password with /, ? or # in it, in a text", () => {
	test("is redacted up to the last @ of its word", () => {
		for (const pw of ["pa/ssw0rd", "pa?ss", "pa#ss"]) {
			const text = `MCP_REGISTRY_SQS_QUEUE_URL must be a queue URL (got "https://admin:${pw}@sqs.us-east-1.amazonaws.com/1/q")`;
			const out = redactText(text);
			expect(out).not.toContain(pw);
			expect(out).toContain("https://***@sqs.us-east-1.amazonaws.com/1/q");
		}
		// A URL without user information is left alone.
		expect(redactText("see https://example.com/a?b=c#d for more")).toBe(
			"see https://example.com/a?b=c#d for more",
		);
	});
});

describe("redactRegistryUrl", () => {
	test("query values other than the API's are hidden: an api_key in a source URL is never shown nor recorded", () => {
		expect(redactRegistryUrl("http://a:b@h/x?api_key=SECRET&limit=5")).toBe(
			"http://***@h/x?api_key=***&limit=5",
		);
		expect(
			redactRegistryUrl("https://h/v0.1/servers?limit=100&cursor=a%2Fb&updated_since=2025-01-01T00:00:00Z"),
		).toBe("https://h/v0.1/servers?limit=100&cursor=a%2Fb&updated_since=2025-01-01T00:00:00Z");
		expect(redactRegistryUrl("http://h/?token=a%20b&version=latest")).toBe(
			"http://h/?token=***&version=latest",
		);
		expect(redactRegistryUrl("not a url")).toBe("not a url");
	});
});
