// Microsoft.Network/privateDnsZones: the zone GET and record-set GET/PUT/PATCH/DELETE/list, with etags.
import { ArmError, badRequest, notFound } from "./errors";
import { headerValue, matchResource, type ArmRequest, type ArmResponse, type Routes, type Scope } from "./router";
import { ZoneStore, type RecordSet, type RecordSetData } from "../zone-store";

export function dnsRoutes(scope: Scope, store: ZoneStore): Routes {
  const zoneId = `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}/providers/Microsoft.Network/privateDnsZones/${store.zone}`;

  const recordSetBody = (rs: RecordSet): unknown => {
    const { name, type, etag, ...data } = rs;
    return {
      id: `${zoneId}/${type}/${name}`,
      name,
      type: `Microsoft.Network/privateDnsZones/${type}`,
      etag,
      properties: { ...data, metadata: data.metadata ?? {}, fqdn: store.fqdn(name), isAutoRegistered: false },
    };
  };

  const zoneBody = (): unknown => ({
    id: zoneId,
    name: store.zone,
    type: "Microsoft.Network/privateDnsZones",
    location: "global",
    etag: store.etag,
    tags: {},
    properties: {
      maxNumberOfRecordSets: 25000,
      numberOfRecordSets: store.list().length,
      maxNumberOfVirtualNetworkLinks: 1000,
      numberOfVirtualNetworkLinks: 1,
      maxNumberOfVirtualNetworkLinksWithRegistration: 100,
      numberOfVirtualNetworkLinksWithRegistration: 0,
      provisioningState: "Succeeded",
      internalId: `lab-${store.etag}`,
    },
  });

  const dataFrom = (req: ArmRequest, partial: boolean): Partial<RecordSetData> => {
    const body = req.body as { properties?: Record<string, unknown> } | undefined;
    if (typeof body !== "object" || body === null || typeof body.properties !== "object" || body.properties === null) {
      throw badRequest("InvalidRequestContent", "The request body must be a JSON object with 'properties'.");
    }
    const p = body.properties as Record<string, unknown>;
    const d: Partial<RecordSetData> = {};
    if (p.ttl !== undefined) d.ttl = p.ttl as number;
    else if (!partial) d.ttl = 3600;
    for (const k of ["metadata", "aRecords", "aaaaRecords", "cnameRecord", "txtRecords", "soaRecord"] as const) {
      if (p[k] !== undefined && p[k] !== null) (d as Record<string, unknown>)[k] = p[k];
    }
    if (d.metadata !== undefined && (typeof d.metadata !== "object" || Array.isArray(d.metadata)))
      throw badRequest("InvalidParameterValue", "properties.metadata must be an object.");
    for (const k of ["aRecords", "aaaaRecords", "txtRecords"] as const) {
      if (d[k] !== undefined && !Array.isArray(d[k]))
        throw badRequest("InvalidParameterValue", `properties.${k} must be an array.`);
    }
    return d;
  };

  return (req) => {
    const m = matchResource(req, scope, "Microsoft.Network", "privateDnsZones");
    if (!m) return undefined;
    if (m.name.toLowerCase() !== store.zone.toLowerCase()) {
      throw notFound(
        "ParentResourceNotFound",
        `Can not perform requested operation on nested resource. Parent resource '${m.name}' not found.`,
      );
    }
    const pre = { ifMatch: headerValue(req, "if-match"), ifNoneMatch: headerValue(req, "if-none-match") };
    const [typeSeg, name, ...deeper] = m.rest;
    if (typeSeg === undefined) {
      if (req.method !== "GET")
        throw new ArmError(405, "MethodNotAllowed", `${req.method} on a private DNS zone is not supported by the lab.`);
      return { status: 200, body: zoneBody() };
    }
    if (name === undefined) {
      if (req.method !== "GET")
        throw new ArmError(405, "MethodNotAllowed", `${req.method} is not allowed on a record set collection.`);
      const type = typeSeg.toLowerCase() === "all" ? undefined : ZoneStore.parseType(typeSeg);
      let value = store.list(type);
      const suffix = req.query.get("$recordsetnamesuffix");
      if (suffix) value = value.filter((r) => r.name.toLowerCase().endsWith(suffix.toLowerCase()));
      const top = Number(req.query.get("$top"));
      if (Number.isInteger(top) && top > 0) value = value.slice(0, top);
      return { status: 200, body: { value: value.map(recordSetBody) } };
    }
    if (deeper.length > 0) return undefined;
    const type = ZoneStore.parseType(typeSeg);
    switch (req.method) {
      case "GET": {
        const rs = store.get(type, name);
        if (!rs) throw store.notFound(type, name);
        return { status: 200, body: recordSetBody(rs) };
      }
      case "PUT": {
        const { created, rs } = store.put(type, name, dataFrom(req, false) as RecordSetData, pre);
        return { status: created ? 201 : 200, body: recordSetBody(rs) };
      }
      case "PATCH": {
        if (pre.ifNoneMatch !== undefined)
          throw badRequest("InvalidRequestHeader", "If-None-Match is not supported on PATCH.");
        return { status: 200, body: recordSetBody(store.patch(type, name, dataFrom(req, true), pre)) };
      }
      case "DELETE":
        return { status: store.delete(type, name, pre) ? 200 : 204 } satisfies ArmResponse;
      default:
        throw new ArmError(405, "MethodNotAllowed", `${req.method} is not allowed on a record set.`);
    }
  };
}
