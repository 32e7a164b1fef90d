/**
 * AWS credentials, resolved as the AWS SDK for JavaScript v3 does: environment, shared files
 * (static keys, web identity, credential_process), web identity from the environment,
 * container credentials, EC2 instance metadata. Cached, refreshed before they expire.
 * Secret values never appear in a message, a log line or an inspected object.
 */
import {
	type ChainOptions,
	type CredentialSource,
	Credentials,
	CredentialsError,
	SourceSkipped,
} from "./credentials/base.ts";
import { environmentSource } from "./credentials/environment.ts";
import { containerSource, imdsSource } from "./credentials/remote.ts";
import { sharedFilesSource } from "./credentials/shared-files.ts";
import { webIdentitySource } from "./credentials/web-identity.ts";
import { AwsError } from "./errors.ts";

export {
	type ChainOptions,
	type CredentialSource,
	Credentials,
	CredentialsError,
	SourceSkipped,
} from "./credentials/base.ts";
export { containerUrl } from "./credentials/remote.ts";
export { assumeRoleWithWebIdentity } from "./credentials/web-identity.ts";

/** The sources in the order the AWS SDK for JavaScript v3 tries them. */
export function defaultSources(o: ChainOptions): CredentialSource[] {
	return [
		environmentSource(o),
		sharedFilesSource(o),
		webIdentitySource(o),
		containerSource(o),
		imdsSource(o),
	];
}

/** Tries each source in turn; one error listing every source and why, when none applies. */
export async function resolveCredentials(sources: CredentialSource[]): Promise<Credentials> {
	const tried: { source: string; reason: string }[] = [];
	for (const s of sources) {
		try {
			return await s.resolve();
		} catch (err) {
			if (err instanceof SourceSkipped) {
				tried.push({ source: s.name, reason: err.message });
				continue;
			}
			if (err instanceof CredentialsError || err instanceof AwsError) throw err;
			// What was tried before says why it came to this source (no keys in the environment…).
			const before =
				tried.length > 0
					? `; tried before it: ${tried.map((t) => `${t.source}: ${t.reason}`).join("; ")}`
					: "";
			throw new CredentialsError(`${s.name}: ${(err as Error).message}${before}`, tried);
		}
	}
	throw new CredentialsError(
		// One line: it goes into log lines, which carry no line breaks.
		`no AWS credentials found; tried, in order: ${tried.map((t) => `${t.source}: ${t.reason}`).join("; ")}`,
		tried,
	);
}

const REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * Credentials cached until five minutes before they expire; then refreshed in the background
 * while the current ones are still handed out, and blocking once they have expired. One refresh
 * at a time, shared by every caller.
 */
export class CredentialProvider {
	private current: Credentials | undefined;
	private inflight: Promise<Credentials> | undefined;

	constructor(
		private readonly resolve: () => Promise<Credentials>,
		private readonly now: () => number = Date.now,
	) {}

	static chain(o: ChainOptions): CredentialProvider {
		const sources = defaultSources(o);
		return new CredentialProvider(() => resolveCredentials(sources));
	}

	static fixed(c: {
		accessKeyId: string;
		secretAccessKey: string;
		sessionToken?: string;
	}): CredentialProvider {
		const creds = new Credentials({ ...c, source: "fixed" });
		return new CredentialProvider(async () => creds);
	}

	async get(): Promise<Credentials> {
		const c = this.current;
		if (c) {
			const left = c.expiration ? c.expiration.getTime() - this.now() : Number.POSITIVE_INFINITY;
			if (left > REFRESH_BEFORE_MS) return c;
			if (left > 0) {
				this.refresh().catch(() => {}); // the next call tries again
				return c;
			}
		}
		return this.refresh();
	}

	/** Fetches new credentials; concurrent callers share one fetch. */
	refresh(): Promise<Credentials> {
		this.inflight ??= this.resolve()
			.then((c) => {
				this.current = c;
				return c;
			})
			.finally(() => {
				this.inflight = undefined;
			});
		return this.inflight;
	}
}
