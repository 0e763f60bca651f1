// Azure-shaped names for one lab: subscription, resource group, and for each pair of servers its name in the
// app's settings, its CNAME, and each server's name, resource id, region, public FQDN, A record and address.
import { aRecordName, hex, uuid } from "./ids";
import type { Region, ServerInfo } from "./types";

const LOCATION_NAMES: Record<string, string> = {
  eastus: "East US",
  westus: "West US",
  eastus2: "East US 2",
  westus2: "West US 2",
  westeurope: "West Europe",
  northeurope: "North Europe",
};

export const RESOURCE_GROUP = "rg-pgflex-lab";
/** Pair 0's name in the app's settings; pair k is `lab-k`. */
export const LAB_PAIR = "lab";
/** Pair 0's CNAME; pair k's is `prod-k`. */
export const LAB_CNAME = "prod";
/** Pair k listens on 127.0.k.1 / 127.0.k.2: one octet each, and 2 × 64 servers are already a lot for one machine. */
export const MAX_PAIRS = 64;

export const pairName = (k: number): string => (k === 0 ? LAB_PAIR : `${LAB_PAIR}-${k}`);
export const cnameName = (k: number): string => (k === 0 ? LAB_CNAME : `${LAB_CNAME}-${k}`);

export interface LabPairNames {
  name: string;
  cnameRecord: string;
  primary: ServerInfo;
  replica: ServerInfo;
}

export interface LabNames {
  subscriptionId: string;
  resourceGroup: string;
  zone: string;
  zoneId: string;
  /** Pair 0's servers (the lab's "primary" and "replica"). */
  primary: ServerInfo;
  replica: ServerInfo;
  pairs: LabPairNames[];
}

export function labNames(zone: string, regions: { primary: Region; replica: Region }, pairs = 1): LabNames {
  if (!Number.isInteger(pairs) || pairs < 1 || pairs > MAX_PAIRS)
    throw new Error(`pairs must be a whole number from 1 to ${MAX_PAIRS}, not ${pairs}`);
  const id = hex(6);
  const subscriptionId = uuid();
  const server = (k: number, region: Region, address: string): ServerInfo => {
    // Pair 0 keeps the name it always had; every other pair's servers carry its number.
    const name = (k === 0 ? `pglab-${id}-${region}` : `pglab-${id}-p${k}-${region}`).slice(0, 63);
    const aRecord = aRecordName();
    return {
      name,
      resourceId: `/subscriptions/${subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`,
      region,
      location: LOCATION_NAMES[region] ?? region,
      fqdn: `${name}.postgres.database.azure.com`,
      aRecord,
      aRecordFqdn: `${aRecord}.${zone}`,
      address,
    };
  };
  // Each pair has its own loopback addresses (all of 127/8 is local on Linux): a repoint moves traffic only
  // when the two A records differ, and every pair's servers share one port.
  const list = Array.from({ length: pairs }, (_, k): LabPairNames => ({
    name: pairName(k),
    cnameRecord: cnameName(k),
    primary: server(k, regions.primary, `127.0.${k}.1`),
    replica: server(k, regions.replica, `127.0.${k}.2`),
  }));
  const [first] = list;
  if (!first) throw new Error("a lab has at least one pair");
  return {
    subscriptionId,
    resourceGroup: RESOURCE_GROUP,
    zone,
    zoneId: `/subscriptions/${subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Network/privateDnsZones/${zone}`,
    primary: first.primary,
    replica: first.replica,
    pairs: list,
  };
}
