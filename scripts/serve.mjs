#!/usr/bin/env node
// A tiny static server for the demo on loopback only: www/ at /, dist/ at /dist/.
// Every response carries the strict Content-Security-Policy the embedding
// example documents, so the demo runs under what a clinic's site would send.
//
//   node scripts/serve.mjs [--port 8417]     (--port 0 picks a free port)
//   import { startServer } from './serve.mjs'  (tests: ephemeral port)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The policy for a page that embeds <ketamine-planner>: its script from the
 * site itself, wasm compilation allowed, nothing else. */
export const CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The same for a page whose element loads its clinic library from a URL
 * (library="clinic-library.json"): that one fetch needs connect-src 'self'. */
export const CSP_WITH_LIBRARY_URL = CSP.replace("connect-src 'none'", "connect-src 'self'");

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

function resolvePath(urlPath, mounts) {
  for (const [prefix, dir] of mounts) {
    if (urlPath === prefix.slice(0, -1) || urlPath.startsWith(prefix)) {
      const rel = normalize(decodeURIComponent(urlPath.slice(prefix.length)) || 'index.html');
      const file = resolve(dir, rel);
      if (file !== dir && !file.startsWith(dir + sep)) return null; // no escaping the root
      return file.endsWith(sep) ? join(file, 'index.html') : file;
    }
  }
  return null;
}

/**
 * Starts the server. `mounts` maps URL prefixes (ending in '/') to folders,
 * longest first; `csp` is the policy sent with every response. Resolves to
 * { server, url, port, close() }.
 */
export function startServer({ port = 8417, host = '127.0.0.1', mounts, log = false, csp = CSP } = {}) {
  const table = (mounts || [['/dist/', join(root, 'dist')], ['/', join(root, 'www')]])
    .map(([p, d]) => [p, resolve(d)])
    .sort((a, b) => b[0].length - a[0].length);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const file = req.method === 'GET' || req.method === 'HEAD' ? resolvePath(url.pathname, table) : null;
    const headers = {
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    try {
      if (!file) throw Object.assign(new Error('not found'), { code: 'ENOENT' });
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] || 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : body);
      if (log) console.log(`200 ${url.pathname}`);
    } catch (e) {
      const status = e.code === 'ENOENT' || e.code === 'EISDIR' ? 404 : 500;
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(status === 404 ? 'Not found\n' : 'Server error\n');
      if (log) console.log(`${status} ${url.pathname}`);
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const p = server.address().port;
      ok({ server, port: p, url: `http://${host}:${p}/`, close: () => new Promise((d) => server.close(d)) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : Number(process.env.PORT || 8417);
  const { url } = await startServer({ port, log: true });
  console.log(`Demo and embedding example (CSP-strict): ${url}\n(serving www/ at / and dist/ at /dist/ on loopback only; Ctrl-C stops)`);
}
