/**
 * The AWS clients, built one way for the server and for `registry publish`: one credential
 * chain, one signer with its retries, one fallback region, the endpoint overrides
 * (AWS_ENDPOINT_URL_S3 / _SQS / AWS_ENDPOINT_URL) and path-style addressing.
 */
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { CredentialProvider } from "./credentials.ts";
import { checkEndpointOverrides } from "./endpoints.ts";
import { RegionResolver } from "./region.ts";
import { S3Client } from "./s3.ts";
import { AwsHttp } from "./signed-fetch.ts";
import { SqsClient } from "./sqs.ts";

export interface Aws {
	/** The credential chain the clients sign with. */
	credentials: CredentialProvider;
	s3: S3Client;
	/** The client of MCP_REGISTRY_SQS_QUEUE_URL, when it is set. */
	sqs?: SqsClient;
	/** A client for a queue, sharing the credentials, signer and region of the others. */
	queue(queueUrl: string): SqsClient;
}

/** What the clients are built from: the server's variables that concern AWS. */
export type AwsConfig = Pick<Config, "awsRegion" | "s3ForcePathStyle" | "sqsQueueUrl">;

/**
 * The AWS clients, built only when something needs them. A malformed AWS_ENDPOINT_URL* throws
 * EndpointConfigError here, at start-up, not at the first request.
 */
export function createAws(
	config: AwsConfig,
	log: Logger,
	env: Record<string, string | undefined> = process.env,
): Aws {
	checkEndpointOverrides(env);
	const regions = new RegionResolver({ env, configured: config.awsRegion });
	const credentials = CredentialProvider.chain({ env, region: config.awsRegion, warn: (m) => log.warn(m) });
	const http = new AwsHttp({
		credentials,
		onRetry: ({ attempt, delayMs, error }) =>
			log.debug(`AWS request failed (attempt ${attempt}); retrying in ${delayMs} ms: ${error.message}`),
	});
	const fallbackRegion = () => regions.region();
	const queue = (queueUrl: string) => new SqsClient({ queueUrl, http, env, fallbackRegion });
	return {
		credentials,
		s3: new S3Client({ http, env, fallbackRegion, forcePathStyle: config.s3ForcePathStyle }),
		sqs: config.sqsQueueUrl ? queue(config.sqsQueueUrl) : undefined,
		queue,
	};
}
