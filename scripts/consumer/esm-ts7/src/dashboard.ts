// @celeriac/dashboard as a consumer mounts it: in their own Fastify server, under a prefix, with
// an auth hook; the prebuilt page and its API answer from the installed tarball (no build step).
import type { AddressInfo } from 'node:net';
import { Celeriac } from '@celeriac/core';
import { type AuthHook, celeriacDashboard } from '@celeriac/dashboard';
import Fastify from 'fastify';

async function main(): Promise<void> {
  const app = new Celeriac();
  app.task({ name: 'dashboard.noop' }, () => null);
  const auth: AuthHook = async (request, reply) => {
    if (request.headers.authorization !== 'Bearer token') await reply.code(401).send({ message: 'no' });
  };
  const server = Fastify();
  await server.register(celeriacDashboard, { app, prefix: '/admin/queues', auth });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/admin/queues/`;
  try {
    const headers = { authorization: 'Bearer token' };
    const page = await fetch(base, { headers });
    const html = await page.text();
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    if (page.status !== 200 || script === undefined) throw new Error(`dashboard: the page answered ${page.status}: ${html.slice(0, 200)}`);
    const asset = await fetch(base + script, { headers });
    if (asset.status !== 200) throw new Error(`dashboard: its script ${script} answered ${asset.status}`);
    const refused = await fetch(base);
    if (refused.status !== 401) throw new Error(`dashboard: without the token it answered ${refused.status}`);
    console.log(`dashboard: the page and ${script} served under /admin/queues/, refused without the token`);
  } finally {
    await server.close();
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
