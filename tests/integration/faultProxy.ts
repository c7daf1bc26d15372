/**
 * An HTTP proxy in front of a real engine that injects scripted faults: fixed answers (429, 503,
 * HTML pages, foreign JSON), stalls, connections cut mid-answer, truncated or rewritten engine
 * answers, and answers held until a test lets them go. It counts every request it receives, so a
 * test can say how many attempts were made and that no further request was sent.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, request as forward, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** Path and query string. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Fault =
  /** No fault: forward as is (to let some requests by before a fault applies). */
  | { kind: 'forward' }
  /** Answer this, without asking the engine. */
  | { kind: 'answer'; status: number; body?: string; headers?: Record<string, string> }
  /** Never answer: the client's timeout has to end it. */
  | { kind: 'stall' }
  /** Send the engine's status, headers and half its body, then destroy the connection. */
  | { kind: 'reset-mid-body' }
  /** Send the first half of the engine's body as if it were all of it. */
  | { kind: 'truncate' }
  /** Change the engine's JSON answer before sending it. */
  | { kind: 'rewrite'; edit: (answer: Record<string, unknown>) => unknown }
  /** Keep the engine's answer until `release` resolves. */
  | { kind: 'hold'; release: Promise<void> };

interface Rule {
  path?: RegExp;
  fault: Fault;
  remaining: number;
}

interface EngineAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export class FaultProxy {
  /** Every request received, in order, faulted or not. */
  readonly received: ReceivedRequest[] = [];
  /** How many requests the client gave up on (closed) before their answer was sent. */
  abandoned = 0;
  private rules: Rule[] = [];
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    private readonly target: URL
  ) {}

  /** A proxy on a free loopback port, forwarding to the engine at `target`. */
  static async start(target: string): Promise<FaultProxy> {
    let proxy: FaultProxy | undefined;
    const server = createServer((req, res) => void proxy?.handle(req, res));
    proxy = new FaultProxy(server, new URL(target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Apply `fault` to the next `times` requests whose path matches (every request, forever, by default). */
  inject(fault: Fault, options: { path?: RegExp; times?: number } = {}): void {
    this.rules.push({ path: options.path, fault, remaining: options.times ?? Infinity });
  }

  /** Forward everything from now on; the count of received requests goes on. */
  clearFaults(): void {
    this.rules = [];
  }

  /** Requests received whose path matches. */
  count(path?: RegExp): number {
    return this.received.filter((request) => !path || path.test(request.path)).length;
  }

  /** Resolves once `predicate` holds, checked on every request received or abandoned. */
  until(predicate: (proxy: FaultProxy) => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (predicate(this)) {
          this.waiters = this.waiters.filter((waiter) => waiter !== check);
          resolve();
        }
      };
      this.waiters.push(check);
      check();
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private changed(): void {
    [...this.waiters].forEach((check) => check());
  }

  private takeFault(path: string): Fault | undefined {
    const rule = this.rules.find((candidate) => candidate.remaining > 0 && (!candidate.path || candidate.path.test(path)));
    if (rule) {
      rule.remaining--;
      return rule.fault;
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const received = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    let answered = false;
    res.on('close', () => {
      if (!answered) {
        this.abandoned++;
        this.changed();
      }
    });
    res.on('finish', () => (answered = true));
    const fault = this.takeFault(received.path);
    this.received.push(received);
    this.changed();
    if (fault?.kind === 'stall') {
      return;
    }
    if (fault?.kind === 'answer') {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? '');
      return;
    }
    let answer: EngineAnswer;
    try {
      answer = await this.ask(received);
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: the engine did not answer (${(error as Error).message})`);
      return;
    }
    if (fault?.kind === 'hold') {
      await fault.release;
    }
    if (res.destroyed) {
      return;
    }
    this.send(res, answer, fault);
  }

  private send(res: ServerResponse, answer: EngineAnswer, fault: Fault | undefined): void {
    const headers = { ...answer.headers };
    delete headers['content-length'];
    delete headers['transfer-encoding'];
    let body = answer.body;
    if (fault?.kind === 'rewrite') {
      body = Buffer.from(JSON.stringify(fault.edit(JSON.parse(body.toString('utf8')) as Record<string, unknown>)));
    }
    if (fault?.kind === 'reset-mid-body') {
      // Announce the whole body, send half, and cut the connection: a reset mid-answer.
      res.writeHead(answer.status, { ...headers, 'content-length': String(body.length) });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
      return;
    }
    if (fault?.kind === 'truncate') {
      body = body.subarray(0, Math.floor(body.length / 2));
    }
    res.writeHead(answer.status, { ...headers, 'content-length': String(body.length) });
    res.end(body);
  }

  /** The engine's answer to a request, whole. Uncompressed, so answers can be rewritten. */
  private ask(received: ReceivedRequest): Promise<EngineAnswer> {
    const headers = { ...received.headers, host: this.target.host };
    delete headers['accept-encoding'];
    return new Promise((resolve, reject) => {
      const upstream = forward({ host: this.target.hostname, port: this.target.port, method: received.method, path: received.path, headers }, (response) => {
        const parts: Buffer[] = [];
        response.on('data', (chunk: Buffer) => parts.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(parts) }));
        response.on('error', reject);
      });
      upstream.on('error', reject);
      upstream.end(received.body);
    });
  }
}
