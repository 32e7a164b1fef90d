/**
 * The region a request is signed for when its URL names none: AWS_REGION, AWS_DEFAULT_REGION,
 * the profile's region, MCP_REGISTRY_AWS_REGION, then EC2 instance metadata.
 * (AWS_DEFAULT_REGION goes beyond the JS SDK, as the AWS CLI and botocore read it.)
 */
import { REGION_LABEL } from "./endpoints.ts";
import { Imds, imdsDisabled } from "./imds.ts";
import { loadSharedFiles, profileName, profileOf } from "./ini.ts";

export class RegionError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "RegionError";
	}
}

export interface RegionOptions {
	env: Record<string, string | undefined>;
	/** MCP_REGISTRY_AWS_REGION. */
	configured?: string;
	fetch?: typeof fetch;
	imdsTimeoutMs?: number;
}

function valid(region: string | undefined, from: string): string | undefined {
	if (!region) return undefined;
	// Any DNS label, as the SDK accepts: S3-compatible stores use names like `auto` or `garage`.
	if (!REGION_LABEL.test(region))
		throw new RegionError(`${from} is not a region name: ${JSON.stringify(region)}`);
	return region;
}

/** Resolves the fallback region once and remembers it (a failed IMDS lookup is retried later). */
export class RegionResolver {
	private resolved: string | undefined;

	constructor(private readonly options: RegionOptions) {}

	async region(): Promise<string> {
		if (this.resolved) return this.resolved;
		const { env } = this.options;
		const profile = profileOf(loadSharedFiles(env), profileName(env));
		let r =
			valid(env.AWS_REGION, "AWS_REGION") ??
			valid(env.AWS_DEFAULT_REGION, "AWS_DEFAULT_REGION") ??
			valid(profile?.region, `the region of profile ${profileName(env)}`) ??
			valid(this.options.configured, "MCP_REGISTRY_AWS_REGION");
		let imdsReason = "AWS_EC2_METADATA_DISABLED is set";
		if (!r && !imdsDisabled(env)) {
			try {
				const imds = new Imds({ env, fetch: this.options.fetch, timeoutMs: this.options.imdsTimeoutMs });
				r = valid((await imds.get("/latest/meta-data/placement/region")).trim(), "instance metadata");
			} catch (err) {
				imdsReason = (err as Error).message;
			}
		}
		if (!r) {
			throw new RegionError(
				`no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION, a profile region, or MCP_REGISTRY_AWS_REGION); instance metadata: ${imdsReason}`,
			);
		}
		this.resolved = r;
		return r;
	}
}
