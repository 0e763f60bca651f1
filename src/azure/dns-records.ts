// Adapter over @azure/arm-privatedns: the CNAME record set of a pair and its servers' A records.
import { PrivateDnsManagementClient, type RecordSet } from "@azure/arm-privatedns";
import type { TokenCredential } from "@azure/core-auth";
import type { AppConfig } from "../config/settings";
import type { PairConfig } from "../config/pair-schema";
import type { CnameSnapshot } from "../activities/contracts";
import { normalizeName } from "../domain/names";
import { perSubscription } from "./client-cache";
import { armClientOptions } from "./client-options";

export type ZoneRef = PairConfig["dns"];

export interface DnsRecords {
  getCname(zone: ZoneRef): Promise<CnameSnapshot>;
  /** Writes target and TTL only if the record's etag is still `ifMatch` (412 → PreconditionFailed). */
  putCname(zone: ZoneRef, value: { target: string; ttl: number }, ifMatch: string): Promise<CnameSnapshot>;
  getARecord(zone: ZoneRef, name: string): Promise<{ fqdn: string; addresses: string[]; ttl: number }>;
}

export class ArmDnsRecords implements DnsRecords {
  private readonly clientFor: (subscriptionId: string) => PrivateDnsManagementClient;

  constructor(credential: TokenCredential, arm: AppConfig["arm"]) {
    this.clientFor = perSubscription((sub) => new PrivateDnsManagementClient(credential, sub, armClientOptions(arm)));
  }

  async getCname(zone: ZoneRef): Promise<CnameSnapshot> {
    const rs = await this.client(zone).recordSets.get(zone.resourceGroup, zone.zone, "CNAME", zone.cname);
    return toSnapshot(zone, rs);
  }

  async putCname(zone: ZoneRef, value: { target: string; ttl: number }, ifMatch: string): Promise<CnameSnapshot> {
    const rs = await this.client(zone).recordSets.createOrUpdate(
      zone.resourceGroup,
      zone.zone,
      "CNAME",
      zone.cname,
      { ttl: value.ttl, cnameRecord: { cname: normalizeName(value.target) } },
      { ifMatch },
    );
    return toSnapshot(zone, rs);
  }

  async getARecord(zone: ZoneRef, name: string) {
    const rs = await this.client(zone).recordSets.get(zone.resourceGroup, zone.zone, "A", name);
    return {
      fqdn: normalizeName(rs.fqdn ?? `${name}.${zone.zone}`),
      addresses: (rs.aRecords ?? []).map((a) => a.ipv4Address ?? "").filter(Boolean),
      ttl: rs.ttl ?? 0,
    };
  }

  private client(zone: ZoneRef): PrivateDnsManagementClient {
    return this.clientFor(zone.subscriptionId);
  }
}

function toSnapshot(zone: ZoneRef, rs: RecordSet): CnameSnapshot {
  return {
    fqdn: normalizeName(rs.fqdn ?? `${zone.cname}.${zone.zone}`),
    target: normalizeName(rs.cnameRecord?.cname ?? ""),
    ttl: rs.ttl ?? 0,
    etag: rs.etag ?? "",
  };
}
