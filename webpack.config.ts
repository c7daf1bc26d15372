/**
 * The scaffolded webpack config (.config/webpack, left as create-plugin wrote it) with one change:
 * a screenshot plugin.json names but src/img/screenshots/ does not hold yet does not stop the build.
 * Screenshots are taken of a running build, so a build must work before they exist; the packaging
 * test (tests/bundle/package.test.ts) is what refuses an archive whose plugin.json names a missing
 * image, as the catalog's validator would.
 */
import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';

import { copyFilePatterns } from './.config/bundler/copyFiles.ts';
import { getPluginJson } from './.config/bundler/utils.ts';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

const screenshotPaths = new Set<string>((getPluginJson().info?.screenshots ?? []).map((shot: { path: string }) => shot.path));

const patterns: CopyWebpackPlugin.ObjectPattern[] = copyFilePatterns.map((pattern) =>
  screenshotPaths.has(pattern.from) ? { ...pattern, noErrorOnMissing: true } : pattern
);

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    plugins: (base.plugins ?? []).map((plugin) => (plugin instanceof CopyWebpackPlugin ? new CopyWebpackPlugin({ patterns }) : plugin)),
  };
};

export default config;
