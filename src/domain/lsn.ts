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
