// startLab(): the two-region lab — PostgreSQL pairs, private CA, DNS server, ARM emulator, token issuer, Azurite,
// reaper — started in stages. Every part is registered for cleanup as it starts, so a failure part-way stops them all.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { appSettingsFor } from "./app-settings";
import { accessProblem, type Need } from "./access";
import { startArmServer, type ArmServer } from "./arm/arm-server";
import { dnsRoutes } from "./arm/dns-routes";
import { labRoutes } from "./arm/lab-routes";
import { Operations } from "./arm/operations";
import { deploymentAssignments } from "./arm/assignments";
import { RoleEnforcer } from "./arm/rbac";
import { operationRoutes, serverRoutes } from "./arm/server-routes";
import { healthRoutes } from "./arm/health-routes";
import { permissionRoutes } from "./arm/permission-routes";
import { ArmThrottle } from "./arm/throttle";
import { sharedAzurite, startAzurite, type Azurite } from "./azurite";
import { Cleanups } from "./cleanups";
import { startDnsServer, type DnsServer } from "./dns-server";
import { Faults } from "./faults";
import { removeTree, writeFileMode } from "./files";
import { authSettingsV2 } from "./identity/auth-settings";
import { startIssuer, type Issuer } from "./identity/issuer";
import { FlexServers } from "./flex/servers";
import { ReplicaFactory } from "./flex/replica-factory";
import { Pace } from "./pace";
import type { FlexServer } from "./flex/types";
import { labNames, type LabNames, type LabPairNames } from "./names";
import { makeLab, type Lab } from "./lab-api";
import { writeLabCerts } from "./lab-certs";
import { startPostgres, type PostgresOptions } from "./lab-postgres";
import { secret } from "./ids";
import { createRunner, defaultPgBinDir, type PgRunner } from "./pg-bin";
import type { PgPair } from "./pg-pair";
import { startReaper } from "./reaper-handle";
import { SERVER_USER } from "./server-user";
import { ZoneStore } from "./zone-store";
import type { LabInfo, LabOptions, LabPart } from "./types";

export type { Lab } from "./lab-api";

const CNAME_TTL = 3600;

interface Services {
  pairs: PgPair[];
  dns: DnsServer;
  arm: ArmServer;
  issuer: Issuer;
  azurite?: Azurite;
}

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const t0 = Date.now();
  const log = options.log ?? (() => undefined);
  const started = async (part: LabPart): Promise<void> => options.onStarted?.(part);
  const id = labNames(
    (options.zone ?? "lab.private.postgres.database.azure.com").toLowerCase(),
    options.regions ?? { primary: "eastus", replica: "westus" },
    options.pairs ?? 1,
  );
  // Before anything starts: a role that cannot be read fails the start with nothing to clean up. The roles are
  // held at the scopes infra/main.bicep assigns them.
  const deployed = id.pairs.map((p) => ({
    name: p.name,
    cnameRecordSetId: `${id.zoneId}/CNAME/${p.cnameRecord}`,
    serverIds: [p.primary.resourceId, p.replica.resourceId],
  }));
  const rbac = new RoleEnforcer(
    options.role,
    options.stopRole,
    randomUUID(),
    (roles) => deploymentAssignments(roles, deployed),
    options.reprotectRole,
  );
  const dir = makeLabDir(options.baseDir ?? os.tmpdir());
  const cleanups = new Cleanups();
  cleanups.add(() => options.keepDir || removeTree(dir));
  try {
    const runner = createRunner(options.pgBinDir ?? defaultPgBinDir(), dir, log);
    requireReachable(runner, [dir], "rx");

    cleanups.nextStage();
    const reaper = startReaper(dir, options.keepDir);
    cleanups.add(() => reaper.stop());
    await started("reaper");

    let t = Date.now();
    const certs = await writeLabCerts(
      dir,
      runner,
      id.pairs.flatMap((p) => [p.primary, p.replica]),
    );
    requireReachable(runner, certs.serverReadable);
    log(`certs: ${Date.now() - t} ms`);
    await started("certs");

    const postgres = {
      admin: { user: "labadmin", password: secret() },
      app: { user: "app_checker", password: secret() },
      replicator: { user: "replicator", password: secret() },
      writer: { user: "app_writer", password: secret() },
    };
    const token = secret() + secret();
    const adminToken = secret() + secret();
    const store = seedZone(id);
    const faults = new Faults();
    const throttle = new ArmThrottle(options.armThrottle);

    cleanups.nextStage();
    t = Date.now();
    const publicNames = new Map(
      id.pairs.flatMap((p) => [p.primary, p.replica]).map((s) => [s.fqdn.toLowerCase(), s.aRecordFqdn]),
    );
    const services = await startServices(options, {
      pg: { runner, dir, log, certs, pairs: id.pairs, reaper, ...postgres },
      store,
      publicNames,
      arm: {
        cert: certs.arm.certPem,
        key: certs.arm.keyPem,
        token,
        adminToken,
        authorize: (method, path) => rbac.check(method, path),
        faults,
        throttle,
        log,
      },
      issuer: { cert: certs.identity.certPem, key: certs.identity.keyPem, controlToken: token, log },
      dir,
      cleanups,
      started,
      log,
      watchPid: (pid) => reaper.watchPid(pid),
    });
    log(`services: ${Date.now() - t} ms`);

    const { pairs, dns, arm, issuer, azurite } = services;
    const ops = new Operations(id.subscriptionId, arm.endpoint, options.pollRetryAfterSeconds);
    const serverList = id.pairs.flatMap((names, k) => flexPair(names, pairs[k]!));
    // Servers created later (re-protection) stop with the lab; the reaper knows their data dirs meanwhile.
    cleanups.add(() =>
      Promise.allSettled(serverList.filter((s) => s.key === "created").map((s) => s.node.stop("immediate"))),
    );
    const factory = new ReplicaFactory({
      pg: {
        runner,
        dir,
        port: pairs[0]!.port,
        admin: postgres.admin,
        replicator: postgres.replicator,
        caFile: certs.caFile,
        log,
      },
      certs,
      reaper,
      store,
      publicNames,
      subscriptionId: id.subscriptionId,
      resourceGroup: id.resourceGroup,
      zone: id.zone,
      servers: () => serverList,
      log,
    });
    const servers = new FlexServers({
      servers: serverList,
      factory,
      ops,
      faults,
      version: pairs[0]!.serverVersion,
      adminUser: postgres.admin.user,
      zoneId: id.zoneId,
      pace: new Pace(options),
      catchUpTimeoutMs: 30_000,
      log,
    });
    const info: LabInfo = {
      dir,
      subscriptionId: id.subscriptionId,
      resourceGroup: id.resourceGroup,
      zone: id.zone,
      cnameRecord: id.pairs[0]!.cnameRecord,
      cnameTtl: CNAME_TTL,
      arm: { endpoint: arm.endpoint, token, adminToken, appObjectId: rbac.objectId },
      caFile: certs.caFile,
      caPem: certs.caPem,
      rogueCaFile: certs.rogueCaFile,
      pgBinDir: runner.binDir,
      dns: { host: "127.0.0.1", port: dns.port },
      postgres: {
        port: pairs[0]!.port,
        database: "postgres",
        admin: postgres.admin,
        app: postgres.app,
        writer: postgres.writer,
      },
      servers: { primary: id.primary, replica: id.replica },
      pairs: id.pairs.map((p) => ({
        name: p.name,
        cnameRecord: p.cnameRecord,
        servers: { primary: p.primary, replica: p.replica },
      })),
      azurite: azurite
        ? {
            tableEndpoint: azurite.tableEndpoint,
            connectionString: azurite.connectionString,
            ...(azurite.tables ? { tables: azurite.tables } : {}),
          }
        : { tableEndpoint: "", connectionString: "" },
      settingsFile: path.join(dir, "local.settings.json"),
      identity: { ...issuer.info, authSettingsFile: path.join(dir, "authsettings.json") },
    };
    // Issuer and audience only: nothing secret, readable like the CA.
    writeFileMode(info.identity.authSettingsFile, JSON.stringify(authSettingsV2(info.identity), null, 2) + "\n", 0o644);
    // It holds the probe password and the ARM token: owner only.
    writeFileMode(
      info.settingsFile,
      JSON.stringify({ IsEncrypted: false, Values: appSettingsFor(info) }, null, 2) + "\n",
      0o600,
    );

    const lab = makeLab(info, {
      servers,
      pairs,
      throttle,
      arm,
      issuer,
      azurite,
      faults,
      store,
      ops,
      rbac,
      cleanup: () => cleanups.run(),
      reaperPid: reaper.pid,
      log,
    });
    const scope = { subscriptionId: id.subscriptionId, resourceGroup: id.resourceGroup };
    arm.mount({
      arm: [
        dnsRoutes(scope, store),
        healthRoutes(scope, servers),
        permissionRoutes(scope, rbac, token),
        serverRoutes(scope, servers, ops),
        operationRoutes(scope, ops),
      ],
      lab: labRoutes({
        faults,
        requests: () => arm.requests(),
        clearRequests: () => arm.clearRequests(),
        regionDown: (r) => lab.regionDown(r),
        regionUp: (r) => lab.regionUp(r),
        throttle,
        info: () => info,
      }),
    });
    log(`lab ready in ${Date.now() - t0} ms (${dir})`);
    return lab;
  } catch (e) {
    await cleanups.run();
    throw e;
  }
}

function makeLabDir(baseDir: string): string {
  fs.mkdirSync(baseDir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(baseDir, "pgflex-lab-"));
  fs.chmodSync(dir, 0o755); // the server user must traverse it
  return dir;
}

/** Every server's A record, and each pair's CNAME pointing at its primary. */
function seedZone(id: LabNames): ZoneStore {
  const store = new ZoneStore(id.zone);
  for (const p of id.pairs) {
    for (const s of [p.primary, p.replica])
      store.put("A", s.aRecord, { ttl: 30, aRecords: [{ ipv4Address: s.address }] });
    store.put("CNAME", p.cnameRecord, { ttl: CNAME_TTL, cnameRecord: { cname: p.primary.aRecordFqdn } });
  }
  return store;
}

interface ServiceOptions {
  pg: PostgresOptions;
  store: ZoneStore;
  publicNames: Map<string, string>;
  arm: Parameters<typeof startArmServer>[0];
  issuer: Parameters<typeof startIssuer>[0];
  dir: string;
  cleanups: Cleanups;
  started: (part: LabPart) => Promise<void>;
  log: (line: string) => void;
  watchPid: (pid: number) => void;
}

/** PostgreSQL, DNS, ARM, the token issuer and Azurite in parallel; every start settles before a failure is thrown, so all get cleaned. */
async function startServices(options: LabOptions, o: ServiceOptions): Promise<Services> {
  const { cleanups, started, log } = o;
  const shared = options.azurite === undefined ? sharedAzurite() : undefined;
  const [pairs, dns, arm, issuer, azurite] = await Promise.allSettled([
    startPostgres(o.pg).then(async (p) => {
      cleanups.add(() =>
        Promise.allSettled(p.flatMap((x) => [x.primary.stop("immediate"), x.replica.stop("immediate")])),
      );
      await started("postgres");
      return p;
    }),
    startDnsServer({ store: o.store, publicNames: () => o.publicNames }).then(async (d) => {
      cleanups.add(() => d.close());
      log(`dns: listening on 127.0.0.1:${d.port}`);
      await started("dns");
      return d;
    }),
    startArmServer(o.arm).then(async (a) => {
      cleanups.add(() => a.close());
      log(`arm: listening on ${a.endpoint}`);
      await started("arm");
      return a;
    }),
    startIssuer(o.issuer).then(async (i) => {
      cleanups.add(() => i.close());
      await started("identity");
      return i;
    }),
    options.azurite === false
      ? Promise.resolve(undefined)
      : shared
        ? started("azurite").then(() => {
            log(
              `azurite: the test run's, table endpoint ${shared.tableEndpoint}, tables ${JSON.stringify(shared.tables)}`,
            );
            return shared;
          })
        : startAzurite(o.dir).then(async (z) => {
            cleanups.add(() => z.stop());
            o.watchPid(z.pid);
            log(`azurite: table endpoint ${z.tableEndpoint}`);
            await started("azurite");
            return z;
          }),
  ]);
  return { pairs: value(pairs), dns: value(dns), arm: value(arm), issuer: value(issuer), azurite: value(azurite) };
}

function value<T>(r: PromiseSettledResult<T>): T {
  if (r.status === "rejected") throw r.reason;
  return r.value;
}

function flexPair(names: LabPairNames, pair: PgPair): FlexServer[] {
  const flex = (key: "primary" | "replica"): FlexServer => ({
    key,
    pair: names.name,
    info: names[key],
    node: pair[key],
    role: key === "primary" ? "Primary" : "GeoAsyncReplica",
    userStopped: false,
    regionDown: false,
    tags: { environment: "lab" },
  });
  const primary = flex("primary");
  return [primary, { ...flex("replica"), source: primary, slotName: pair.slotName }];
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
