// startHost: wires config, app loading, engine and HTTP server together.
import type { AddressInfo } from "node:net";
import { resolve, join } from "node:path";
import { buildClientInput } from "./client-input";
import { createClock } from "./clock";
import { readHostJson, readLocalSettings } from "./config";
import { Engine } from "./engine";
import { applySettings } from "./env";
import { createHttpServer } from "./http-server";
import { createInvoker } from "./invoker";
import { maxBodyBytesFrom } from "./http-body";
import { resolveKeys } from "./keys";
import { createLogger, type Logger } from "./log";
import { loadApp } from "./app-loader";
import { resolveAuthSettings } from "./auth-settings";
import { EasyAuth } from "./easy-auth";
import { WorkPool } from "./pool";
import { redactingLogger } from "./redact";
import { InstanceStore } from "./store";
import { TimerService } from "./timers";
import { TimerTriggers } from "./timer-triggers";
import { ScheduleStatusStore } from "./timer-status";

export interface HostOptions {
  /** App directory (package.json with "main", host.json, local.settings.json). Default: cwd. */
  appDir?: string;
  /** Settings file in local.settings.json shape. Default: <appDir>/local.settings.json if present. */
  settingsFile?: string;
  /** Where instance state is kept. Default: <appDir>/.localhost-data. */
  dataDir?: string;
  /** TCP port on 127.0.0.1. Default 7071 (or Host.LocalHttpPort); 0 picks a free port. */
  port?: number;
  /** Fire durable timers at once, advancing orchestration time. Default false. */
  virtualClock?: boolean;
  /** Keys; otherwise taken from env/settings or generated (see keys.ts). */
  functionKey?: string;
  masterKey?: string;
  /** Override functionTimeout from host.json (milliseconds; null = unlimited). */
  functionTimeoutMs?: number | null;
  /** Request bodies above this get 413. Default: FUNCTIONS_REQUEST_BODY_SIZE_LIMIT or 100 MiB, as the Functions host. */
  maxRequestBodyBytes?: number;
  /** Every line it receives has keys redacted first. */
  logger?: Logger;
  /**
   * authsettingsV2 file for App Service Authentication (wins over LOCALHOST_AUTH_SETTINGS_FILE); used
   * only when WEBSITE_AUTH_ENABLED is True.
   */
  authSettingsFile?: string;
}

export interface RunningHost {
  url: string;
  port: number;
  functionKey: string;
  masterKey: string;
  /** True when the function/master keys were generated for this run. */
  keysGenerated: boolean;
  /** True when App Service Authentication is on (WEBSITE_AUTH_ENABLED and an authsettingsV2 file). */
  authEnabled: boolean;
  hubName: string;
  dataDir: string;
  functions: { http: string[]; orchestrators: string[]; activities: string[]; timers: string[]; unsupported: string[] };
  /**
   * Stops serving, cancels durable timers and timer triggers; in-flight activities are abandoned (they
   * rerun on next start), an in-flight timer function finishes on its own and nothing new starts.
   */
  stop(): Promise<void>;
}

export async function startHost(options: HostOptions = {}): Promise<RunningHost> {
  const appDir = resolve(options.appDir ?? process.cwd());
  // Every line the host writes goes through redaction; the key values join once they are known.
  let secrets: string[] = [];
  const logger = redactingLogger(options.logger ?? createLogger(), () => secrets);
  const hostJson = readHostJson(appDir);
  const settings = readLocalSettings(appDir, options.settingsFile);
  applySettings(settings.values, process.env, (m) => logger.host(m));
  // A bad auth configuration refuses the start before the app is loaded or anything listens.
  const authSettings = resolveAuthSettings({ env: process.env, settingsFile: options.authSettingsFile }, (m) =>
    logger.host(m),
  );
  const dataDir = resolve(options.dataDir ?? join(appDir, ".localhost-data"));

  const app = loadApp(appDir, (level, category, msg) => logger.host(`[${category}/${level}] ${msg}`));
  const { registry } = app;
  const keys = resolveKeys({
    functionKey: options.functionKey,
    masterKey: options.masterKey,
    env: process.env,
    hostSection: settings.host,
    dataDir,
  });
  secrets = [keys.functionKey, keys.masterKey, keys.systemKey];
  const clock = createClock(options.virtualClock === true);
  const store = new InstanceStore(dataDir, hostJson.hubName);
  // Keep a virtual clock monotonic across restarts: never behind what the data dir has seen.
  for (const rec of store.all()) clock.advanceTo(Date.parse(rec.lastUpdatedTime));
  const statusStore = new ScheduleStatusStore(dataDir);
  clock.advanceTo(statusStore.latestUpdate() ?? 0);
  const durableTimers = new TimerService(clock);
  const invoker = createInvoker(app.capture, logger);
  const functionTimeoutMs =
    options.functionTimeoutMs !== undefined ? options.functionTimeoutMs : hostJson.functionTimeoutMs;
  // Parses every schedule now: a bad one refuses the start before anything listens.
  const timerTriggers = new TimerTriggers({
    functions: registry.timers,
    settings: process.env,
    invoker,
    clock,
    logger,
    statusStore,
    functionTimeoutMs,
  });
  const engine = new Engine({
    registry,
    invoker,
    store,
    timers: durableTimers,
    pool: new WorkPool(hostJson.maxConcurrentActivityFunctions),
    clock,
    logger,
    functionTimeoutMs,
  });

  let baseUrl = "";
  const easyAuth = authSettings
    ? new EasyAuth({ settings: authSettings, logger, realm: () => new URL(baseUrl).host })
    : null;
  const clientInput = () => buildClientInput(baseUrl, hostJson.hubName, keys);
  const server = createHttpServer({
    durable: {
      engine,
      store,
      registry,
      clock,
      keys,
      hubName: hostJson.hubName,
      baseUrl: () => baseUrl,
      overridable: hostJson.overridableExistingInstanceStates,
    },
    admin: { registry, timers: timerTriggers, logger },
    invoker,
    logger,
    routePrefix: hostJson.routePrefix,
    functionTimeoutMs,
    clientInput,
    maxBodyBytes: options.maxRequestBodyBytes ?? maxBodyBytesFrom(process.env),
    easyAuth,
  });
  const settingsPort = Number(settings.host.LocalHttpPort);
  const port = options.port ?? (Number.isInteger(settingsPort) && settingsPort > 0 ? settingsPort : 7071);
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => ok());
  });
  const actualPort = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${actualPort}`;
  // Azure sets WEBSITE_HOSTNAME; durable-functions uses it to keep management URLs pointing here.
  process.env.WEBSITE_HOSTNAME = `127.0.0.1:${actualPort}`;

  for (const u of registry.unsupported)
    logger.host(`function '${u.name}' has a ${u.type}, which this host does not trigger`);
  for (const f of registry.http)
    logger.host(
      `http: ${f.methods?.join(",") ?? "*"} ${baseUrl}/${hostJson.routePrefix ? hostJson.routePrefix + "/" : ""}${f.route.template} -> ${f.name} (${f.authLevel})`,
    );
  logger.host(
    `orchestrators: ${registry.orchestrators.names().join(", ") || "-"}; activities: ${registry.activities.names().join(", ") || "-"}`,
  );
  logger.host(`task hub '${hostJson.hubName}', data in ${dataDir}${clock.virtual ? ", virtual clock" : ""}`);
  for (const line of easyAuth?.describe() ?? []) logger.host(line);
  engine.recover();
  timerTriggers.start();
  for (const line of timerTriggers.describe()) logger.host(line);

  let stopped = false;
  return {
    url: baseUrl,
    port: actualPort,
    functionKey: keys.functionKey,
    masterKey: keys.masterKey,
    keysGenerated: keys.generated,
    authEnabled: easyAuth !== null,
    hubName: hostJson.hubName,
    dataDir,
    functions: {
      http: registry.http.map((f) => f.name),
      orchestrators: registry.orchestrators.names(),
      activities: registry.activities.names(),
      timers: registry.timers.map((t) => t.name),
      unsupported: registry.unsupported.map((u) => u.name),
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      timerTriggers.stop();
      engine.stop();
      await store.flush().catch(() => undefined); // a graceful stop leaves nothing unwritten
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
