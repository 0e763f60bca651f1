// startLab(): the two-region lab — PostgreSQL pair, private CA, DNS server, ARM emulator, Azurite, reaper.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import type pg from "pg";
import { appSettingsFor } from "./app-settings";
import { startArmServer, type ArmRequestRecord, type ArmServer } from "./arm/arm-server";
import { dnsRoutes } from "./arm/dns-routes";
import { ArmError } from "./arm/errors";
import { labRoutes } from "./arm/lab-routes";
import { Operations, type Operation } from "./arm/operations";
import { operationRoutes, serverRoutes } from "./arm/server-routes";
import { startAzurite, type Azurite } from "./azurite";
import { createCa, issueServerCert } from "./certs";
import { startDnsServer, type DnsServer } from "./dns-server";
import { Faults, type Fault, type FaultSpec } from "./faults";
import { FlexServers, type FlexServer } from "./flex-servers";
import { aRecordName, hex, secret, uuid } from "./ids";
import { accessProblem, type Need } from "./access";
import { mkdirMode, writeFileMode } from "./files";
import { createRunner, defaultPgBinDir, type PgRunner } from "./pg-bin";
import { SERVER_USER } from "./server-user";
import { createPgPair, type PgPair } from "./pg-pair";
import type { PgNode } from "./pg-node";
import { findFreePort, isAddrInUse } from "./ports";
import type { ReaperState } from "./reaper";
import { ZoneStore, type RecordSet } from "./zone-store";
import type { LabInfo, LabOptions, LabPart, ServerInfo, ServerKey } from "./types";

export interface Lab {
  info: LabInfo;
  /** Stops everything this lab started and removes its directory. Idempotent. */
  stop(): Promise<void>;
  faults: { add(spec: FaultSpec): Fault; clear(id?: string): void; list(): Fault[] };
  /** Crash the region's server (immediate shutdown); its ARM state becomes Inaccessible. */
  regionDown(region: string): Promise<void>;
  regionUp(region: string): Promise<void>;
  /** Every ARM request so far (not /_lab/ control calls). */
  requests(): ArmRequestRecord[];
  clearRequests(): void;
  /** Query a server as the admin over TLS (verify-full against its own name, dialled by IP). */
  adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
    server: ServerKey,
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
  /** Same as the least-privilege app role. */
  appQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
    server: ServerKey,
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
  /** pg client config for a server (by IP, TLS verify-full with servername = its A-record FQDN). */
  clientConfig(server: ServerKey, as?: "admin" | "app"): pg.ClientConfig;
  /** Serve a certificate from the rogue CA (same names) on that server, or the genuine one again. */
  useRogueCert(server: ServerKey, on: boolean): Promise<void>;
  server(key: ServerKey): ServerInfo;
  /** DNS/ARM state: the zone's record sets, a server's ARM GET body, LRO operations. */
  recordSets(): RecordSet[];
  serverResource(key: ServerKey): unknown;
  operations(): Omit<Operation, "result">[];
  /** Process ids the lab started (for leak checks). */
  pids(): { postgres: number[]; azurite?: number; reaper?: number };
}

const LOCATION_NAMES: Record<string, string> = {
  eastus: "East US",
  westus: "West US",
  eastus2: "East US 2",
  westus2: "West US 2",
  westeurope: "West Europe",
  northeurope: "North Europe",
};

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const t0 = Date.now();
  const log = options.log ?? (() => undefined);
  const zone = (options.zone ?? "lab.private.postgres.database.azure.com").toLowerCase();
  const regions = options.regions ?? { primary: "eastus", replica: "westus" };
  const baseDir = options.baseDir ?? os.tmpdir();
  fs.mkdirSync(baseDir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(baseDir, "pgflex-lab-"));
  fs.chmodSync(dir, 0o755); // the server user must traverse it

  // Everything started is registered here so a failure half-way cleans up.
  const cleanups: (() => Promise<unknown>)[] = [];
  let reaperPid: number | undefined;
  const reaperState: ReaperState = { dir, dataDirs: [], pids: [], keepDir: options.keepDir };
  const stateFile = path.join(dir, "reaper.json");
  const saveReaperState = (): void => fs.writeFileSync(stateFile, JSON.stringify(reaperState));

  const cleanupAll = async (): Promise<void> => {
    await Promise.allSettled(
      cleanups
        .splice(0)
        .reverse()
        .map((c) => c()),
    );
    if (reaperPid) {
      try {
        process.kill(reaperPid, "SIGTERM");
      } catch {
        /* already gone */
      }
    }
    if (!options.keepDir) fs.rmSync(dir, { recursive: true, force: true });
  };

  const started = async (part: LabPart): Promise<void> => options.onStarted?.(part);

  try {
    const runner = createRunner(options.pgBinDir ?? defaultPgBinDir(), dir, log);
    requireReachable(runner, [dir], "rx");
    saveReaperState();
    const reaperJs = path.join(__dirname, "reaper.js");
    if (fs.existsSync(reaperJs)) {
      const r = spawn(process.execPath, [reaperJs, String(process.pid), stateFile], {
        detached: true,
        stdio: "ignore",
      });
      r.unref();
      reaperPid = r.pid;
      await started("reaper");
    }

    const id = hex(6);
    const subscriptionId = uuid();
    const resourceGroup = "rg-pgflex-lab";
    const mkServer = (role: "primary" | "replica", address: ServerInfo["address"]): ServerInfo => {
      const region = regions[role];
      const name = `pglab-${id}-${region}`.slice(0, 63);
      const aRecord = aRecordName();
      return {
        name,
        resourceId: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`,
        region,
        location: LOCATION_NAMES[region] ?? region,
        fqdn: `${name}.postgres.database.azure.com`,
        aRecord,
        aRecordFqdn: `${aRecord}.${zone}`,
        address,
      };
    };
    const primaryInfo = mkServer("primary", "127.0.0.1");
    const replicaInfo = mkServer("replica", "127.0.0.2");

    // Certificates: the lab CA, a rogue CA, one cert per server naming only that server, one for ARM.
    let t = Date.now();
    const ca = await createCa("pgflex lab CA");
    const rogueCa = await createCa("pgflex rogue CA");
    const names = (s: ServerInfo): string[] => [s.fqdn, s.aRecordFqdn];
    const [pCert, rCert, pRogue, rRogue, armCert] = await Promise.all([
      issueServerCert(ca, names(primaryInfo)),
      issueServerCert(ca, names(replicaInfo)),
      issueServerCert(rogueCa, names(primaryInfo)),
      issueServerCert(rogueCa, names(replicaInfo)),
      issueServerCert(ca, ["localhost"], ["127.0.0.1"]),
    ]);
    const certDir = path.join(dir, "certs");
    mkdirMode(certDir, 0o755);
    const caFile = path.join(dir, "ca.crt");
    const rogueCaFile = path.join(dir, "rogue-ca.crt");
    writeFileMode(caFile, ca.certPem, 0o644);
    writeFileMode(rogueCaFile, rogueCa.certPem, 0o644);
    const writeLeaf = (base: string, leaf: { certPem: string; keyPem: string }): { cert: string; key: string } => {
      const cert = path.join(certDir, `${base}.crt`);
      const key = path.join(certDir, `${base}.key`);
      writeFileMode(cert, leaf.certPem, 0o644);
      writeFileMode(key, leaf.keyPem, 0o600); // PostgreSQL refuses group/world-readable keys
      runner.chown(cert);
      runner.chown(key);
      return { cert, key };
    };
    const pFiles = writeLeaf("primary", pCert);
    const rFiles = writeLeaf("replica", rCert);
    const pRogueFiles = writeLeaf("primary-rogue", pRogue);
    const rRogueFiles = writeLeaf("replica-rogue", rRogue);
    requireReachable(runner, [caFile, ...[pFiles, rFiles, pRogueFiles, rRogueFiles].flatMap((f) => [f.cert, f.key])]);
    log(`certs: ${Date.now() - t} ms`);
    await started("certs");

    const admin = { user: "labadmin", password: secret() };
    const app = { user: "app_checker", password: secret() };
    const replicator = { user: "replicator", password: secret() };
    const token = secret() + secret();

    // --- PostgreSQL pair (retried on a port race) ---
    const startPg = async (): Promise<PgPair> => {
      for (let attempt = 0; ; attempt++) {
        const port = await findFreePort(["127.0.0.1", "127.0.0.2"]);
        const nodes: PgNode[] = [];
        try {
          const pair = await createPgPair(
            {
              runner,
              dir,
              port,
              admin,
              app,
              replicator,
              caFile,
              log,
              primary: {
                label: primaryInfo.name,
                address: "127.0.0.1",
                certFile: pFiles.cert,
                keyFile: pFiles.key,
                rogueCertFile: pRogueFiles.cert,
                rogueKeyFile: pRogueFiles.key,
                tlsName: primaryInfo.aRecordFqdn,
                caPem: ca.certPem,
                rogueCaPem: rogueCa.certPem,
              },
              replica: {
                label: replicaInfo.name,
                address: "127.0.0.2",
                certFile: rFiles.cert,
                keyFile: rFiles.key,
                rogueCertFile: rRogueFiles.cert,
                rogueKeyFile: rRogueFiles.key,
                tlsName: replicaInfo.aRecordFqdn,
                caPem: ca.certPem,
                rogueCaPem: rogueCa.certPem,
              },
            },
            (n) => {
              nodes.push(n);
              reaperState.dataDirs.push(n.cfg.dataDir);
              saveReaperState();
            },
          );
          cleanups.push(() => Promise.allSettled([pair.primary.stop("immediate"), pair.replica.stop("immediate")]));
          await started("postgres");
          return pair;
        } catch (e) {
          await Promise.allSettled(nodes.map((n) => n.stop("immediate")));
          for (const n of nodes) fs.rmSync(n.cfg.dataDir, { recursive: true, force: true });
          reaperState.dataDirs = reaperState.dataDirs.filter((d) => !nodes.some((n) => n.cfg.dataDir === d));
          if (attempt >= 3 || !isAddrInUse(e)) throw e;
          log(`postgres: port ${port} taken meanwhile, retrying`);
        }
      }
    };

    const store = new ZoneStore(zone);
    store.put("A", primaryInfo.aRecord, { ttl: 30, aRecords: [{ ipv4Address: primaryInfo.address }] });
    store.put("A", replicaInfo.aRecord, { ttl: 30, aRecords: [{ ipv4Address: replicaInfo.address }] });
    store.put("CNAME", "prod", { ttl: 3600, cnameRecord: { cname: primaryInfo.aRecordFqdn } });
    const publicNames = new Map([primaryInfo, replicaInfo].map((s) => [s.fqdn.toLowerCase(), s.aRecordFqdn]));

    const faults = new Faults();
    let arm: ArmServer | undefined;
    const ops = new Operations(subscriptionId, () => arm!.endpoint, options.pollRetryAfterSeconds);
    const scope = { subscriptionId, resourceGroup };
    const zoneId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/privateDnsZones/${zone}`;
    let servers: FlexServers | undefined;
    let labCtl:
      { regionDown(r: string): Promise<void>; regionUp(r: string): Promise<void>; info(): unknown } | undefined;

    t = Date.now();
    // Start in parallel, but let every start settle before failing so cleanup sees everything that started.
    const settled = await Promise.allSettled([
      startPg(),
      startDnsServer({ store, publicNames: () => publicNames }).then(async (d) => {
        cleanups.push(() => d.close());
        log(`dns: listening on 127.0.0.1:${d.port}`);
        await started("dns");
        return d;
      }),
      startArmServer({
        cert: armCert.certPem,
        key: armCert.keyPem,
        token,
        faults,
        log,
        routes: [
          dnsRoutes(scope, store),
          async (req) => (servers ? serverRoutes(scope, servers, ops)(req) : undefined),
          operationRoutes(scope, ops),
        ],
        labRoutes: labRoutes({
          faults,
          requests: () => arm!.requests(),
          clearRequests: () => arm!.clearRequests(),
          regionDown: (r) => labCtl!.regionDown(r),
          regionUp: (r) => labCtl!.regionUp(r),
          info: () => labCtl!.info(),
        }),
      }).then(async (a) => {
        cleanups.push(() => a.close());
        log(`arm: listening on ${a.endpoint}`);
        await started("arm");
        return a;
      }),
      options.azurite === false
        ? Promise.resolve(undefined)
        : startAzurite(dir).then(async (z) => {
            cleanups.push(() => z.stop());
            reaperState.pids.push(z.pid);
            saveReaperState();
            log(`azurite: table endpoint ${z.tableEndpoint}`);
            await started("azurite");
            return z;
          }),
    ] as const);
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const [pair, dns, armServer, azurite] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
      PgPair,
      DnsServer,
      ArmServer,
      Azurite | undefined,
    ];
    arm = armServer;
    log(`services: ${Date.now() - t} ms`);

    const flex = (key: "primary" | "replica", info: ServerInfo, node: PgNode): FlexServer => ({
      key,
      info,
      node,
      role: key === "primary" ? "Primary" : "GeoAsyncReplica",
      userStopped: false,
      regionDown: false,
      tags: { environment: "lab" },
    });
    const fp = flex("primary", primaryInfo, pair.primary);
    const fr = flex("replica", replicaInfo, pair.replica);
    fr.source = fp;
    servers = new FlexServers({
      servers: [fp, fr],
      ops,
      faults,
      slotName: pair.slotName,
      version: pair.serverVersion,
      adminUser: admin.user,
      zoneId,
      promoteDelayMs: options.promoteDelayMs ?? 1000,
      stopStartDelayMs: options.stopStartDelayMs ?? 200,
      catchUpTimeoutMs: 30_000,
      log,
    });

    const info: LabInfo = {
      dir,
      subscriptionId,
      resourceGroup,
      zone,
      cnameRecord: "prod",
      cnameTtl: 3600,
      arm: { endpoint: arm.endpoint, token },
      caFile,
      caPem: ca.certPem,
      pgBinDir: runner.binDir,
      rogueCaFile,
      dns: { host: "127.0.0.1", port: dns.port },
      postgres: { port: pair.port, database: "postgres", admin, app },
      servers: { primary: primaryInfo, replica: replicaInfo },
      azurite: azurite
        ? { tableEndpoint: azurite.tableEndpoint, connectionString: azurite.connectionString }
        : { tableEndpoint: "", connectionString: "" },
      settingsFile: path.join(dir, "local.settings.json"),
    };
    // It holds the probe password and the ARM token: owner only.
    writeFileMode(
      info.settingsFile,
      JSON.stringify({ IsEncrypted: false, Values: appSettingsFor(info) }, null, 2) + "\n",
      0o600,
    );

    const lab = makeLab(info, servers, {
      pair,
      dns,
      arm,
      azurite,
      faults,
      store,
      ops,
      cleanupAll,
      reaperPid: () => reaperPid,
      log,
    });
    labCtl = { regionDown: lab.regionDown, regionUp: lab.regionUp, info: () => info };
    log(`lab ready in ${Date.now() - t0} ms (${dir})`);
    return lab;
  } catch (e) {
    await cleanupAll();
    throw e;
  }
}

interface Parts {
  pair: PgPair;
  dns: DnsServer;
  arm: ArmServer;
  azurite?: Azurite;
  faults: Faults;
  store: ZoneStore;
  ops: Operations;
  cleanupAll: () => Promise<void>;
  reaperPid: () => number | undefined;
  log: (line: string) => void;
}

function makeLab(info: LabInfo, servers: FlexServers, p: Parts): Lab {
  const byKey = (key: ServerKey): FlexServer => {
    const s = servers.all.find((x) => x.key === key) ?? servers.find(key);
    if (!s) throw new Error(`no lab server '${key}' (use "primary", "replica" or a server name)`);
    return s;
  };
  const inRegion = (region: string): FlexServer[] => {
    const list = servers.regionServers(region);
    if (list.length === 0)
      throw new ArmError(
        404,
        "RegionNotFound",
        `No lab server in region '${region}' (regions: ${servers.all.map((s) => s.info.region).join(", ")}).`,
      );
    return list;
  };
  let stopping: Promise<void> | undefined;
  const lab: Lab = {
    info,
    stop: () =>
      (stopping ??= (async () => {
        const t = Date.now();
        await p.cleanupAll();
        p.log(`lab stopped in ${Date.now() - t} ms`);
      })()),
    faults: { add: (s) => p.faults.add(s), clear: (id) => p.faults.clear(id), list: () => p.faults.list() },
    regionDown: async (region) => {
      for (const s of inRegion(region)) {
        s.regionDown = true;
        await s.node.stop("immediate"); // a regional outage is a crash, not a clean shutdown
        p.log(`region ${region} down: ${s.info.name} stopped`);
      }
    },
    regionUp: async (region) => {
      for (const s of inRegion(region)) {
        if (!s.userStopped) await s.node.start();
        s.regionDown = false;
        p.log(`region ${region} up: ${s.info.name}`);
      }
    },
    requests: () => p.arm.requests(),
    clearRequests: () => p.arm.clearRequests(),
    adminQuery: (key, sql, params) => byKey(key).node.query(sql, params ?? []),
    appQuery: (key, sql, params) => byKey(key).node.query(sql, params ?? [], info.postgres.app),
    clientConfig: (key, as = "admin") =>
      byKey(key).node.clientConfig(as === "admin" ? info.postgres.admin : info.postgres.app),
    useRogueCert: (key, on) => byKey(key).node.useRogueCert(on),
    server: (key) => byKey(key).info,
    recordSets: () => p.store.list().map((r) => structuredClone(r)),
    serverResource: (key) => servers.resource(byKey(key)),
    operations: () => p.ops.list().map(({ result: _r, ...rest }) => ({ ...rest })),
    pids: () => ({
      postgres: [p.pair.primary.pid(), p.pair.replica.pid()].filter((x): x is number => x !== undefined),
      azurite: p.azurite?.pid,
      reaper: p.reaperPid(),
    }),
  };
  return lab;
}

/** As root the servers run as the server user: everything they read must be reachable for it (one-line error). */
function requireReachable(runner: PgRunner, paths: string[], need: Need = "r"): void {
  if (runner.uid === undefined || runner.gid === undefined) return;
  for (const p of paths) {
    const problem = accessProblem(p, { uid: runner.uid, gid: runner.gid }, need);
    if (problem)
      throw new Error(
        `the PostgreSQL server user '${SERVER_USER}' cannot reach ${p}: ${problem}; start the lab under a directory every user can traverse (baseDir / --base-dir; default ${os.tmpdir()})`,
      );
  }
}
