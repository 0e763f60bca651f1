// Adapter over @azure/arm-privatedns: the CNAME record set of a pair.
import { PrivateDnsManagementClient, type RecordSet } from "@azure/arm-privatedns";
import type { TokenCredential } from "@azure/core-auth";
import type { AppConfig } from "../config/settings";
import type { PairConfig } from "../config/pair-schema";
import type { CnameSnapshot } from "../domain/facts";
import { normalizeName } from "../domain/names";
import { perSubscription } from "./client-cache";
import { armClientOptions } from "./client-options";
import { armCall } from "./errors";

export type ZoneRef = PairConfig["dns"];

export interface DnsRecords {
  getCname(zone: ZoneRef): Promise<CnameSnapshot>;
  /**
   * Writes target and TTL only if the record is still the one read as `current` (If-Match on its etag;
   * a 412 is thrown and means "read again"). The record's metadata is carried over unchanged.
   */
  putCname(zone: ZoneRef, value: { target: string; ttl: number }, current: CnameSnapshot): Promise<CnameSnapshot>;
}

export class ArmDnsRecords implements DnsRecords {
  private readonly clientFor: (subscriptionId: string) => PrivateDnsManagementClient;

  constructor(credential: TokenCredential, arm: AppConfig["arm"]) {
    this.clientFor = perSubscription((sub) => new PrivateDnsManagementClient(credential, sub, armClientOptions(arm)));
  }

  async getCname(zone: ZoneRef): Promise<CnameSnapshot> {
    const rs = await armCall(`read the CNAME ${zone.cname}.${zone.zone}`, () =>
      this.client(zone).recordSets.get(zone.resourceGroup, zone.zone, "CNAME", zone.cname),
    );
    return toSnapshot(zone, rs);
  }

  async putCname(
    zone: ZoneRef,
    value: { target: string; ttl: number },
    current: CnameSnapshot,
  ): Promise<CnameSnapshot> {
    const rs = await armCall(`write the CNAME ${zone.cname}.${zone.zone}`, () =>
      this.client(zone).recordSets.createOrUpdate(
        zone.resourceGroup,
        zone.zone,
        "CNAME",
        zone.cname,
        { ttl: value.ttl, cnameRecord: { cname: normalizeName(value.target) }, metadata: current.metadata },
        { ifMatch: current.etag },
      ),
    );
    return toSnapshot(zone, rs);
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
    ...(rs.metadata && Object.keys(rs.metadata).length ? { metadata: rs.metadata } : {}),
  };
}
