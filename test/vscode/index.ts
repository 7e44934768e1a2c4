// Entry of the suite that runs inside a real VS Code extension host: code-server here
// (scripts/testVscode.mjs), a desktop VS Code through @vscode/test-electron elsewhere. Both
// load this module and call run(); it settles when mocha is done.
import { writeFileSync } from 'node:fs';
import Mocha from 'mocha';

interface TestOutcome {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, slow: 5_000, color: false, reporter: 'spec' });
  // The suite files are bundled into this module; they register their tests when required
  // after mocha has put describe/it on the global object.
  mocha.suite.emit('pre-require', globalThis, 'test/vscode/suite', mocha);
  const grep = process.env.LAMBDA_LAB_TEST_GREP;
  if (grep) mocha.grep(grep);
  require('./suite/activation.test');
  require('./suite/views.test');
  require('./suite/invoke.test');
  require('./suite/codeLens.test');
  require('./suite/debugConfigurations.test');
  require('./suite/debug.test');
  require('./suite/pythonDebug.test');
  require('./suite/templateErrors.test');
  require('./suite/versions.test');
  require('./suite/layers.test');
  require('./suite/apiServer.test');
  require('./suite/languageServer.test');
  require('./suite/realWorld.test');
  require('./suite/routeRequests.test');
  require('./suite/asyncEvents.test');
  require('./suite/durableExecutions.test');

  const outcomes: TestOutcome[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const file = process.env.LAMBDA_LAB_TEST_RESULT;
      if (file) writeFileSync(file, JSON.stringify({ failures, tests: outcomes }, null, 2));
      if (failures) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => outcomes.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
    runner.on('fail', (t, err: Error) => outcomes.push({ title: t.fullTitle(), state: 'failed', error: err.stack ?? String(err) }));
    runner.on('pending', (t) => outcomes.push({ title: t.fullTitle(), state: 'pending' }));
  });
}
