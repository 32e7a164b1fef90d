/**
 * A body read as it arrives, up to a byte limit: past it, reading stops (the stream is
 * cancelled) and the caller learns so, before a hostile sender has filled the memory.
 */

/** The body's bytes, or undefined when it is longer than `max` (read no further). */
export async function readCapped(
	body: ReadableStream<Uint8Array> | null,
	max: number,
): Promise<Uint8Array | undefined> {
	if (body === null) return new Uint8Array(0);
	const reader = body.getReader();
	const chunks: Uint8Array[] = [];
	let total = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		total += value.byteLength;
		if (total > max) {
			await reader.cancel().catch(() => {});
			return undefined;
		}
		chunks.push(value);
	}
	const out = new Uint8Array(total);
	let at = 0;
	for (const c of chunks) {
		out.set(c, at);
		at += c.byteLength;
	}
	return out;
}
