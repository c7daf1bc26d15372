/**
 * `npm run package` (after `npm run build`): writes the plugin archive at the repository root, or
 * into the folder given as the only argument, and prints its checksums for the catalog submission.
 */
import * as path from 'node:path';

import { packagePlugin } from './pluginArchive';

const root = path.resolve(__dirname, '..');

try {
  const packaged = packagePlugin(path.join(root, 'dist'), path.resolve(process.argv[2] ?? root));
  process.stdout.write(
    `${packaged.file}: ${packaged.bytes} bytes, ${packaged.entries} entries\n` + `SHA-1 ${packaged.sha1}\n` + `MD5   ${packaged.md5}\n`
  );
} catch (error) {
  process.stderr.write(`package: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
