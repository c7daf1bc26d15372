// The real producers' suites (tests/integration/*Producer.test.ts) run last, so the builds the global
// setup starts in the background have the time the other suites take; the rest keep jest's order.
const Sequencer = require('@jest/test-sequencer').default;

const isProducerSuite = (test) => /Producer\.test\.ts$/.test(test.path);

class ProducersLast extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    return [...ordered.filter((test) => !isProducerSuite(test)), ...ordered.filter(isProducerSuite)];
  }
}

module.exports = ProducersLast;
