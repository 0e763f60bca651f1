/** PostgreSQL LSNs ("16/B374D848") as byte positions, for lag arithmetic. */
export function parseLsn(lsn: string): bigint {
  const m = /^([0-9A-F]+)\/([0-9A-F]+)$/i.exec(lsn.trim());
  if (!m) throw new Error(`not an LSN: ${lsn}`);
  return (BigInt("0x" + m[1]) << 32n) + BigInt("0x" + m[2]);
}

/** Bytes the replica still has to replay; never negative. */
export function lagBytes(primaryLsn: string, replayLsn: string): number {
  const d = parseLsn(primaryLsn) - parseLsn(replayLsn);
  return d > 0n ? Number(d) : 0;
}

export function formatLsn(pos: bigint): string {
  return `${(pos >> 32n).toString(16).toUpperCase()}/${(pos & 0xffffffffn).toString(16).toUpperCase()}`;
}

const SHORT_HEADER = 24n;
const LONG_HEADER = 40n;

/**
 * The position a replica must replay to for every record inserted so far. pg_current_wal_insert_lsn() (which,
 * unlike the write position, covers commits acknowledged with synchronous_commit = off) points past a page's
 * header when the last record ended on a page boundary; that header is not written until the next record is,
 * so a replica would wait for a record that may never come. Step back over the header: the long one at a
 * segment's first page, the short one elsewhere (sizes as the server reports them: wal_block_size,
 * wal_segment_size).
 */
export function lastInsertedLsn(insertLsn: string, sizes: { page: number; segment: number }): string {
  const pos = parseLsn(insertLsn);
  const page = BigInt(sizes.page);
  const segment = BigInt(sizes.segment);
  if (pos % segment === LONG_HEADER) return formatLsn(pos - LONG_HEADER);
  if (pos % page === SHORT_HEADER) return formatLsn(pos - SHORT_HEADER);
  return insertLsn;
}
