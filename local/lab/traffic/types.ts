// What the traffic generator records and reports.

/** A write the server acknowledged (the INSERT's commit returned). */
export interface AckedWrite {
  /** client-generated uuid, the row's client_id */
  id: string;
  sentAt: number; // epoch ms
  ackedAt: number;
  /** address of the server that took it (inet_server_addr() stored in the row) */
  server: string;
}

/** A write that failed or whose outcome is unknown (connection lost before the acknowledgement). */
export interface FailedWrite {
  id: string;
  sentAt: number;
  failedAt: number;
  error: string;
  code?: string;
}

export interface TrafficStats {
  attempted: number;
  acknowledged: number;
  failed: number;
  /** writes due by the rate but not sent because too many were in flight (a stalled server) */
  shed: number;
  inFlight: number;
  dnsQueries: number;
  byServer: Record<string, number>;
}

export interface TrafficReport {
  newPrimary: { name: string; address: string };
  oldPrimary: { name: string; address: string; acceptsWrites: boolean; detail: string };
  promotedAt: string | null;
  attempted: number;
  acknowledged: number;
  failed: number;
  /** acknowledged but missing on the new primary */
  lost: number;
  /** acknowledged by the old primary after the promote (a subset of lost: split brain); null without promotedAt */
  diverged: number | null;
  /** a few lost writes, for the record */
  lostSample: AckedWrite[];
  byServer: Record<string, number>;
  unavailability: {
    /** longest time between two consecutive acknowledged writes */
    longestGapMs: number;
    firstFailureAt: string | null;
    /** from the first failed write to the next acknowledged one; null when none failed or none succeeded after */
    firstFailureToNextSuccessMs: number | null;
  };
}
