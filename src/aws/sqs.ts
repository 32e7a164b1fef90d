/**
 * SQS over the AWS JSON 1.0 protocol: ReceiveMessage (long poll), DeleteMessage,
 * ChangeMessageVisibility, GetQueueAttributes, SendMessage. Message bodies are checked against
 * MD5OfBody, and a sent body against the MD5OfMessageBody SQS answers.
 */
import { createHash } from "node:crypto";
import * as v from "valibot";
import { checkJson, maybe } from "./answer.ts";
import { endpointOverride, regionFromQueueUrl } from "./endpoints.ts";
import { AwsError, classify, retryAfterMs } from "./errors.ts";
import type { AwsHttp } from "./signed-fetch.ts";

export interface SqsMessage {
	messageId: string;
	receiptHandle: string;
	body: string;
	attributes: Record<string, string>;
	/** ApproximateReceiveCount (1 on the first delivery). */
	receiveCount: number;
	/** SentTimestamp, epoch milliseconds. */
	sentTimestamp: number | undefined;
}

export interface ReceiveOptions {
	waitTimeSeconds: number;
	maxMessages?: number;
	visibilityTimeout?: number;
	signal?: AbortSignal;
}

export interface SqsClientOptions {
	queueUrl: string;
	http: AwsHttp;
	env: Record<string, string | undefined>;
	/** For queue URLs that name no region (a local endpoint). */
	fallbackRegion: () => Promise<string>;
}

/** An SQS error answer's body (AWS JSON 1.0; the casing varies by service generation). */
const ErrorBody = v.object({
	__type: maybe(v.string()),
	code: maybe(v.string()),
	Code: maybe(v.string()),
	message: maybe(v.string()),
	Message: maybe(v.string()),
});

/** ReceiveMessage's answer: every field a message is used by, checked. */
const ReceiveAnswer = v.object({
	Messages: v.optional(
		v.array(
			v.object({
				MessageId: v.string(),
				ReceiptHandle: v.string(),
				Body: v.string(),
				/** Missing, it cannot match: the MD5Mismatch below says so. */
				MD5OfBody: v.optional(v.string()),
				Attributes: v.optional(
					v.objectWithRest(
						{
							ApproximateReceiveCount: v.optional(v.pipe(v.string(), v.regex(/^\d+$/))),
							SentTimestamp: v.optional(v.pipe(v.string(), v.regex(/^\d+$/))),
						},
						v.string(),
					),
					{},
				),
			}),
		),
		[],
	),
});

/** SendMessage's answer. */
const SendAnswer = v.object({
	MessageId: v.string(),
	MD5OfMessageBody: v.string(),
	SequenceNumber: v.optional(v.string()),
});

export interface SendOptions {
	/** A FIFO queue's message group (default "registry" on a .fifo queue). */
	messageGroupId?: string;
	/** A FIFO queue's deduplication id (default: a random one, so a new send is never dropped). */
	deduplicationId?: string;
	signal?: AbortSignal;
}

export interface SentMessage {
	messageId: string;
	/** FIFO queues only. */
	sequenceNumber?: string;
}

const AttributesAnswer = v.object({ Attributes: v.optional(v.record(v.string(), v.string()), {}) });

/** Reads an SQS JSON error: the query code from x-amzn-query-error, else __type after '#'. */
export async function parseSqsError(res: Response, operation: string): Promise<AwsError> {
	const text = await res.text().catch(() => "");
	const parsed = checkJson(ErrorBody, text);
	const body = parsed.ok ? parsed.value : {};
	const queryError = res.headers.get("x-amzn-query-error");
	const queryCode = queryError?.split(";")[0] || undefined;
	const rawType = body.__type ?? body.code ?? body.Code ?? res.headers.get("x-amzn-errortype") ?? "";
	const typeName = rawType.split("#").pop()?.split(":")[0]?.split(",")[0] || undefined;
	const code = queryCode ?? typeName ?? `HTTP${res.status}`;
	const message = body.message ?? body.Message ?? (text.slice(0, 200) || res.statusText);
	const c = classify(res.status, [code, typeName ?? ""]);
	return new AwsError(`SQS ${operation} failed: ${code}: ${message}`, {
		service: "sqs",
		code,
		status: res.status,
		...c,
		requestId: res.headers.get("x-amzn-requestid") ?? undefined,
		retryAfterMs: retryAfterMs(res.headers),
	});
}

export class SqsClient {
	readonly queueUrl: string;
	private readonly endpoint: string;
	private region: string | undefined;

	constructor(private readonly options: SqsClientOptions) {
		this.queueUrl = options.queueUrl;
		// With an endpoint override requests go there; the queue URL still names the queue.
		const override = endpointOverride("sqs", options.env);
		this.endpoint = override ? override.href : `${new URL(options.queueUrl).origin}/`;
		this.region = regionFromQueueUrl(options.queueUrl);
	}

	/** Sends one operation; its answer is checked against `schema` (an empty answer is `{}`). */
	private async call<S extends v.GenericSchema>(
		operation: string,
		input: Record<string, unknown>,
		schema: S,
		extra: { signal?: AbortSignal; timeoutMs?: number; longPoll?: boolean } = {},
	): Promise<v.InferOutput<S>> {
		this.region ??= await this.options.fallbackRegion();
		const { response } = await this.options.http.send({
			service: "sqs",
			region: this.region,
			method: "POST",
			url: this.endpoint,
			headers: {
				"content-type": "application/x-amz-json-1.0",
				"x-amz-target": `AmazonSQS.${operation}`,
				"x-amzn-query-mode": "true",
			},
			body: JSON.stringify({ QueueUrl: this.queueUrl, ...input }),
			signal: extra.signal,
			timeoutMs: extra.timeoutMs,
			longPoll: extra.longPoll,
			parseError: (res) => parseSqsError(res, operation),
		});
		const text = await response.text();
		const answer = checkJson(schema, text.trim() === "" ? "{}" : text);
		if (answer.ok) return answer.value;
		throw new AwsError(`SQS ${operation}: the answer ${answer.reason}`, {
			service: "sqs",
			code: "InvalidResponse",
			status: response.status,
			retryable: true,
		});
	}

	/** Long-polls for messages; an abort ends the poll at once (rejecting with the abort reason). */
	async receiveMessage(o: ReceiveOptions): Promise<SqsMessage[]> {
		const input: Record<string, unknown> = {
			MaxNumberOfMessages: o.maxMessages ?? 1,
			WaitTimeSeconds: o.waitTimeSeconds,
			// Both names: AWS reads the new one, emulators and older endpoints the old one.
			MessageSystemAttributeNames: ["All"],
			AttributeNames: ["All"],
			MessageAttributeNames: ["All"],
		};
		if (o.visibilityTimeout !== undefined) input.VisibilityTimeout = o.visibilityTimeout;
		const out = await this.call("ReceiveMessage", input, ReceiveAnswer, {
			signal: o.signal,
			timeoutMs: (o.waitTimeSeconds + 15) * 1000,
			longPoll: true,
		});
		const messages = out.Messages.map(
			(m): SqsMessage => ({
				messageId: m.MessageId,
				receiptHandle: m.ReceiptHandle,
				body: m.Body,
				attributes: m.Attributes,
				receiveCount: Number(m.Attributes.ApproximateReceiveCount ?? 1),
				sentTimestamp: m.Attributes.SentTimestamp ? Number(m.Attributes.SentTimestamp) : undefined,
			}),
		);
		const bad = out.Messages.filter(
			(m) => createHash("md5").update(m.Body, "utf8").digest("hex") !== m.MD5OfBody,
		).map((m) => m.MessageId);
		if (bad.length > 0) {
			throw new AwsError(
				`SQS ReceiveMessage: MD5OfBody does not match the body of message ${bad.join(", ")}`,
				{
					service: "sqs",
					code: "MD5Mismatch",
					retryable: false,
				},
			);
		}
		return messages;
	}

	async deleteMessage(receiptHandle: string, signal?: AbortSignal): Promise<void> {
		await this.call("DeleteMessage", { ReceiptHandle: receiptHandle }, v.unknown(), { signal });
	}

	async changeMessageVisibility(receiptHandle: string, seconds: number, signal?: AbortSignal): Promise<void> {
		await this.call(
			"ChangeMessageVisibility",
			{ ReceiptHandle: receiptHandle, VisibilityTimeout: seconds },
			v.unknown(),
			{ signal },
		);
	}

	/**
	 * Sends one message. On a FIFO queue (its name ends in .fifo) it goes to a message group, with
	 * a deduplication id of its own; a body SQS did not receive intact (MD5OfMessageBody) fails.
	 */
	async sendMessage(body: string, o: SendOptions = {}): Promise<SentMessage> {
		const input: Record<string, unknown> = { MessageBody: body };
		if (/\.fifo$/.test(new URL(this.queueUrl).pathname)) {
			input.MessageGroupId = o.messageGroupId ?? "registry";
			input.MessageDeduplicationId = o.deduplicationId ?? crypto.randomUUID();
		}
		const out = await this.call("SendMessage", input, SendAnswer, { signal: o.signal });
		const md5 = createHash("md5").update(body, "utf8").digest("hex");
		if (out.MD5OfMessageBody !== md5) {
			throw new AwsError(
				`SQS SendMessage: MD5OfMessageBody ${out.MD5OfMessageBody} is not the MD5 of the body sent (${md5}); message ${out.MessageId}`,
				{ service: "sqs", code: "MD5Mismatch", retryable: false },
			);
		}
		return {
			messageId: out.MessageId,
			...(out.SequenceNumber ? { sequenceNumber: out.SequenceNumber } : {}),
		};
	}

	async getQueueAttributes(names: string[] = ["All"], signal?: AbortSignal): Promise<Record<string, string>> {
		const out = await this.call("GetQueueAttributes", { AttributeNames: names }, AttributesAnswer, {
			signal,
		});
		return out.Attributes;
	}
}
