/**
 * Builds the harness page (tests/browser/harness/index.tsx, with the plugin's src/ and Grafana's
 * packages bundled in, as a Grafana page has them) with webpack's Node API, the loaders the
 * plugin's own build uses (swc-loader, style-loader and css-loader). Development mode: no
 * minification, and React's checks on. webpack's cache under node_modules/.cache makes a
 * rebuild of an unchanged harness take seconds.
 */
import { resolve } from 'node:path';

import webpack, { type Configuration, type Stats } from 'webpack';

const ROOT = resolve(__dirname, '../..');
export const HARNESS_ENTRY = resolve(__dirname, 'harness/index.tsx');
/** Where the page loads the bundle and its lazy chunks from. */
export const BUNDLE_URL_PATH = '/harness/';

function configuration(outDir: string): Configuration {
  return {
    mode: 'development',
    devtool: false,
    context: ROOT,
    entry: HARNESS_ENTRY,
    output: { path: outDir, filename: 'harness.js', publicPath: BUNDLE_URL_PATH },
    cache: { type: 'filesystem', cacheDirectory: resolve(ROOT, 'node_modules/.cache/estraces-browser-harness'), buildDependencies: { config: [__filename] } },
    resolve: { extensions: ['.js', '.jsx', '.ts', '.tsx'] },
    performance: { hints: false },
    infrastructureLogging: { level: 'error' },
    module: {
      rules: [
        {
          test: /\.[tj]sx?$/,
          exclude: /node_modules/,
          use: { loader: 'swc-loader', options: { jsc: { target: 'es2020', parser: { syntax: 'typescript', tsx: true } } } },
        },
        { test: /\.css$/, use: ['style-loader', 'css-loader'] },
        // @grafana/ui's ES modules import some packages (OpenLayers) without file extensions, and
        // take the default export of CommonJS packages (react-custom-scrollbars-2) as Grafana's own
        // build gives it: `exports.default` of a module marked `__esModule`, not the whole module.
        { test: /\.m?js$/, include: /node_modules/, type: 'javascript/auto', resolve: { fullySpecified: false } },
      ],
    },
  };
}

function run(compiler: webpack.Compiler): Promise<Stats> {
  return new Promise((done, fail) => compiler.run((error, stats) => (error || !stats ? fail(error ?? new Error('webpack gave no result')) : done(stats))));
}

/** Bundles the harness into `outDir`; an error names what did not build. */
export async function bundleHarness(outDir: string): Promise<void> {
  const compiler = webpack(configuration(outDir));
  try {
    const stats = await run(compiler);
    if (stats.hasErrors()) {
      throw new Error(`the browser test harness did not build:\n${stats.toString({ all: false, errors: true, errorDetails: false })}`);
    }
  } finally {
    await new Promise((done) => compiler.close(done));
  }
}
