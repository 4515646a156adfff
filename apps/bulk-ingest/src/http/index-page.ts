import type { FastifyInstance } from 'fastify';
import { MAX_BATCH } from './ingest-routes.js';

/**
 * The progress page: plain HTML and a few lines of script, served by the app itself so the
 * demo needs no bundler. It starts a batch, then polls `GET /ingest/:batchId`; the batch id
 * goes in the URL hash so a reload keeps following it. Data is written with textContent only.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bulk ingest · Celeriac</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
  h1 { font-size: 1.4rem; }
  form { display: flex; gap: .5rem; align-items: center; margin: 1.5rem 0; }
  input { width: 8rem; padding: .3rem; font: inherit; }
  button { padding: .35rem 1rem; font: inherit; cursor: pointer; }
  progress { width: 100%; height: 1.5rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
  dt { color: #666; }
  .error { color: #b00020; }
</style>
</head>
<body>
<h1>Bulk ingest</h1>
<p>Starts <em>count</em> independent insert tasks at once; the broker lets them through at the configured rate limit.</p>
<form id="start">
  <label for="count">Rows</label>
  <input id="count" name="count" type="number" min="1" max="${MAX_BATCH}" value="10000" required>
  <button type="submit">Start batch</button>
</form>
<p id="message" role="status"></p>
<progress id="bar" max="1" value="0"></progress>
<dl>
  <dt>Batch</dt><dd id="batch">–</dd>
  <dt>State</dt><dd id="state">–</dd>
  <dt>Inserted</dt><dd id="done">–</dd>
  <dt>Failed</dt><dd id="failed">–</dd>
  <dt>Rate</dt><dd id="rate">–</dd>
  <dt>Remaining</dt><dd id="eta">–</dd>
</dl>
<script type="module">
  const $ = (id) => document.getElementById(id);
  let timer;

  function show(p) {
    $('batch').textContent = p.batchId;
    $('state').textContent = p.state;
    $('done').textContent = p.done.toLocaleString() + ' / ' + p.total.toLocaleString();
    $('failed').textContent = p.failed.toLocaleString();
    $('rate').textContent = p.ratePerSecond === null ? '–' : p.ratePerSecond.toLocaleString() + ' rows/s (limit ' + p.rateLimit + ')';
    $('eta').textContent = p.etaSeconds === null ? '–' : p.etaSeconds + ' s';
    $('bar').max = p.total;
    $('bar').value = p.done + p.failed;
  }

  async function follow(batchId) {
    clearTimeout(timer);
    location.hash = 'batch=' + batchId;
    try {
      const response = await fetch('/ingest/' + encodeURIComponent(batchId));
      const body = await response.json();
      if (!response.ok) throw new Error(body.message);
      show(body);
      $('message').textContent = '';
      if (body.state === 'queued' || body.state === 'running') timer = setTimeout(() => follow(batchId), 500);
    } catch (error) {
      $('message').textContent = String(error.message ?? error);
      $('message').className = 'error';
    }
  }

  $('start').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('message').className = '';
    $('message').textContent = 'Enqueueing…';
    const response = await fetch('/ingest', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: Number($('count').value) }) });
    const body = await response.json();
    if (!response.ok) {
      $('message').textContent = body.message;
      $('message').className = 'error';
      return;
    }
    follow(body.batchId);
  });

  const resumed = /batch=([0-9a-f-]+)/.exec(location.hash);
  if (resumed) follow(resumed[1]);
</script>
</body>
</html>
`;

export function registerIndexPage(server: FastifyInstance): void {
  server.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
}
