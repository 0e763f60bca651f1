// The GET body of a server, shaped like the PostgreSQL RP's Server resource.
import { serverState, type FlexServer } from "./types";

export interface ResourceContext {
  version: string; // e.g. "17.10"
  adminUser: string;
  zoneId: string;
}

export function serverResource(s: FlexServer, c: ResourceContext): unknown {
  const isReplica = s.role !== "Primary";
  const [major, minor] = c.version.split(".");
  return {
    id: s.info.resourceId,
    name: s.info.name,
    type: "Microsoft.DBforPostgreSQL/flexibleServers",
    location: s.info.location,
    tags: { ...s.tags },
    sku: { name: "Standard_D2ds_v5", tier: "GeneralPurpose" },
    systemData: { createdBy: "pgflex-lab", createdByType: "User", createdAt: new Date(0).toISOString() },
    properties: {
      administratorLogin: c.adminUser,
      state: serverState(s),
      fullyQualifiedDomainName: s.info.fqdn,
      version: major,
      minorVersion: minor ?? "0",
      replicationRole: s.role,
      replicaCapacity: isReplica ? 0 : 5,
      replica: {
        role: s.role,
        capacity: isReplica ? 0 : 5,
        replicationState: isReplica ? (s.replicationState ?? "Active") : null,
        promoteMode: null,
        promoteOption: null,
      },
      ...(isReplica && s.source ? { sourceServerResourceId: s.source.info.resourceId } : {}),
      network: {
        publicNetworkAccess: "Disabled",
        delegatedSubnetResourceId: `${s.info.resourceId.split("/providers/")[0]}/providers/Microsoft.Network/virtualNetworks/vnet-${s.info.region}/subnets/pg`,
        privateDnsZoneArmResourceId: c.zoneId,
      },
      highAvailability: { mode: "Disabled", state: "NotEnabled" },
      storage: { storageSizeGB: 128, autoGrow: "Disabled", tier: "P10", iops: 500 },
      backup: { backupRetentionDays: 7, geoRedundantBackup: "Disabled" },
      authConfig: { activeDirectoryAuth: "Disabled", passwordAuth: "Enabled" },
      availabilityZone: "1",
    },
  };
}
