/**
 * EC2 instance metadata (IMDSv2, with the SDK's v1 fallback rules): used for credentials and
 * for the region when nothing else names one.
 */

export class ImdsUnavailable extends Error {}

/** Instance metadata answered a GET with an error status. */
export class ImdsHttpError extends Error {
	constructor(
		readonly path: string,
		readonly status: number,
	) {
		super(`instance metadata ${path}: HTTP ${status}`);
		this.name = "ImdsHttpError";
	}
}

export interface ImdsOptions {
	env: Record<string, string | undefined>;
	fetch?: typeof fetch;
	timeoutMs?: number;
}

export function imdsDisabled(env: Record<string, string | undefined>): boolean {
	const v = env.AWS_EC2_METADATA_DISABLED;
	return v !== undefined && v !== "" && v.toLowerCase() !== "false";
}

export function imdsEndpoint(env: Record<string, string | undefined>): string {
	if (env.AWS_EC2_METADATA_SERVICE_ENDPOINT) return env.AWS_EC2_METADATA_SERVICE_ENDPOINT.replace(/\/+$/, "");
	return env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE?.toLowerCase() === "ipv6"
		? "http://[fd00:ec2::254]"
		: "http://169.254.169.254";
}

export class Imds {
	private v1Only = false;
	private readonly fetch: typeof fetch;
	private readonly timeoutMs: number;
	readonly endpoint: string;

	constructor(private readonly options: ImdsOptions) {
		this.fetch = options.fetch ?? fetch;
		this.timeoutMs = options.timeoutMs ?? 1000;
		this.endpoint = imdsEndpoint(options.env);
	}

	private v1Allowed(): boolean {
		const v = this.options.env.AWS_EC2_METADATA_V1_DISABLED;
		return v === undefined || v === "" || v.toLowerCase() === "false";
	}

	private async request(method: string, path: string, headers: Record<string, string>): Promise<Response> {
		try {
			return await this.fetch(`${this.endpoint}${path}`, {
				method,
				headers,
				redirect: "manual",
				signal: AbortSignal.timeout(this.timeoutMs),
			});
		} catch (err) {
			throw new ImdsUnavailable(
				`no instance metadata service at ${this.endpoint} (${(err as Error).message})`,
			);
		}
	}

	/** A session token, or undefined to go on without one (IMDSv1). */
	private async token(): Promise<string | undefined> {
		if (this.v1Only) return undefined;
		let res: Response;
		try {
			res = await this.request("PUT", "/latest/api/token", {
				"x-aws-ec2-metadata-token-ttl-seconds": "21600",
			});
		} catch (err) {
			if (!this.v1Allowed()) throw err;
			return undefined; // v1 for this attempt only
		}
		if (res.ok) return (await res.text()).trim();
		await res.body?.cancel();
		if (res.status === 400) throw new Error(`instance metadata token request failed: HTTP 400`);
		if ([403, 404, 405].includes(res.status)) {
			if (!this.v1Allowed()) {
				throw new Error(
					`instance metadata token request failed (HTTP ${res.status}) and AWS_EC2_METADATA_V1_DISABLED forbids IMDSv1`,
				);
			}
			this.v1Only = true;
			return undefined;
		}
		throw new Error(`instance metadata token request failed: HTTP ${res.status}`);
	}

	/** GET a metadata path as text. */
	async get(path: string): Promise<string> {
		const token = await this.token();
		const res = await this.request("GET", path, token ? { "x-aws-ec2-metadata-token": token } : {});
		if (res.status === 401 && !token) this.v1Only = false;
		if (!res.ok) {
			await res.body?.cancel();
			throw new ImdsHttpError(path, res.status);
		}
		return await res.text();
	}
}
