import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface RabbitMqServerOptions {
  /** The server script. @defaultValue `'/usr/lib/rabbitmq/bin/rabbitmq-server'`, else `rabbitmq-server` from PATH */
  binary?: string;
  /** How long to wait for "Starting broker... completed", in ms. @defaultValue `60_000` */
  startTimeout?: number;
}

/** A rabbitmq-server node owned by a test: its own node name, ports, data and log directories. */
export interface RabbitMqServer {
  /** `amqp://guest:guest@127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Mnesia (durable queues and messages) and logs live here; removed by `stop()` or at exit. */
  readonly dir: string;
  /** Graceful stop (SIGTERM: the script runs `rabbitmqctl stop`), then removes `dir`. Idempotent. */
  stop(): Promise<void>;
  /** Stops gracefully, then starts the same node on the same ports and data: durable messages survive. */
  restart(): Promise<void>;
  /** SIGKILL of the whole node (script, Erlang VM), as a crash would. `dir` is kept for `restart()`. */
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
process.once('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Spawns a RabbitMQ node for a test: never the system one on 5672. It gets a free AMQP port and a
 * free Erlang distribution port, a unique node name, its own MNESIA/LOG base and no plugins (the
 * management plugin is not started). It starts in a few seconds.
 */
export async function startRabbitMqServer(options: RabbitMqServerOptions = {}): Promise<RabbitMqServer> {
  const dir = await mkdtemp(join(tmpdir(), 'celeriac-rabbitmq-'));
  dirs.add(dir);
  await writeFile(join(dir, 'enabled_plugins'), '[].\n');
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const ports = { amqp: await freePort(), dist: await freePort() };
    try {
      const child = await spawnNode(options, ports, dir);
      return new SpawnedNode(options, ports, dir, child);
    } catch (error) {
      lastError = error;
    }
  }
  dirs.delete(dir);
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

interface Ports {
  amqp: number;
  dist: number;
}

class SpawnedNode implements RabbitMqServer {
  #child: ChildProcess | undefined;
  #removed = false;

  constructor(
    private readonly options: RabbitMqServerOptions,
    private readonly ports: Ports,
    readonly dir: string,
    child: ChildProcess,
  ) {
    this.#child = child;
  }

  get port(): number {
    return this.ports.amqp;
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.ports.amqp}`;
  }

  async stop(): Promise<void> {
    await this.#end('SIGTERM');
    if (this.#removed) return;
    this.#removed = true;
    dirs.delete(this.dir);
    await rm(this.dir, { recursive: true, force: true });
  }

  async restart(): Promise<void> {
    if (this.#removed) throw new Error('RabbitMqServer.restart(): the server was stopped for good');
    await this.#end('SIGTERM');
    this.#child = await spawnNode(this.options, this.ports, this.dir);
  }

  async kill(): Promise<void> {
    await this.#end('SIGKILL');
  }

  async #end(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // SIGTERM to the script alone: it stops the node and waits for it. SIGKILL to the group, or
    // the Erlang VM would outlive its script.
    if (signal === 'SIGKILL') killGroup(child, signal);
    else child.kill(signal);
    await exited;
    if (signal === 'SIGKILL') killGroup(child, signal); // anything the group started late
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function spawnNode(options: RabbitMqServerOptions, ports: Ports, dir: string): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir, // the Erlang cookie is written here, not in the user's home
    RABBITMQ_NODENAME: `celeriac-test-${ports.amqp}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(ports.amqp),
    RABBITMQ_DIST_PORT: String(ports.dist),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
  };
  const binary = options.binary ?? '/usr/lib/rabbitmq/bin/rabbitmq-server';
  const child = spawn(binary, [], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const timeout = options.startTimeout ?? 60_000;
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`rabbitmq-server did not start within ${timeout} ms:\n${output.slice(-2000)}`)), timeout);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Starting broker\.\.\.\s*completed/.test(output)) {
        cleanup();
        resolve(child);
      }
    };
    const onExit = (code: number | null) => fail(new Error(`rabbitmq-server exited (${code}) before it was ready:\n${output.slice(-2000)}`));
    const onError = (error: Error) => fail(error);
    function fail(error: Error) {
      cleanup();
      killGroup(child, 'SIGKILL');
      reject(error);
    }
    function cleanup() {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('error', onError);
      child.off('exit', onExit);
      // Keep draining its output, or a full pipe would stall the node.
      child.stdout?.resume();
      child.stderr?.resume();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', onError);
    child.once('exit', onExit);
  });
}
