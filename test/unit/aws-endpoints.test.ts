/**
 * Where AWS requests go: the region named by an SQS queue URL, every S3 URL form a message may
 * carry, the SDK's key encoding, the GetObject URL (virtual-hosted or path-style), the endpoint
 * overrides, partition DNS suffixes and the STS endpoint.
 */
import { describe, expect, test } from "bun:test";
import {
	bucketNameProblem,
	checkEndpointOverrides,
	dnsSuffix,
	EndpointConfigError,
	encodeS3Key,
	endpointOverride,
	objectKeyProblem,
	parseS3Url,
	REGION_PATTERN,
	regionFromQueueUrl,
	S3UrlError,
	s3ObjectUrl,
	stsEndpoint,
} from "../../src/aws/endpoints.ts";

describe("regionFromQueueUrl", () => {
	const cases: [string, string | undefined][] = [
		["https://sqs.eu-west-1.amazonaws.com/123456789012/registry", "eu-west-1"],
		["https://sqs.us-east-1.amazonaws.com/123456789012/registry.fifo", "us-east-1"],
		["https://sqs.us-gov-west-1.amazonaws.com/123456789012/q", "us-gov-west-1"],
		["https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q", "cn-north-1"],
		["https://sqs-fips.us-east-2.amazonaws.com/123456789012/q", "us-east-2"],
		["https://sqs.ap-southeast-2.api.aws/123456789012/q", "ap-southeast-2"],
		["https://sqs.cn-northwest-1.api.amazonwebservices.com.cn/123456789012/q", "cn-northwest-1"],
		["https://eu-central-1.queue.amazonaws.com/123456789012/q", "eu-central-1"],
		["https://queue.amazonaws.com/123456789012/q", "us-east-1"],
		["https://vpce-0a1b2c3d4e5f67890-abcdefgh.sqs.us-west-2.vpce.amazonaws.com/123456789012/q", "us-west-2"],
		["HTTPS://SQS.EU-WEST-3.AMAZONAWS.COM/123456789012/q", "eu-west-3"],
		["http://localhost:9324/000000000000/q", undefined],
		["http://127.0.0.1:4566/000000000000/q", undefined],
		["https://sqs.us-east-1.amazonaws.com.evil.example/123456789012/q", undefined],
		["https://sqs.not_a_region.amazonaws.com/123456789012/q", undefined],
		["not a url", undefined],
	];
	for (const [url, region] of cases) {
		test(`${url} → ${region}`, () => {
			expect(regionFromQueueUrl(url)).toBe(region);
		});
	}
});

describe("REGION_PATTERN", () => {
	test("accepts a region of every partition the project knows a DNS suffix for", () => {
		for (const r of [
			"us-east-1",
			"eu-west-1",
			"il-central-1",
			"ap-southeast-5",
			"cn-north-1",
			"us-gov-west-1",
			"us-iso-east-1",
			"us-isob-east-1",
			"us-isof-south-1",
			"eu-isoe-west-1",
			"eusc-de-east-1",
		]) {
			expect({ r, ok: REGION_PATTERN.test(r) }).toEqual({ r, ok: true });
		}
	});
	test("refuses what is not a region name", () => {
		for (const r of ["", "us-east", "US-EAST-1", "us_east_1", "s3", "us-east-1.evil", "east-1"]) {
			expect({ r, ok: REGION_PATTERN.test(r) }).toEqual({ r, ok: false });
		}
	});
});

describe("parseS3Url: the accepted forms", () => {
	const cases: [string, { bucket: string; key: string; region?: string; versionId?: string }][] = [
		// virtual-hosted
		[
			"https://my-bucket.s3.eu-west-1.amazonaws.com/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "eu-west-1" },
		],
		[
			"https://my-bucket.s3.amazonaws.com/dir/registry.json",
			{ bucket: "my-bucket", key: "dir/registry.json", region: "us-east-1" },
		],
		[
			"https://my-bucket.s3.us-east-1.amazonaws.com/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "us-east-1" },
		],
		// path-style
		[
			"https://s3.ap-northeast-1.amazonaws.com/my-bucket/dir/registry.json",
			{ bucket: "my-bucket", key: "dir/registry.json", region: "ap-northeast-1" },
		],
		[
			"https://s3.amazonaws.com/my-bucket/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "us-east-1" },
		],
		[
			"https://s3.us-west-2.amazonaws.com/my.dotted.bucket/a/b.json",
			{ bucket: "my.dotted.bucket", key: "a/b.json", region: "us-west-2" },
		],
		[
			"https://s3.amazonaws.com/my.dotted.bucket/registry.json",
			{ bucket: "my.dotted.bucket", key: "registry.json", region: "us-east-1" },
		],
		// legacy dash form
		[
			"https://my-bucket.s3-eu-west-1.amazonaws.com/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "eu-west-1" },
		],
		[
			"https://s3-eu-west-1.amazonaws.com/my-bucket/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "eu-west-1" },
		],
		[
			"https://my-bucket.s3-external-1.amazonaws.com/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "us-east-1" },
		],
		// dual-stack
		[
			"https://s3.dualstack.eu-central-1.amazonaws.com/my-bucket/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "eu-central-1" },
		],
		[
			"https://my-bucket.s3.dualstack.eu-central-1.amazonaws.com/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "eu-central-1" },
		],
		// FIPS
		[
			"https://my-bucket.s3-fips.us-gov-west-1.amazonaws.com/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "us-gov-west-1" },
		],
		[
			"https://s3-fips.us-east-2.amazonaws.com/my-bucket/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "us-east-2" },
		],
		[
			"https://my-bucket.s3-fips.dualstack.us-east-1.amazonaws.com/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "us-east-1" },
		],
		// China partition
		[
			"https://my-bucket.s3.cn-north-1.amazonaws.com.cn/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "cn-north-1" },
		],
		[
			"https://s3.cn-northwest-1.amazonaws.com.cn/my-bucket/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "cn-northwest-1" },
		],
		[
			"https://my-bucket.s3.dualstack.cn-north-1.amazonaws.com.cn/registry.json",
			{ bucket: "my-bucket", key: "registry.json", region: "cn-north-1" },
		],
		// versionId
		[
			"https://my-bucket.s3.eu-west-1.amazonaws.com/registry.json?versionId=3HL4kqtJlcpXroDTDmjVBH40Nrjfkd",
			{
				bucket: "my-bucket",
				key: "registry.json",
				region: "eu-west-1",
				versionId: "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd",
			},
		],
		[
			"https://s3.amazonaws.com/my-bucket/registry.json?versionId=a%2Bb",
			{ bucket: "my-bucket", key: "registry.json", region: "us-east-1", versionId: "a+b" },
		],
		// the key in an https URL is percent-decoded once
		[
			"https://my-bucket.s3.eu-west-1.amazonaws.com/dir/a%20b%2Bc.txt",
			{ bucket: "my-bucket", key: "dir/a b+c.txt", region: "eu-west-1" },
		],
		[
			"https://my-bucket.s3.eu-west-1.amazonaws.com/%C3%BCn%C3%AF/%C3%A7%C3%B8d%C3%A9%20%E2%9C%93.bin",
			{ bucket: "my-bucket", key: "ünï/çødé ✓.bin", region: "eu-west-1" },
		],
		[
			"https://my-bucket.s3.eu-west-1.amazonaws.com/ünï.json",
			{ bucket: "my-bucket", key: "ünï.json", region: "eu-west-1" },
		],
		[
			"https://my-bucket.s3.eu-west-1.amazonaws.com/pct%252Fliteral",
			{ bucket: "my-bucket", key: "pct%2Fliteral", region: "eu-west-1" },
		],
		[
			"https://s3.eu-west-1.amazonaws.com/my-bucket/dir/a%20b%2Bc.txt",
			{ bucket: "my-bucket", key: "dir/a b+c.txt", region: "eu-west-1" },
		],
	];
	for (const [url, want] of cases) {
		test(url, () => {
			expect(parseS3Url(url)).toEqual(want);
		});
	}

	test("s3://bucket/key: the key is taken literally (no percent-decoding), no region", () => {
		expect(parseS3Url("s3://my-bucket/dir/registry.json")).toEqual({
			bucket: "my-bucket",
			key: "dir/registry.json",
		});
		expect(parseS3Url("s3://my-bucket/a%20b+c.txt")).toEqual({ bucket: "my-bucket", key: "a%20b+c.txt" });
		expect(parseS3Url("s3://my-bucket/ünï ✓.json")).toEqual({ bucket: "my-bucket", key: "ünï ✓.json" });
		expect(parseS3Url("s3://my.dotted.bucket/x.json")).toEqual({ bucket: "my.dotted.bucket", key: "x.json" });
		expect(parseS3Url("s3://my-bucket/registry.json?versionId=v1")).toEqual({
			bucket: "my-bucket",
			key: "registry.json",
			versionId: "v1",
		});
		expect(parseS3Url("s3://my-bucket/registry.json").region).toBeUndefined();
	});
});

describe("parseS3Url: what is refused, with a clear message", () => {
	const cases: [string, RegExp][] = [
		["not a url", /not a URL/],
		["", /not a URL/],
		["http://my-bucket.s3.amazonaws.com/registry.json", /expected an s3:\/\/ or https:\/\/ URL/],
		["ftp://my-bucket.s3.amazonaws.com/registry.json", /expected an s3:\/\/ or https:\/\/ URL/],
		["https://example.com/my-bucket/registry.json", /not an amazonaws\.com S3 endpoint/],
		["https://my-bucket.s3.amazonaws.com.evil.example/registry.json", /not an amazonaws\.com S3 endpoint/],
		["https://sqs.us-east-1.amazonaws.com/123456789012/q", /not an S3 endpoint/],
		["https://ec2.amazonaws.com/my-bucket/registry.json", /not an S3 endpoint/],
		["https://my-bucket.s3.eu-west-1.amazonaws.com/", /the key is empty/],
		["https://my-bucket.s3.eu-west-1.amazonaws.com", /the key is empty/],
		["https://s3.eu-west-1.amazonaws.com/my-bucket/", /the key is empty/],
		["https://s3.eu-west-1.amazonaws.com/my-bucket", /needs \/bucket\/key/],
		["https://s3.eu-west-1.amazonaws.com//registry.json", /the bucket is empty/],
		["s3://my-bucket/", /the key is empty/],
		["s3://my-bucket", /expected s3:\/\/bucket\/key/],
		["s3:///registry.json", /expected s3:\/\/bucket\/key/],
		["https://my-bucket.s3.eu-west-1.amazonaws.com/bad%zzescape", /invalid percent-escape/],
		["https://my-bucket.s3.eu-west-1.amazonaws.com/truncated%E2%9C", /invalid percent-escape/],
		["https://my-bucket.s3.amazonaws.com.cn/registry.json", /China-partition URL must name its region/],
	];
	for (const [url, reason] of cases) {
		test(JSON.stringify(url), () => {
			let caught: unknown;
			try {
				parseS3Url(url);
			} catch (err) {
				caught = err;
			}
			expect(caught).toBeInstanceOf(S3UrlError);
			const message = (caught as Error).message;
			expect(message).toMatch(reason);
			// The message names the URL it refused.
			expect(message).toContain(JSON.stringify(url));
		});
	}

	test("a very long URL is shortened in the message", () => {
		const url = `https://example.com/${"x".repeat(1000)}`;
		expect(() => parseS3Url(url)).toThrow(S3UrlError);
		try {
			parseS3Url(url);
		} catch (err) {
			expect((err as Error).message.length).toBeLessThan(400);
		}
	});
});

describe("encodeS3Key (the SDK's wire form)", () => {
	const cases: [string, string][] = [
		["a b+c.txt", "a%20b%2Bc.txt"],
		["ünï/çødé ✓.bin", "%C3%BCn%C3%AF/%C3%A7%C3%B8d%C3%A9%20%E2%9C%93.bin"],
		["quote'(paren)*!~.txt", "quote%27%28paren%29%2A%21~.txt"],
		["pct%2Fliteral", "pct%252Fliteral"],
		["q?x=1#frag", "q%3Fx%3D1%23frag"],
		["dir//x", "dir//x"],
		["dir/sub/registry.json", "dir/sub/registry.json"],
		["tilde~ok-_.", "tilde~ok-_."],
	];
	for (const [key, wire] of cases) {
		test(`${JSON.stringify(key)} → ${wire}`, () => {
			expect(encodeS3Key(key)).toBe(wire);
		});
	}
});

describe("s3ObjectUrl", () => {
	test("virtual-hosted by default, in the region's partition", () => {
		expect(s3ObjectUrl({ bucket: "my-bucket", key: "dir/a b+c.txt", region: "eu-west-1" })).toBe(
			"https://my-bucket.s3.eu-west-1.amazonaws.com/dir/a%20b%2Bc.txt",
		);
		expect(s3ObjectUrl({ bucket: "my-bucket", key: "x.json", region: "us-east-1" })).toBe(
			"https://my-bucket.s3.us-east-1.amazonaws.com/x.json",
		);
		expect(s3ObjectUrl({ bucket: "my-bucket", key: "x.json", region: "cn-north-1" })).toBe(
			"https://my-bucket.s3.cn-north-1.amazonaws.com.cn/x.json",
		);
	});

	test("path-style for dotted and non-DNS-compatible buckets", () => {
		expect(s3ObjectUrl({ bucket: "my.dotted.bucket", key: "x.json", region: "eu-west-1" })).toBe(
			"https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/x.json",
		);
		expect(s3ObjectUrl({ bucket: "My_Bucket", key: "x.json", region: "eu-west-1" })).toBe(
			"https://s3.eu-west-1.amazonaws.com/My_Bucket/x.json",
		);
		expect(s3ObjectUrl({ bucket: "ab", key: "x.json", region: "eu-west-1" })).toBe(
			"https://s3.eu-west-1.amazonaws.com/ab/x.json",
		);
	});

	test("forcePathStyle", () => {
		expect(
			s3ObjectUrl({ bucket: "my-bucket", key: "x.json", region: "eu-west-1", forcePathStyle: true }),
		).toBe("https://s3.eu-west-1.amazonaws.com/my-bucket/x.json");
		expect(
			s3ObjectUrl({
				bucket: "my-bucket",
				key: "x.json",
				region: "eu-west-1",
				endpoint: new URL("http://minio.internal:9000"),
				forcePathStyle: true,
			}),
		).toBe("http://minio.internal:9000/my-bucket/x.json");
	});

	test("path-style for an endpoint override whose host is an IP address or localhost", () => {
		for (const [endpoint, want] of [
			["http://127.0.0.1:9000", "http://127.0.0.1:9000/my-bucket/a%20b.json"],
			["http://127.0.0.1:9000/", "http://127.0.0.1:9000/my-bucket/a%20b.json"],
			["http://localhost:4566", "http://localhost:4566/my-bucket/a%20b.json"],
			["http://[::1]:9000", "http://[::1]:9000/my-bucket/a%20b.json"],
			["https://10.0.0.5", "https://10.0.0.5/my-bucket/a%20b.json"],
			["http://127.0.0.1:9000/prefix/", "http://127.0.0.1:9000/prefix/my-bucket/a%20b.json"],
		] as const) {
			expect(
				s3ObjectUrl({
					bucket: "my-bucket",
					key: "a b.json",
					region: "us-east-1",
					endpoint: new URL(endpoint),
				}),
			).toBe(want);
		}
	});

	test("virtual-hosted under a named custom endpoint (as the SDK does)", () => {
		expect(
			s3ObjectUrl({
				bucket: "my-bucket",
				key: "dir/x.json",
				region: "us-east-1",
				endpoint: new URL("https://storage.example.net"),
			}),
		).toBe("https://my-bucket.storage.example.net/dir/x.json");
		// ...but a dotted bucket under a named endpoint stays path-style.
		expect(
			s3ObjectUrl({
				bucket: "my.bucket",
				key: "x.json",
				region: "us-east-1",
				endpoint: new URL("https://storage.example.net:8443"),
			}),
		).toBe("https://storage.example.net:8443/my.bucket/x.json");
	});

	test("versionId as a query parameter, encoded", () => {
		expect(s3ObjectUrl({ bucket: "my-bucket", key: "x.json", region: "eu-west-1", versionId: "v1" })).toBe(
			"https://my-bucket.s3.eu-west-1.amazonaws.com/x.json?versionId=v1",
		);
		const url = new URL(
			s3ObjectUrl({
				bucket: "my-bucket",
				key: "x.json",
				region: "eu-west-1",
				versionId: "a+b/c=d&e",
				endpoint: new URL("http://127.0.0.1:1"),
			}),
		);
		expect(url.searchParams.get("versionId")).toBe("a+b/c=d&e");
		expect([...url.searchParams.keys()]).toEqual(["versionId"]);
	});

	test("keys keep their segments exactly (no dot-segment removal, // kept)", () => {
		const url = s3ObjectUrl({ bucket: "my-bucket", key: "dir//x", region: "eu-west-1" });
		expect(url).toBe("https://my-bucket.s3.eu-west-1.amazonaws.com/dir//x");
		expect(new URL(url).pathname).toBe("/dir//x");
		const special = s3ObjectUrl({ bucket: "my-bucket", key: "q?x=1#frag", region: "eu-west-1" });
		expect(new URL(special).pathname).toBe("/q%3Fx%3D1%23frag");
		expect(new URL(special).search).toBe("");
	});

	test('"." and ".." key segments are refused (a URL cannot carry them)', () => {
		for (const key of [".", "..", "a/./b", "a/../b", "../registry.json", "dir/.."]) {
			expect(() => s3ObjectUrl({ bucket: "my-bucket", key, region: "eu-west-1" })).toThrow(/"\." or "\.\."/);
		}
		// Dots inside a segment are fine.
		expect(s3ObjectUrl({ bucket: "my-bucket", key: "a/.hidden/..x", region: "eu-west-1" })).toBe(
			"https://my-bucket.s3.eu-west-1.amazonaws.com/a/.hidden/..x",
		);
	});
});

describe("endpointOverride", () => {
	test("the service-specific variable wins over AWS_ENDPOINT_URL", () => {
		const env = { AWS_ENDPOINT_URL: "http://all:1", AWS_ENDPOINT_URL_SQS: "http://sqs-only:2" };
		expect(endpointOverride("sqs", env)?.href).toBe("http://sqs-only:2/");
		expect(endpointOverride("s3", env)?.href).toBe("http://all:1/");
		expect(endpointOverride("sts", env)?.href).toBe("http://all:1/");
		expect(endpointOverride("s3", { AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9000" })?.href).toBe(
			"http://127.0.0.1:9000/",
		);
		expect(
			endpointOverride("sts", { AWS_ENDPOINT_URL_STS: "http://sts:3/", AWS_ENDPOINT_URL_S3: "x" })?.href,
		).toBe("http://sts:3/");
	});
	test("undefined when neither is set", () => {
		expect(endpointOverride("sqs", {})).toBeUndefined();
		expect(endpointOverride("s3", { AWS_ENDPOINT_URL_SQS: "http://sqs:1" })).toBeUndefined();
	});
	test("a value that is not a URL is an error naming the variable", () => {
		expect(() => endpointOverride("s3", { AWS_ENDPOINT_URL_S3: "not a url" })).toThrow(
			/AWS_ENDPOINT_URL_S3: not a URL/,
		);
		expect(() => endpointOverride("sqs", { AWS_ENDPOINT_URL: "::" })).toThrow(/AWS_ENDPOINT_URL: not a URL/);
	});
});

describe("dnsSuffix", () => {
	const cases: [string, string][] = [
		["us-east-1", "amazonaws.com"],
		["eu-west-1", "amazonaws.com"],
		["us-gov-west-1", "amazonaws.com"],
		["cn-north-1", "amazonaws.com.cn"],
		["cn-northwest-1", "amazonaws.com.cn"],
		["eusc-de-east-1", "amazonaws.eu"],
		["us-iso-east-1", "c2s.ic.gov"],
		["us-isob-east-1", "sc2s.sgov.gov"],
		["us-isof-south-1", "csp.hci.ic.gov"],
		["eu-isoe-west-1", "cloud.adc-e.uk"],
	];
	for (const [region, suffix] of cases) {
		test(`${region} → ${suffix}`, () => {
			expect(dnsSuffix(region)).toBe(suffix);
		});
	}
});

describe("stsEndpoint", () => {
	test("the regional endpoint in the region's partition", () => {
		expect(stsEndpoint("eu-west-1", {})).toBe("https://sts.eu-west-1.amazonaws.com/");
		expect(stsEndpoint("cn-north-1", {})).toBe("https://sts.cn-north-1.amazonaws.com.cn/");
		expect(stsEndpoint("us-isob-east-1", {})).toBe("https://sts.us-isob-east-1.sc2s.sgov.gov/");
	});
	test("AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL", () => {
		expect(stsEndpoint("eu-west-1", { AWS_ENDPOINT_URL_STS: "http://127.0.0.1:4566" })).toBe(
			"http://127.0.0.1:4566/",
		);
		expect(stsEndpoint("eu-west-1", { AWS_ENDPOINT_URL: "http://127.0.0.1:4567/" })).toBe(
			"http://127.0.0.1:4567/",
		);
		expect(
			stsEndpoint("eu-west-1", {
				AWS_ENDPOINT_URL: "http://127.0.0.1:4567/",
				AWS_ENDPOINT_URL_STS: "http://127.0.0.1:4566/",
			}),
		).toBe("http://127.0.0.1:4566/");
		// Another service's override does not move STS.
		expect(stsEndpoint("eu-west-1", { AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9000" })).toBe(
			"https://sts.eu-west-1.amazonaws.com/",
		);
	});
});

describe("s3ObjectUrl and the region", () => {
	test("S3 URLs refuse a region that is not a DNS label (from a message or a redirect)", () => {
		expect(() => s3ObjectUrl({ bucket: "b", key: "k", region: "evil.example/" })).toThrow(
			"not a region name",
		);
		expect(
			s3ObjectUrl({ bucket: "bkt", key: "k", region: "auto", endpoint: new URL("https://acc.r2.example") }),
		).toBe("https://bkt.acc.r2.example/k");
	});
});

/** Where the first C0 control character of `s` is, or -1. */
function firstC0(s: string): number {
	for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return i;
	return -1;
}

describe("S3 names (bucket naming rules, object keys)", () => {
	test("bucket names S3 accepts", () => {
		for (const b of [
			"abc",
			"my-bucket",
			"my.dotted.bucket",
			"123",
			"a1-b2.c3",
			"a".repeat(63),
			"s3alias-x",
		]) {
			expect(bucketNameProblem(b)).toBeUndefined();
		}
	});

	const refusedBuckets: [string, RegExp][] = [
		["ab", /3 to 63 characters/],
		["a".repeat(64), /3 to 63 characters/],
		["", /3 to 63 characters/],
		["My-Bucket", /lowercase letters, digits, dots and hyphens/],
		["my_bucket", /lowercase letters, digits, dots and hyphens/],
		["registry?list-type=2&x=", /lowercase letters, digits, dots and hyphens/],
		["user:pass@registry", /lowercase letters, digits, dots and hyphens/],
		["reg istry", /lowercase letters, digits, dots and hyphens/],
		["reg\nistry", /lowercase letters, digits, dots and hyphens/],
		["-bucket", /begin and end with a letter or digit/],
		["bucket-", /begin and end with a letter or digit/],
		[".bucket", /begin and end with a letter or digit/],
		["...", /begin and end with a letter or digit/],
		["my..bucket", /two adjacent dots/],
		["192.168.5.4", /IP address/],
		["xn--bucket", /prefix "xn--"/],
		["sthree-bucket", /prefix "sthree-"/],
		["amzn-s3-demo-bucket", /prefix "amzn-s3-demo-"/],
		["bucket-s3alias", /suffix "-s3alias"/],
		["bucket--ol-s3", /suffix "--ol-s3"/],
		["bucket.mrap", /suffix ".mrap"/],
		["bucket--x-s3", /suffix "--x-s3"/],
		["bucket--table-s3", /suffix "--table-s3"/],
	];
	for (const [bucket, reason] of refusedBuckets) {
		test(`bucket ${JSON.stringify(bucket)} is refused`, () => {
			const problem = bucketNameProblem(bucket);
			expect(problem).toMatch(reason);
			const cut = firstC0(bucket);
			const quoted =
				cut < 0 ? JSON.stringify(bucket) : `${JSON.stringify(bucket.slice(0, cut + 1)).slice(0, -1)}…"`;
			expect(problem).toContain(`the bucket name ${quoted}`);
		});
	}

	test("object keys: control characters, dot segments and more than 1024 bytes are refused", () => {
		for (const key of [
			"registry.json",
			"a b+c/ünï ✓.json",
			"a/.hidden/..x",
			"x".repeat(1024),
			"é".repeat(512),
		]) {
			expect(objectKeyProblem(key)).toBeUndefined();
		}
		for (const c of [
			"\n",
			"\r",
			"\t",
			"\u0000",
			"\u001b",
			"\u007f",
			"\u0085",
			"\u009f",
			"\u2028",
			"\u2029",
		]) {
			const problem = objectKeyProblem(`a${c}b`) ?? "";
			expect(problem).toContain("control character");
			expect(problem).not.toContain(c);
		}
		expect(objectKeyProblem("a/../b")).toContain('"." or ".." segment');
		expect(objectKeyProblem("x".repeat(1025))).toContain("1024 bytes");
		expect(objectKeyProblem("é".repeat(513))).toContain("1024 bytes");
	});

	test("parseS3Url refuses user information, and does not show it", () => {
		for (const u of [
			"s3://user:s3cret@registry/registry.json",
			"https://user:s3cret@registry.s3.amazonaws.com/r.json",
		]) {
			let caught: unknown;
			try {
				parseS3Url(u);
			} catch (err) {
				caught = err;
			}
			expect(caught).toBeInstanceOf(S3UrlError);
			const message = (caught as Error).message;
			expect(message).toContain("has no user name or password");
			expect(message).toContain("***@registry");
			expect(message).not.toContain("s3cret");
		}
	});

	test("parseS3Url refuses what the rules refuse, in every form, naming the URL", () => {
		const cases: [string, RegExp][] = [
			["s3://registry?list-type=2&x=/registry.json", /is not an S3 bucket name/],
			["s3://../registry/registry.json", /the bucket name "\.\."/],
			["s3://My_Bucket/registry.json", /is not an S3 bucket name/],
			["https://s3.eu-west-1.amazonaws.com/My_Bucket/registry.json", /is not an S3 bucket name/],
			["https://s3.eu-west-1.amazonaws.com/../registry/registry.json", /the bucket name "\.\."/],
			["https://s3.eu-west-1.amazonaws.com/xn--bucket/registry.json", /prefix "xn--"/],
			["s3://registry/x\nINFO  Database reloaded successfully", /control character/],
			["https://registry.s3.amazonaws.com/x%0Ay", /control character/],
			["s3://registry/../x.json", /"\." or "\.\." segment/],
		];
		for (const [u, reason] of cases) {
			let caught: unknown;
			try {
				parseS3Url(u);
			} catch (err) {
				caught = err;
			}
			expect(caught).toBeInstanceOf(S3UrlError);
			const message = (caught as Error).message;
			expect(message).toMatch(reason);
			// The URL is named; one with a control character only up to it (no forged text).
			const cut = firstC0(u);
			expect(message).toContain(
				cut < 0 ? JSON.stringify(u) : `${JSON.stringify(u.slice(0, cut + 1)).slice(0, -1)}…"`,
			);
			expect(message).not.toContain("Database reloaded");
		}
	});
});

describe("a malformed endpoint override is a configuration error without the password", () => {
	const errorOf = (fn: () => unknown): Error => {
		try {
			fn();
		} catch (err) {
			return err as Error;
		}
		throw new Error("expected an error");
	};

	test("the message names the variable; the user information is not shown", () => {
		for (const [env, variable] of [
			[{ AWS_ENDPOINT_URL_SQS: "http://user:s3cret@127.0.0.1:99999/" }, "AWS_ENDPOINT_URL_SQS"],
			[{ AWS_ENDPOINT_URL_S3: "http://user:s3cret@[::1/" }, "AWS_ENDPOINT_URL_S3"],
			[{ AWS_ENDPOINT_URL: "http://user:s3cret@ho st/" }, "AWS_ENDPOINT_URL"],
			[{ AWS_ENDPOINT_URL_STS: "user:s3cret@localhost:4566" }, "AWS_ENDPOINT_URL_STS"],
			[{ AWS_ENDPOINT_URL: "ftp://user:s3cret@host/" }, "AWS_ENDPOINT_URL"],
		] as [Record<string, string>, string][]) {
			const err = errorOf(() => checkEndpointOverrides(env));
			expect(err).toBeInstanceOf(EndpointConfigError);
			expect(err.message.startsWith(`${variable}: `)).toBe(true);
			expect(err.message).not.toContain("s3cret");
			expect(err.message).toContain("***@");
		}
	});

	test("only http and https endpoints are taken", () => {
		expect(errorOf(() => endpointOverride("s3", { AWS_ENDPOINT_URL_S3: "localhost:4566" })).message).toBe(
			'AWS_ENDPOINT_URL_S3: must be an http:// or https:// URL (got "localhost:4566")',
		);
		expect(() =>
			checkEndpointOverrides({
				AWS_ENDPOINT_URL: "https://s3.example",
				AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:9324",
			}),
		).not.toThrow();
		expect(() => checkEndpointOverrides({})).not.toThrow();
	});
});
