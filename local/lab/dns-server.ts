// Authoritative DNS for the private zone (UDP + TCP on 127.0.0.1), answering from the ZoneStore live.
// Also answers each server's public name "<server>.postgres.database.azure.com" with a CNAME into the zone,
// as Azure public DNS does for private-access servers. Everything else is REFUSED.
import dns2 from "dns2";
import type { AddressInfo } from "node:net";
import { findFreePort, isAddrInUse } from "./ports";
import type { RecordSet, ZoneStore } from "./zone-store";

const { Packet } = dns2;
type Resource = dns2.Packet.Resource;

export interface DnsServer {
  port: number;
  close(): Promise<void>;
}

/** TTL Azure public DNS uses for the privatelink-style CNAME of a server's public name. */
const PUBLIC_CNAME_TTL = 30;

export interface DnsServerOptions {
  store: ZoneStore;
  /** public FQDN (lower case, no trailing dot) → A-record FQDN in the zone */
  publicNames: () => Map<string, string>;
  port?: number;
}

export function dnsAnswer(request: dns2.Packet, o: DnsServerOptions): dns2.Packet {
  const res = Packet.createResponseFromRequest(request);
  const q = request.questions[0];
  const zone = o.store.zone.toLowerCase();
  if (!q) {
    res.header.rcode = 1;
    return res;
  } // FORMERR
  const qname = q.name.toLowerCase().replace(/\.$/, "");
  const inZone = (n: string): boolean => n === zone || n.endsWith("." + zone);
  const rel = (n: string): string => (n === zone ? "@" : n.slice(0, -(zone.length + 1)));
  const rr = (name: string, type: number, ttl: number, extra: Partial<Resource>): Resource =>
    ({ name, type, class: Packet.CLASS.IN, ttl, ...extra }) as Resource;
  const soa = (): Resource => {
    const s = o.store.get("SOA", "@")!;
    const r = s.soaRecord!;
    // serial follows the store so resolvers could notice changes
    return rr(zone, Packet.TYPE.SOA, s.ttl, {
      primary: r.host,
      admin: r.email,
      serial: o.store.serial,
      refresh: r.refreshTime,
      retry: r.retryTime,
      expiration: r.expireTime,
      minimum: r.minimumTtl,
    });
  };
  const records = (name: string, s: RecordSet): Resource[] => {
    switch (s.type) {
      case "A":
        return (s.aRecords ?? []).map((a) => rr(name, Packet.TYPE.A, s.ttl, { address: a.ipv4Address }));
      case "AAAA":
        return (s.aaaaRecords ?? []).map((a) => rr(name, Packet.TYPE.AAAA, s.ttl, { address: a.ipv6Address }));
      case "TXT":
        return (s.txtRecords ?? []).map((t) => rr(name, Packet.TYPE.TXT, s.ttl, { data: t.value }));
      case "CNAME":
        return s.cnameRecord
          ? [rr(name, Packet.TYPE.CNAME, s.ttl, { domain: s.cnameRecord.cname.replace(/\.$/, "") })]
          : [];
      case "SOA":
        return [soa()];
    }
  };
  const typeCode = (t: RecordSet["type"]): number => Packet.TYPE[t];

  let name = qname;
  const pub = o.publicNames().get(qname);
  if (pub) {
    res.header.aa = 1;
    res.answers.push(rr(qname, Packet.TYPE.CNAME, PUBLIC_CNAME_TTL, { domain: pub }));
    if (q.type === Packet.TYPE.CNAME) return res;
    name = pub;
  } else if (!inZone(qname)) {
    res.header.rcode = 5; // REFUSED: not authoritative, no recursion
    return res;
  }
  res.header.aa = 1;
  for (let hop = 0; hop < 8; hop++) {
    const sets = o.store.atName(rel(name));
    if (sets.length === 0) {
      res.header.rcode = 3; // NXDOMAIN (also at the end of a dangling CNAME chain)
      res.authorities.push(soa());
      return res;
    }
    const cname = sets.find((s) => s.type === "CNAME");
    if (cname && q.type !== Packet.TYPE.CNAME) {
      res.answers.push(...records(name, cname));
      const target = cname.cnameRecord!.cname.toLowerCase().replace(/\.$/, "");
      if (!inZone(target)) return res; // outside our authority: the resolver continues
      name = target;
      continue;
    }
    for (const s of sets)
      if (q.type === Packet.TYPE.ANY || typeCode(s.type) === q.type) res.answers.push(...records(name, s));
    break;
  }
  if (res.answers.length === 0) res.authorities.push(soa()); // NODATA carries the SOA for negative caching
  return res;
}

async function listenOnce(port: number, o: DnsServerOptions): Promise<DnsServer> {
  const handle: dns2.DnsHandler = (request, send) => {
    let res: dns2.Packet;
    try {
      res = dnsAnswer(request, o);
    } catch {
      res = Packet.createResponseFromRequest(request);
      res.header.rcode = 2;
    } // SERVFAIL
    send(res).catch(() => undefined);
  };
  const udp = dns2.createUDPServer(handle);
  const tcp = dns2.createTCPServer(handle);
  const conns = new Set<import("node:net").Socket>();
  tcp.on("connection", (c: import("node:net").Socket) => {
    conns.add(c);
    c.on("close", () => conns.delete(c));
  });
  udp.on("requestError", () => undefined);
  tcp.on("requestError", () => undefined);
  const bound = <T extends { once(ev: string, l: (...a: any[]) => void): unknown }>(
    s: T,
    start: () => void,
  ): Promise<void> =>
    new Promise((resolve, reject) => {
      s.once("error", reject);
      s.once("listening", () => resolve());
      start();
    });
  try {
    await bound(udp, () => udp.bind(port, "127.0.0.1"));
    await bound(tcp, () => tcp.listen(port, "127.0.0.1"));
  } catch (e) {
    try {
      udp.close();
    } catch {
      /* not bound */
    }
    tcp.close();
    throw e;
  }
  udp.on("error", () => undefined);
  tcp.on("error", () => undefined);
  return {
    port: (tcp.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        try {
          udp.close();
        } catch {
          /* already closed */
        }
        tcp.close(() => resolve());
        // dns2 keeps idle TCP connections open up to 10 s; they must not hold the close
        for (const c of conns) c.destroy();
      }),
  };
}

/** dns2's TCP listener ignores the address when given port 0, so a concrete free port is chosen (retrying races). */
export async function startDnsServer(o: DnsServerOptions): Promise<DnsServer> {
  for (let attempt = 0; ; attempt++) {
    const port = o.port ?? (await findFreePort(["127.0.0.1"], { udp: true }));
    try {
      return await listenOnce(port, o);
    } catch (e) {
      if (o.port !== undefined || attempt >= 5 || !isAddrInUse(e)) throw e;
    }
  }
}
