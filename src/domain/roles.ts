// The app roles of the app registration, and what each one allows.
export const ROLES = {
  /** GET the failovers and the pairs. */
  read: "Failover.Read",
  /** Start a failover or a dry run. */
  request: "Failover.Request",
  /** Approve or abort a failover waiting for approval. */
  approve: "Failover.Approve",
  /** Deliver Azure Monitor alerts (an action group's Secure Webhook identity). */
  alert: "Failover.Alert",
} as const;

export type Role = (typeof ROLES)[keyof typeof ROLES];
