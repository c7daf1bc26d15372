process.env.TZ = 'UTC';
const base = require('./.config/jest.config');

// Integration tests run against real OpenSearch and Elasticsearch, started once by the global
// setup (or the clusters named in ESTRACES_TEST_URLS) and stopped by the global teardown.
module.exports = {
  transform: base.transform,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
  globalSetup: '<rootDir>/tests/integration/globalSetup.ts',
  globalTeardown: '<rootDir>/tests/integration/globalTeardown.ts',
  testSequencer: '<rootDir>/tests/integration/sequencer.js',
  reporters: ['default', '<rootDir>/tests/integration/skipReporter.js'],
  testTimeout: 300000,
  slowTestThreshold: 60,
};
