import type { EngineRequest, EngineTransport } from '../../../src/engine/transport';

/**
 * A transport standing in for the engine in unit tests: the i-th request (from 0) is answered with
 * `answer(request, i)`, thrown when it is an Error; every request is kept in `requests`.
 */
export function scriptedTransport(answer: (request: EngineRequest, i: number) => unknown): EngineTransport & { requests: EngineRequest[] } {
  const requests: EngineRequest[] = [];
  return {
    description: 'http://es:9200',
    requests,
    async request<T>(request: EngineRequest): Promise<T> {
      requests.push(request);
      const answered = answer(request, requests.length - 1);
      if (answered instanceof Error) {
        throw answered;
      }
      return answered as T;
    },
  };
}
