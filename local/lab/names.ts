// Azure-shaped names for one lab: subscription, resource group, and each server's name, resource id, region,
// public FQDN and A record in the private zone.
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

export interface LabNames {
  subscriptionId: string;
  resourceGroup: string;
  zone: string;
  zoneId: string;
  primary: ServerInfo;
  replica: ServerInfo;
}

export function labNames(zone: string, regions: { primary: Region; replica: Region }): LabNames {
  const id = hex(6);
  const subscriptionId = uuid();
  const server = (region: Region, address: ServerInfo["address"]): ServerInfo => {
    const name = `pglab-${id}-${region}`.slice(0, 63);
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
  return {
    subscriptionId,
    resourceGroup: RESOURCE_GROUP,
    zone,
    zoneId: `/subscriptions/${subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Network/privateDnsZones/${zone}`,
    primary: server(regions.primary, "127.0.0.1"),
    replica: server(regions.replica, "127.0.0.2"),
  };
}
