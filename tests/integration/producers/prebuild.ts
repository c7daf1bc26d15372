/**
 * The producers' builds, started by the global setup and left running while the other suites
 * test: a cold Jaeger build takes about 15 minutes on two cores. The producer suites run last (see
 * tests/integration/sequencer.js) and ask for the same builds, which wait on the build locks and
 * then find them done. A build that fails here is only logged: the suite that needs it builds again
 * and reports the failure itself.
 */
import { buildCollector, ES_COLLECTOR, OS_COLLECTOR } from './collector';
import { buildJaeger } from '../../../src/cli/jaegerRunner';
import { goAvailable, javaAvailable } from '../../../src/cli/producerProcess';
import { resolveZipkinJar } from './zipkin';

export function prebuildProducers(log: (line: string) => void): Promise<void> {
  const steps: Array<[string, () => Promise<unknown>]> = [];
  if (goAvailable() === undefined) {
    steps.push(['the collector with the elasticsearchexporter', () => buildCollector({ ...ES_COLLECTOR, log })]);
    steps.push(['the collector with the opensearchexporter', () => buildCollector({ ...OS_COLLECTOR, log })]);
    steps.push(['Jaeger v2', () => buildJaeger(log)]);
  }
  if (javaAvailable() === undefined) {
    steps.push(['Zipkin server', () => resolveZipkinJar(log)]);
  }
  return steps.reduce(
    (previous, [what, step]) =>
      previous.then(() =>
        step().then(
          () => undefined,
          (error: Error) =>
            log(
              `building ${what} ahead of its suite failed (the suite will try again): ${error.message.split('\n')[0]}`
            )
        )
      ),
    Promise.resolve()
  );
}
