// force timezone to UTC to allow tests to work regardless of local timezone
process.env.TZ = 'UTC';

const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');
const base = require('./.config/jest.config');

// Unit tests: the pure core and the React components (jsdom). Integration tests that need real
// engines run from jest.integration.config.js.
module.exports = {
  ...base,
  testMatch: ['<rootDir>/src/**/*.{spec,test}.{ts,tsx}', '<rootDir>/tests/unit/**/*.test.{ts,tsx}'],
  transform: {
    ...base.transform,
    // d3 (through @grafana/ui) ships .mjs files that must be transformed as well
    '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'],
  },
  transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, '@react-hookz', '@ver0'])],
  // A guard against hangs, not a speed check: the editor tests render @grafana/ui under jsdom and
  // type through user-event, and one of them can take longer than jest's 5 s on two busy cores.
  testTimeout: 30_000,
};
