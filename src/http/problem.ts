/** RFC 9457 problem details, in the upstream field order: title, status, detail, errors. */

export interface ProblemItem {
	message: string;
	location?: string;
	value?: unknown;
}

export interface Problem {
	status: number;
	detail: string;
	errors?: ProblemItem[];
	headers?: Record<string, string>;
}

export const REASONS: Record<number, string> = {
	400: "Bad Request",
	404: "Not Found",
	405: "Method Not Allowed",
	413: "Content Too Large",
	415: "Unsupported Media Type",
	422: "Unprocessable Entity",
	500: "Internal Server Error",
	501: "Not Implemented",
	503: "Service Unavailable",
};

export function problemBody(p: Problem): string {
	const body: Record<string, unknown> = {
		title: REASONS[p.status] ?? "Error",
		status: p.status,
		detail: p.detail,
	};
	if (p.errors && p.errors.length > 0) body.errors = p.errors;
	return `${JSON.stringify(body)}\n`;
}

export const notFound = (detail = "Server not found"): Problem => ({ status: 404, detail });

export const ENDPOINT_NOT_FOUND = "Endpoint not found. See /docs for the API documentation.";

export const READ_ONLY =
	"This registry is read-only: it serves a registry file and is updated from that file or from S3, not through the API.";
