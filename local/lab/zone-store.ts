// The private DNS zone's record sets, as ARM stores them (etag per record set). The DNS server reads the
// same store, so an ARM write is visible in DNS at once.
import { randomUUID } from "node:crypto";
import net from "node:net";
import { ArmError, badRequest, conflict, notFound } from "./arm/errors";

export type RecordType = "A" | "AAAA" | "CNAME" | "TXT" | "SOA";
export const RECORD_TYPES: readonly RecordType[] = ["A", "AAAA", "CNAME", "TXT", "SOA"];

export interface SoaRecord {
  host: string;
  email: string;
  serialNumber: number;
  refreshTime: number;
  retryTime: number;
  expireTime: number;
  minimumTtl: number;
}

export interface RecordSetData {
  ttl: number;
  metadata?: Record<string, string>;
  aRecords?: { ipv4Address: string }[];
  aaaaRecords?: { ipv6Address: string }[];
  cnameRecord?: { cname: string };
  txtRecords?: { value: string[] }[];
  soaRecord?: SoaRecord;
}

export interface RecordSet extends RecordSetData {
  /** Name as first written (ARM keeps the case); lookups are case-insensitive. "@" is the apex. */
  name: string;
  type: RecordType;
  etag: string;
}

export interface Preconditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

const RECORD_FIELD: Record<RecordType, keyof RecordSetData> = {
  A: "aRecords",
  AAAA: "aaaaRecords",
  CNAME: "cnameRecord",
  TXT: "txtRecords",
  SOA: "soaRecord",
};

const unquote = (s: string): string =>
  s
    .trim()
    .replace(/^W\//, "")
    .replace(/^"(.*)"$/, "$1");

export class ZoneStore {
  private readonly sets = new Map<string, RecordSet>();
  serial = 1;
  readonly etag = randomUUID();

  constructor(readonly zone: string) {
    this.sets.set(this.key("SOA", "@"), {
      name: "@",
      type: "SOA",
      ttl: 3600,
      etag: randomUUID(),
      soaRecord: {
        host: "azureprivatedns.net",
        email: "azureprivatedns-host.microsoft.com",
        serialNumber: 1,
        refreshTime: 3600,
        retryTime: 300,
        expireTime: 2419200,
        minimumTtl: 10,
      },
    });
  }

  private key(type: RecordType, name: string): string {
    return `${type}/${name.toLowerCase()}`;
  }

  static parseType(t: string): RecordType {
    const up = t.toUpperCase() as RecordType;
    if (!RECORD_TYPES.includes(up)) {
      throw badRequest(
        "UnsupportedRecordType",
        `Record type '${t}' is not supported by the lab (supported: ${RECORD_TYPES.join(", ")}).`,
      );
    }
    return up;
  }

  fqdn(name: string): string {
    return name === "@" ? `${this.zone}.` : `${name}.${this.zone}.`;
  }

  get(type: RecordType, name: string): RecordSet | undefined {
    return this.sets.get(this.key(type, name));
  }

  list(type?: RecordType): RecordSet[] {
    return [...this.sets.values()]
      .filter((r) => !type || r.type === type)
      .sort((a, b) => (a.name + a.type).localeCompare(b.name + b.type));
  }

  /** All record sets at a name (DNS view). */
  atName(name: string): RecordSet[] {
    const n = name.toLowerCase();
    return [...this.sets.values()].filter((r) => r.name.toLowerCase() === n);
  }

  private check(existing: RecordSet | undefined, p: Preconditions): void {
    if (p.ifMatch !== undefined) {
      const want = unquote(p.ifMatch);
      if (!existing || (want !== "*" && want !== existing.etag)) {
        throw new ArmError(
          412,
          "PreconditionFailed",
          `The condition '${p.ifMatch}' in the If-Match header was not satisfied. The current was '${existing?.etag ?? "n/a"}'.`,
        );
      }
    }
    if (p.ifNoneMatch !== undefined && existing) {
      const want = unquote(p.ifNoneMatch);
      if (want === "*" || want === existing.etag) {
        throw new ArmError(
          412,
          "PreconditionFailed",
          `The condition '${p.ifNoneMatch}' in the If-None-Match header was not satisfied. The current was '${existing.etag}'.`,
        );
      }
    }
  }

  private validate(type: RecordType, name: string, d: RecordSetData): void {
    if (!Number.isInteger(d.ttl) || d.ttl < 0 || d.ttl > 2147483647)
      throw badRequest("InvalidParameterValue", "properties.ttl must be an integer between 0 and 2147483647.");
    for (const [t, field] of Object.entries(RECORD_FIELD)) {
      if (t !== type && d[field] !== undefined)
        throw badRequest("InvalidParameterValue", `A record set of type ${type} cannot contain ${field}.`);
    }
    if (type === "A")
      for (const r of d.aRecords ?? [])
        if (!net.isIPv4(r?.ipv4Address))
          throw badRequest("InvalidParameterValue", `'${r?.ipv4Address}' is not a valid IPv4 address.`);
    if (type === "AAAA")
      for (const r of d.aaaaRecords ?? [])
        if (!net.isIPv6(r?.ipv6Address))
          throw badRequest("InvalidParameterValue", `'${r?.ipv6Address}' is not a valid IPv6 address.`);
    if (
      type === "CNAME" &&
      d.cnameRecord !== undefined &&
      (typeof d.cnameRecord?.cname !== "string" || !/^[a-z0-9_.-]+\.?$/i.test(d.cnameRecord.cname))
    ) {
      throw badRequest("InvalidParameterValue", "properties.cnameRecord.cname must be a domain name.");
    }
    if (type === "TXT")
      for (const r of d.txtRecords ?? [])
        if (!Array.isArray(r?.value) || r.value.some((v) => typeof v !== "string"))
          throw badRequest("InvalidParameterValue", "txtRecords[].value must be an array of strings.");
    if (type === "SOA" && name !== "@")
      throw badRequest("InvalidParameterValue", "An SOA record set can only exist at the zone apex '@'.");
    if (type === "CNAME" && name === "@")
      throw badRequest("InvalidParameterValue", "A CNAME record set cannot be created at the zone apex.");
    if (!/^(@|[a-z0-9_*-]+(\.[a-z0-9_-]+)*)$/i.test(name))
      throw badRequest("InvalidParameterValue", `'${name}' is not a valid relative record set name.`);
  }

  private checkCnameExclusive(type: RecordType, name: string): void {
    const others = this.atName(name).filter((r) => r.type !== type);
    if (type === "CNAME" && others.length > 0)
      throw conflict(
        "Conflict",
        `A CNAME record set cannot be created at '${name}' because record sets of other types exist there.`,
      );
    if (type !== "CNAME" && others.some((r) => r.type === "CNAME"))
      throw conflict(
        "Conflict",
        `A ${type} record set cannot be created at '${name}' because a CNAME record set exists there.`,
      );
  }

  private write(rs: RecordSet): RecordSet {
    rs.etag = randomUUID();
    this.sets.set(this.key(rs.type, rs.name), rs);
    this.serial++;
    return rs;
  }

  /** PUT: create or replace. */
  put(type: RecordType, name: string, d: RecordSetData, p: Preconditions = {}): { created: boolean; rs: RecordSet } {
    const existing = this.get(type, name);
    this.check(existing, p);
    this.validate(type, name, d);
    this.checkCnameExclusive(type, name);
    const rs: RecordSet = { name: existing?.name ?? name, type, etag: "", ...pick(type, d) };
    return { created: !existing, rs: this.write(rs) };
  }

  /** PATCH: update only the given properties of an existing record set. */
  patch(type: RecordType, name: string, d: Partial<RecordSetData>, p: Preconditions = {}): RecordSet {
    const existing = this.get(type, name);
    if (!existing && p.ifMatch === undefined) throw this.notFound(type, name);
    this.check(existing, p);
    const merged: RecordSetData = { ...existing! };
    for (const [k, v] of Object.entries(d)) if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
    this.validate(type, name, merged);
    return this.write({ name: existing!.name, type, etag: "", ...pick(type, merged) });
  }

  delete(type: RecordType, name: string, p: Preconditions = {}): boolean {
    const existing = this.get(type, name);
    this.check(existing, p);
    if (type === "SOA") throw badRequest("BadRequest", "The SOA record set cannot be deleted.");
    if (!existing) return false;
    this.sets.delete(this.key(type, name));
    this.serial++;
    return true;
  }

  notFound(type: RecordType, name: string): ArmError {
    return notFound(
      "NotFound",
      `The resource record '${name}' of type '${type}' does not exist in zone '${this.zone}'.`,
    );
  }
}

function pick(type: RecordType, d: RecordSetData): RecordSetData {
  const out: RecordSetData = { ttl: d.ttl };
  if (d.metadata) out.metadata = { ...d.metadata };
  const f = RECORD_FIELD[type];
  const v = d[f];
  (out as unknown as Record<string, unknown>)[f] =
    v === undefined ? (type === "CNAME" || type === "SOA" ? undefined : []) : structuredClone(v);
  return out;
}
