/**
 * What the served bytes are, in S3's terms: the ETag of the object they came from (for bytes
 * read from disk, their MD5, which is a single-part object's ETag) and the newest S3 event
 * sequencer applied per key. The sync skips what this says is already served or older; the
 * store updates it on every replace, so it always describes the bytes on disk.
 */

/** Where a replace's bytes came from, when they came from S3. */
export interface Origin {
	/** `bucket/key`. */
	key: string;
	etag?: string;
	sequencer?: string;
}

export class AppliedObject {
	/** ETag of the object behind the served file, without quotes; undefined when unknown. */
	etag: string | undefined;
	/** `bucket/key` the served bytes came from; undefined when they did not come from S3. */
	fromKey: string | undefined;
	private readonly sequencers = new Map<string, string>();

	sequencerOf(key: string): string | undefined {
		return this.sequencers.get(key);
	}

	/** The served bytes are now these: their MD5, or the ETag and sequencer of their S3 object. */
	update(md5: string | undefined, origin?: Origin): void {
		this.etag = origin?.etag?.replace(/"/g, "") ?? md5;
		this.fromKey = origin?.key;
		if (origin?.sequencer) this.sequencers.set(origin.key, origin.sequencer);
	}

	/** The file on disk is no longer known to be what is served (a reload of it failed). */
	forget(): void {
		this.etag = undefined;
		this.fromKey = undefined;
	}
}
