/**
 * Lists every skipped integration test by its full name, which carries the reason (an engine that
 * lacks what the test needs, a producer that cannot be built here): a run says what it left out.
 */
class SkipReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.testResults.flatMap((file) =>
      file.testResults.filter((test) => test.status === 'pending' || test.status === 'skipped').map((test) => test.fullName)
    );
    if (skipped.length === 0) {
      return;
    }
    // The reason is the same for many tests: group by it, then list the tests under it.
    const byReason = new Map();
    for (const name of skipped) {
      const reason = /\[skipped: ([^\]]+)\]$/.exec(name)?.[1] ?? 'skipped (no reason in its name)';
      byReason.set(reason, [...(byReason.get(reason) ?? []), name.replace(/ \[skipped: [^\]]+\]$/, '')]);
    }
    const lines = [`\n${skipped.length} integration tests skipped:`];
    for (const [reason, names] of byReason) {
      lines.push(`  ${reason} (${names.length}):`, ...names.map((name) => `    - ${name}`));
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

module.exports = SkipReporter;
