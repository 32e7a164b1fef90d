/** Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN) in the environment. */
import {
	type ChainOptions,
	type CredentialSource,
	Credentials,
	parseExpiration,
	SourceSkipped,
} from "./base.ts";

export function environmentSource(o: ChainOptions): CredentialSource {
	let warned = false;
	return {
		name: "environment",
		async resolve() {
			const { env } = o;
			const id = env.AWS_ACCESS_KEY_ID;
			const secret = env.AWS_SECRET_ACCESS_KEY;
			if (env.AWS_PROFILE) {
				if ((id || secret) && !warned) {
					warned = true;
					o.warn?.("AWS_PROFILE and AWS_ACCESS_KEY_ID are both set: using the profile, as the AWS SDK does");
				}
				throw new SourceSkipped("AWS_PROFILE is set");
			}
			if (!id && !secret) throw new SourceSkipped("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
			if (!id) throw new SourceSkipped("AWS_SECRET_ACCESS_KEY is set without AWS_ACCESS_KEY_ID");
			if (!secret) throw new SourceSkipped("AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY");
			return new Credentials({
				accessKeyId: id,
				secretAccessKey: secret,
				sessionToken: env.AWS_SESSION_TOKEN,
				expiration: parseExpiration(env.AWS_CREDENTIAL_EXPIRATION, "AWS_CREDENTIAL_EXPIRATION"),
				source: "environment",
			});
		},
	};
}
