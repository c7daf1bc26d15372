/**
 * The harness server: the page, its bundle, Grafana's icons and the plugin's images, and Grafana's
 * data source proxy for the data source under test: `/api/datasources/proxy/uid/<uid>/<path>`
 * goes to `<engine URL>/<path>` with the method, query, body and content type the browser sent,
 * and the engine's answer comes back as it is (credentials in the engine URL become the
 * Authorization header, as Grafana adds a data source's). It records what was proxied and what
 * else the page asked for, so a test can check the page reached the engine only through the proxy.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';

import { resolveEndpoint } from '../../src/engine/endpoint';
import { BUNDLE_URL_PATH } from './bundle';
import { type HarnessSettings, PLUGIN_BASE_URL, proxyPath, SETTINGS_GLOBAL } from './harness/contract';

const ROOT = resolve(__dirname, '../..');
const ICONS = resolve(ROOT, 'node_modules/@grafana/ui/dist/public/img/icons');
const PLUGIN_IMAGES = resolve(ROOT, 'src/img');
/** Grafana serves the Inter and Roboto Mono fonts itself; no npm package has them, so pages fall back to system fonts. */
const FONTS = '/public/fonts/';
/** Grafana's own loading icon, which @grafana/ui's icon set lacks: an open ring, as Grafana draws it. */
const SPINNER_PATH = '/public/build/img/icons/unicons/spinner.svg';
const SPINNER_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 2a10 10 0 1 0 10 10h-2a8 8 0 1 1-8-8z"/></svg>';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
};

export interface ProxiedRequest {
  method: string;
  /** The path and query below the proxy prefix, as the engine received it. */
  path: string;
  status: number;
}

export interface HarnessServer {
  url: string;
  proxied: ProxiedRequest[];
  /** Paths the page asked for that the server does not serve. */
  unexpected: string[];
  close(): Promise<void>;
}

function page(settings: HarnessSettings): string {
  // `<` escaped so no value can end the script element.
  const json = JSON.stringify(settings).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ES Traces editors</title>
<script>window.__grafana_public_path__ = '/public/'; window.${SETTINGS_GLOBAL} = ${json};</script>
<script src="${BUNDLE_URL_PATH}harness.js" defer></script>
</head>
<body><div id="root"></div></body>
</html>`;
}

/** A file below `folder`, or undefined for a path that leaves it or names no file. */
function fileBelow(folder: string, relative: string): string | undefined {
  const file = resolve(folder, decodeURIComponent(relative));
  return file.startsWith(folder + sep) && existsSync(file) && statSync(file).isFile() ? file : undefined;
}

function sendFile(response: ServerResponse, file: string): void {
  response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(response);
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => done(Buffer.concat(chunks)));
    request.on('error', fail);
  });
}

async function proxy(request: IncomingMessage, response: ServerResponse, engineUrl: string, path: string, proxied: ProxiedRequest[]): Promise<void> {
  const endpoint = resolveEndpoint({ url: engineUrl });
  const method = request.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(request);
  const headers: Record<string, string> = {};
  if (request.headers['content-type']) {
    headers['content-type'] = request.headers['content-type'];
  }
  if (endpoint.authorization) {
    headers.authorization = endpoint.authorization;
  }
  try {
    const answer = await fetch(`${endpoint.base}${path}`, { method, headers, body: body === undefined ? undefined : new Uint8Array(body) });
    const bytes = Buffer.from(await answer.arrayBuffer());
    proxied.push({ method, path, status: answer.status });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    response.end(bytes);
  } catch (error) {
    // Grafana's proxy answers 502 when the data source URL cannot be reached.
    proxied.push({ method, path, status: 502 });
    response.writeHead(502, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: `Bad Gateway: ${(error as Error).message}` }));
  }
}

export async function startHarnessServer(options: { bundleDir: string; engineUrl: string; settings: HarnessSettings }): Promise<HarnessServer> {
  const { bundleDir, engineUrl, settings } = options;
  const proxyPrefix = `${proxyPath(settings.datasource.uid)}/`;
  const pluginImages = `${PLUGIN_BASE_URL}/img/`;
  const proxied: ProxiedRequest[] = [];
  const unexpected: string[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const target = request.url ?? '/';
    const path = target.split('?')[0];
    let file: string | undefined;
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(page(settings));
      return;
    }
    if (path === SPINNER_PATH) {
      response.writeHead(200, { 'content-type': TYPES['.svg'] });
      response.end(SPINNER_SVG);
      return;
    }
    if (target.startsWith(proxyPrefix)) {
      await proxy(request, response, engineUrl, target.slice(proxyPrefix.length - 1), proxied);
      return;
    }
    if (path.startsWith(BUNDLE_URL_PATH)) {
      file = fileBelow(bundleDir, path.slice(BUNDLE_URL_PATH.length));
    } else if (path.startsWith('/public/build/img/icons/')) {
      file = fileBelow(ICONS, path.slice('/public/build/img/icons/'.length));
    } else if (path.startsWith(pluginImages)) {
      file = fileBelow(PLUGIN_IMAGES, path.slice(pluginImages.length));
    }
    if (file) {
      sendFile(response, file);
      return;
    }
    if (!path.startsWith(FONTS) && path !== '/favicon.ico') {
      unexpected.push(`${request.method} ${target}`);
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: 'Not found' }));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    proxied,
    unexpected,
    close: () =>
      new Promise((done, fail) => {
        server.close((error) => (error ? fail(error) : done()));
        server.closeAllConnections();
      }),
  };
}
