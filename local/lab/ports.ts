// Free-port selection on loopback. Ports are picked at random below Linux's ephemeral range (so outgoing
// client sockets don't collide with them) and probed; callers retry on EADDRINUSE since a probe can race.
import net from "node:net";
import dgram from "node:dgram";

const LOW = 20000;
const HIGH = 32000;

function tcpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });
}
function udpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket("udp4");
    s.once("error", () => {
      s.close();
      resolve(false);
    });
    s.bind({ port, address: host, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** A port free for TCP on every host given (and for UDP too when udp is set). */
export async function findFreePort(hosts: string[], opts: { udp?: boolean } = {}): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    let ok = true;
    for (const h of hosts) {
      if (!(await tcpFree(port, h)) || (opts.udp && !(await udpFree(port, h)))) {
        ok = false;
        break;
      }
    }
    if (ok) return port;
  }
  throw new Error(`no free port on ${hosts.join(", ")}`);
}

export const isAddrInUse = (e: unknown): boolean =>
  typeof e === "object" &&
  e !== null &&
  ((e as { code?: string }).code === "EADDRINUSE" ||
    /already in use|could not bind|Address already/i.test(String((e as Error).message)));
