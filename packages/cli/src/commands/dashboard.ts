import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { type CommandContext, runAction } from '../context.js';
import { CliError, EXIT_CODES } from '../exit-codes.js';
import { parseNonNegativeInt, parsePrefix } from '../parse.js';

/** Flower's port: people who come from Celery look there first. */
const DEFAULT_PORT = 5555;

interface DashboardFlags {
  port?: number;
  host?: string;
  prefix?: string;
  readOnly?: boolean;
}

/** `celeriac dashboard`: serves @celeriac/dashboard for the app until SIGTERM or SIGINT. */
export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description('serve the web dashboard (queues, tasks, workers, schedules, dead letters, live) for the app until SIGTERM or SIGINT')
    .option('-p, --port <port>', `the port to listen on (default: ${DEFAULT_PORT}; 0: a free port, said in the ready line)`, parseNonNegativeInt)
    .option('--host <host>', 'the interface to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 for every interface)')
    .option('--prefix <path>', 'serve it under this path, e.g. /admin (default: /)', parsePrefix)
    .option('--read-only', 'show everything and change nothing: no pause, purge, retry, revoke or requeue (the server refuses them)')
    .action((flags: DashboardFlags, command: Command) => runAction(command, (ctx) => runDashboard(ctx, flags), { warnMemory: true }));
}

async function runDashboard(ctx: CommandContext, flags: DashboardFlags) {
  // Loaded only for this command: the other commands never pay for a web server.
  const [{ default: Fastify }, { celeriacDashboard }] = await Promise.all([import('fastify'), import('@celeriac/dashboard')]);
  const readOnly = flags.readOnly === true;
  const host = flags.host ?? '127.0.0.1';
  const prefix = flags.prefix ?? '';
  // Task ids may be 128 characters; Fastify's router takes 100 by default.
  const server = Fastify({ routerOptions: { maxParamLength: 128 } });
  await server.register(celeriacDashboard, { app: ctx.app, readOnly, ...(prefix === '' ? {} : { prefix }) });
  try {
    await server.listen({ port: flags.port ?? DEFAULT_PORT, host });
  } catch (error) {
    await server.close();
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE') throw new CliError('error', `port ${flags.port ?? DEFAULT_PORT} is in use on ${host}: pick another with --port (0 for a free one)`);
    throw error;
  }
  const { port } = server.server.address() as AddressInfo;
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shown}:${port}${prefix}/`;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  ctx.out.line({ event: 'dashboard-ready', url, host, port, prefix, readOnly, pid: process.pid }, `celeriac dashboard on ${url}${readOnly ? ' (read-only)' : ''}; Ctrl+C to stop`);
  const signal = await stopped;
  ctx.out.note(`received ${signal}: closing the dashboard`);
  // Open pages' event streams are ended by the plugin, so this does not wait for the browsers.
  await server.close();
  ctx.out.line({ event: 'dashboard-stopped' }, 'celeriac dashboard stopped');
  return EXIT_CODES.OK;
}
