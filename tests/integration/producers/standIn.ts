/**
 * A loopback stand-in between the collector's elasticsearch exporter and an engine it refuses to
 * write to as it is. The exporter's Go client (go-elasticsearch 8) accepts only answers carrying
 * `X-Elastic-Product: Elasticsearch`, which OpenSearch and Elasticsearch before 7.14 do not send,
 * and in `otel` mode its bulk requests ask `require_data_stream=true`, which OpenSearch 2.19.1 and
 * Elasticsearch 7.10.2 reject as an unknown parameter. The stand-in forwards every request
 * unchanged but for that one query parameter, and adds the product header to every answer.
 * Documents pass through untouched: what lands in the engine is what the exporter wrote.
 */
import { request as httpRequest, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandIn {
  /** The URL to give the exporter as its endpoint. */
  url: string;
  /** Requests forwarded so far: the path and query as the exporter sent them and as the engine got them. */
  forwarded: Array<{ method: string; original: string; sent: string }>;
  stop(): Promise<void>;
}

/** The path and query to send on: `require_data_stream` removed, everything else kept. */
export function forwardedPath(original: string): string {
  const url = new URL(original, 'http://stand-in');
  url.searchParams.delete('require_data_stream');
  return `${url.pathname}${url.search}`;
}

export async function startStandIn(engineUrl: string): Promise<StandIn> {
  const target = new URL(engineUrl);
  const forwarded: StandIn['forwarded'] = [];
  const forward = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const path = forwardedPath(incoming.url ?? '/');
    forwarded.push({ method: incoming.method ?? 'GET', original: incoming.url ?? '/', sent: path });
    const headers = { ...incoming.headers, host: target.host };
    const upstream = httpRequest(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: incoming.method,
        path,
        headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-elastic-product': 'Elasticsearch' });
        answer.pipe(outgoing);
      }
    );
    upstream.on('error', (error) => {
      outgoing.writeHead(502, { 'content-type': 'text/plain', 'x-elastic-product': 'Elasticsearch' });
      outgoing.end(`stand-in: ${engineUrl} did not answer: ${error.message}`);
    });
    incoming.pipe(upstream);
  };
  const server = createServer(forward);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
