// Checks the production build (dist/) against the oldest Grafana the plugin supports: the bundle
// tests and those of tests/compat/ run with that release's plugin packages and its React (18), as
// installed from tests/compat/floor/package.json. Every import of these packages, from the tests,
// the harness or a package installed beside them, gets the floor's copy, so one React runs.
const path = require('path');

const unit = require('./jest.config');

const FLOOR = path.join(__dirname, 'tests/compat/floor/node_modules');
const floorPackage = (name) => ({
  [`^${name}$`]: path.join(FLOOR, name),
  [`^${name}/(.*)$`]: path.join(FLOOR, name, '$1'),
});

module.exports = {
  ...unit,
  testMatch: [
    '<rootDir>/tests/compat/**/*.test.ts',
    '<rootDir>/tests/bundle/module.test.ts',
    '<rootDir>/tests/bundle/logs.test.ts',
  ],
  moduleNameMapper: {
    ...unit.moduleNameMapper,
    ...[
      '@grafana/data',
      '@grafana/runtime',
      '@grafana/schema',
      '@grafana/ui',
      '@grafana/e2e-selectors',
      'react',
      'react-dom',
      'rxjs',
    ].reduce((mapped, name) => ({ ...mapped, ...floorPackage(name) }), {}),
  },
};
