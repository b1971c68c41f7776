// The light service of the overhead benchmark: about 1 ms of CPU per request, spread over a
// few async hops like a real handler (read the body, look something up, serialise, hash). The
// work is a fixed amount, not a fixed time, so extra CPU per request shows as overhead.
// Prints `listening PORT` when ready; ROWS sets the rows serialised per request.
'use strict';
const crypto = require('node:crypto');
const http = require('node:http');

const ROWS = Number(process.env.ROWS ?? 120);

const catalogue = [];
for (let i = 0; i < 2000; i++) {
  catalogue.push({
    id: i,
    sku: `sku-${i}`,
    price: (i * 37) % 1000,
    tags: ['a', i % 2 ? 'b' : 'c'],
  });
}

/** Looks the rows up "asynchronously", as a cache or pool would answer. */
function lookup(offset) {
  return new Promise(resolve => {
    setImmediate(() => resolve(catalogue.slice(offset, offset + ROWS)));
  });
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const offset = Number(url.searchParams.get('offset') ?? 0) % (catalogue.length - ROWS);
  const rows = await lookup(offset);
  const priced = rows.map(row => ({
    ...row,
    total: row.price * 1.2,
    label: row.sku.toUpperCase(),
  }));
  const json = JSON.stringify({ rows: priced, at: Date.now() });
  const etag = crypto.createHash('sha256').update(json).digest('hex');
  res.writeHead(200, { 'content-type': 'application/json', etag });
  res.end(json);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch(error => {
    res.statusCode = 500;
    res.end(String(error));
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
