// Checks the production build (dist/) as Grafana loads it; runs after `npm run build`.
const unit = require('./jest.config');

module.exports = { ...unit, testMatch: ['<rootDir>/tests/bundle/**/*.test.ts'] };
