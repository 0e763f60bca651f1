// Name resolution through the DNS servers the app is configured with (in Azure the VNet's resolver,
// in the lab its DNS server), so the probe sees exactly what applications see.
import { promises as dns } from "node:dns";
import { normalizeName } from "../domain/names";

export interface Resolution {
  /** The CNAME chain from the name asked (excluded) to the final name. */
  chain: string[];
  addresses: string[];
  /** TTL of the first answer (the CNAME's own TTL when the name is a CNAME). */
  ttl: number | null;
}

export interface NameResolver {
  resolve(name: string): Promise<Resolution>;
}

export class DnsNameResolver implements NameResolver {
  private readonly resolver = new dns.Resolver({ timeout: 2000, tries: 2 });

  constructor(servers: string[]) {
    if (servers.length) this.resolver.setServers(servers);
  }

  async resolve(name: string): Promise<Resolution> {
    const chain: string[] = [];
    let current = normalizeName(name);
    for (let hop = 0; hop < 8; hop++) {
      const target = await this.cnameOf(current);
      if (!target) break;
      current = normalizeName(target);
      chain.push(current);
    }
    // Asked for the original name, the A answer carries the TTL a cache would honour for it.
    const a = await this.resolver.resolve4(normalizeName(name), { ttl: true });
    return { chain, addresses: a.map((r) => r.address), ttl: a[0]?.ttl ?? null };
  }

  private async cnameOf(name: string): Promise<string | null> {
    try {
      return (await this.resolver.resolveCname(name))[0] ?? null;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ENODATA" || code === "ENOTFOUND") return null;
      throw e;
    }
  }
}
