// Name resolution through the lab's DNS server, as an application's resolver does it: either a fresh query
// for every connection (Node's default: getaddrinfo, no cache) or a cache that honours the record TTL.
import net from "node:net";
import { Resolver } from "node:dns/promises";

export class NameResolver {
  private readonly resolver = new Resolver({ timeout: 1000, tries: 2 });
  private readonly cache = new Map<string, { address: Promise<string>; expiresAt: number }>();
  /** DNS queries sent so far (a TTL cache sends one per TTL). */
  queries = 0;

  constructor(
    server: string,
    private readonly honourTtl: boolean,
  ) {
    this.resolver.setServers([server]);
  }

  resolve(name: string): Promise<string> {
    const key = name.toLowerCase();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > Date.now()) return hit.address;
    const answer = this.query(name);
    if (!this.honourTtl) return answer.then((a) => a.address);
    // Cached while in flight too, so concurrent connections share one query; a failure is not cached.
    const entry = { address: answer.then((a) => a.address), expiresAt: Infinity };
    this.cache.set(key, entry);
    answer.then(
      (a) => (entry.expiresAt = Date.now() + a.ttl * 1000),
      () => this.cache.delete(key),
    );
    return entry.address;
  }

  private async query(name: string): Promise<{ address: string; ttl: number }> {
    this.queries++;
    // c-ares reports the smallest TTL along the CNAME chain
    const [first] = await this.resolver.resolve4(name, { ttl: true });
    if (!first) throw Object.assign(new Error(`no address for ${name}`), { code: "ENOTFOUND" });
    return first;
  }

  /**
   * pg has no lookup hook: a stream factory whose socket dials the address this resolver returns for the host
   * pg connects to (the TLS name stays the host name).
   */
  socketFactory(): () => net.Socket {
    const lookup: net.LookupFunction = (hostname, options, cb) => {
      this.resolve(hostname).then(
        (address) =>
          options.all
            ? (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
                { address, family: 4 },
              ])
            : cb(null, address, 4),
        (e: NodeJS.ErrnoException) => cb(e, "", 4),
      );
    };
    return () => {
      const socket = new net.Socket();
      const dial = socket.connect.bind(socket) as (o: net.TcpSocketConnectOpts) => net.Socket;
      (socket as unknown as { connect: (port: number, host: string) => net.Socket }).connect = (port, host) =>
        dial({ port, host, lookup });
      return socket;
    };
  }
}
