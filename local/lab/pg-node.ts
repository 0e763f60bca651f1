// One PostgreSQL server process of the pair: its config fragment, start/stop through pg_ctl, and admin queries.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import type { PgRunner } from "./pg-bin";
import { confString } from "./pg-quote";
import { processGone } from "./process-state";

export interface Credentials {
  user: string;
  password: string;
}

export type SessionQuery = <T extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params?: unknown[],
) => Promise<T[]>;

export interface PgNodeConfig {
  label: string; // server name, for messages
  address: string; // loopback address this "region" listens on
  port: number;
  dataDir: string;
  socketDir: string;
  logFile: string;
  certFile: string;
  keyFile: string;
  rogueCertFile: string;
  rogueKeyFile: string;
  /** Name in the certificate used for verify-full when the lab itself connects (the A-record FQDN). */
  tlsName: string;
  caPem: string;
  rogueCaPem: string;
}

export class PgNode {
  private rogue = false;
  constructor(
    readonly cfg: PgNodeConfig,
    private readonly runner: PgRunner,
    private readonly admin: Credentials,
  ) {}

  /** The lab's settings, kept in their own include file so they can be rewritten (cert swap, port retry). */
  writeLabConf(): void {
    const c = this.cfg;
    const cert = this.rogue ? c.rogueCertFile : c.certFile;
    const key = this.rogue ? c.rogueKeyFile : c.keyFile;
    const lines = [
      `listen_addresses = ${confString(c.address)}`,
      `port = ${c.port}`,
      `unix_socket_directories = ${confString(c.socketDir)}`,
      "ssl = on",
      `ssl_cert_file = ${confString(cert)}`,
      `ssl_key_file = ${confString(key)}`,
      "password_encryption = 'scram-sha-256'",
      "wal_level = replica",
      "max_wal_senders = 5",
      "max_replication_slots = 5",
      "hot_standby = on",
      "hot_standby_feedback = on",
      // Throwaway data: skip fsync so several labs on a small CI box stay fast; replication semantics are unchanged.
      "fsync = off",
      "shared_buffers = 16MB",
      "max_connections = 40",
      "log_line_prefix = '%m [%p] %q%u@%d '",
      "",
    ];
    const file = path.join(c.dataDir, "lab.conf");
    fs.writeFileSync(file, lines.join("\n"));
    this.runner.chown(file);
  }

  setPort(port: number): void {
    this.cfg.port = port;
    this.writeLabConf();
  }

  /** postmaster pid from postmaster.pid, if the file exists and the process is alive. */
  pid(): number | undefined {
    try {
      const pid = Number(fs.readFileSync(path.join(this.cfg.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }
  isRunning(): boolean {
    return this.pid() !== undefined;
  }

  async start(): Promise<void> {
    if (this.isRunning()) return;
    try {
      // -w waits until connections are accepted (works for a hot standby too, unlike waiting for a log line).
      await this.runner.run("pg_ctl", ["-D", this.cfg.dataDir, "-l", this.cfg.logFile, "-w", "-t", "60", "start"], {
        timeoutMs: 70_000,
      });
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- ${this.cfg.logFile} (tail) ---\n${this.logTail()}`, { cause: e });
    }
  }

  async stop(mode: "fast" | "immediate" = "fast"): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) return;
    await this.runner
      .run("pg_ctl", ["-D", this.cfg.dataDir, "-m", mode, "-w", "-t", "30", "stop"], { timeoutMs: 40_000 })
      .catch(async (e) => {
        if (mode === "fast" && this.isRunning()) return this.stop("immediate");
        if (this.isRunning()) throw e;
      });
    // pg_ctl returns once postmaster.pid is gone, which the postmaster removes just before it exits: wait for the
    // process itself, so a stopped (or crashed) server is really gone when this resolves.
    await processGone(pid, 5_000);
  }

  /** Bytes in the server's log now (to read what it logs from here on). */
  logSize(): number {
    try {
      return fs.statSync(this.cfg.logFile).size;
    } catch {
      return 0;
    }
  }

  /** What the server logged after `offset` bytes. */
  logSince(offset: number): string {
    try {
      const fd = fs.openSync(this.cfg.logFile, "r");
      try {
        const size = fs.fstatSync(fd).size;
        const buf = Buffer.alloc(Math.max(0, size - offset));
        fs.readSync(fd, buf, 0, buf.length, offset);
        return buf.toString("utf8");
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return "";
    }
  }

  logTail(lines = 15): string {
    try {
      return fs.readFileSync(this.cfg.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }

  /** TLS verify-full against the lab CA, using the certificate name while connecting to the IP. */
  clientConfig(creds: Credentials = this.admin, database = "postgres"): pg.ClientConfig {
    return {
      host: this.cfg.address,
      port: this.cfg.port,
      user: creds.user,
      password: creds.password,
      database,
      ssl: {
        ca: this.rogue ? this.cfg.rogueCaPem : this.cfg.caPem,
        servername: this.cfg.tlsName,
        rejectUnauthorized: true,
      },
      connectionTimeoutMillis: 5000,
    };
  }

  async query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    creds?: Credentials,
  ): Promise<T[]> {
    return this.session((q) => q<T>(sql, params), creds);
  }

  /** Several queries on one connection (a watch that must not pay a TLS handshake per look). */
  async session<R>(work: (q: SessionQuery) => Promise<R>, creds?: Credentials): Promise<R> {
    const client = new pg.Client(this.clientConfig(creds));
    client.on("error", () => undefined); // a server going down mid-query must not crash the lab
    await client.connect();
    try {
      return await work(async (sql, params = []) => (await client.query(sql, params)).rows);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** A query that returns exactly one row (e.g. select of functions); anything else is an error. */
  async queryOne<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T> {
    const [row, ...more] = await this.query<T>(sql, params);
    if (!row || more.length > 0) throw new Error(`${this.cfg.label}: expected one row from: ${sql}`);
    return row;
  }

  /** Serve the rogue certificate (another CA, same names) or the genuine one again; new connections see it after reload. */
  async useRogueCert(on: boolean): Promise<void> {
    if (this.rogue === on) return;
    this.rogue = on;
    this.writeLabConf();
    await this.runner.run("pg_ctl", ["-D", this.cfg.dataDir, "reload"]);
    // The postmaster handles SIGHUP asynchronously: wait until a new connection verifies against the expected CA.
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        await this.query("select 1");
        return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
  get usingRogueCert(): boolean {
    return this.rogue;
  }
}
