#!/usr/bin/env node
// Runs the extension's tests inside a real VS Code: code-server (VS Code's own server and
// web workbench, installed from npm by scripts/installCodeServer.sh) driven by headless
// Chromium through playwright-core.
//   1. packages the extension as a .vsix and installs that very file into code-server,
//   2. runs the mocha suite (test/vscode/index.ts) in its extension host via the
//      workbench's `payload` and reads the result file the suite writes,
//   3. runs the Playwright UI tests (test/vscode/ui/*.ui.ts), which take screenshots into
//      test-results/.
// Options: --dev (symlink the work tree instead of packaging), --no-ui, --ui-only,
//          --grep <pattern> (suite tests), --ui-files <a,b> (UI test files, default all),
//          --keep (leave the server running; prints its URL).
// See ../shared/notes/vscode-in-ci.md for why things are done this way.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { makeWorkspace } from '../test/vscode/scratchWorkspace.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const extensionId = `${pkg.publisher}.${pkg.name}`;
const CODE_SERVER_VERSION = '4.100.3';
const SUITE_TIMEOUT_MS = 240_000;
const resultsDir = path.join(root, 'test-results');

/** Workbench chatter that reaches the test console but says nothing about the tests. */
const WORKBENCH_NOISE =
  /^(Ignoring fetching additional builtin extensions|Updating additional builtin extensions cache|\[lifecycle\] Long running operations)/;

const log = (...m) => console.log('[test:vscode]', ...m);

function run(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} exited with ${r.status}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function userSettings(userDataDir) {
  const dir = path.join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'workbench.colorTheme': 'Default Dark Modern',
        // Debian's python3 carries debugpy; a python3 earlier on PATH (pyenv) may not.
        'lambdaLab.pythonBinaries': { 'python3.11': '/usr/bin/python3' },
        // Any free port: 3001 may be taken on a shared machine (and a workspace setting written
        // by a test may not be read yet when its command runs).
        'lambdaLab.apiServer.port': 0,
        // Asynchronous retries 100 times sooner (0.6 s instead of a minute after a function error).
        'lambdaLab.asyncRetryDelayScale': 0.01,
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'chat.commandCenter.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'git.enabled': false,
        'editor.minimap.enabled': false,
      },
      null,
      2,
    ),
  );
}

/** Installs the extension into `extensionsDir`; returns the installed folder. */
function installExtension(scratch, extensionsDir, dev) {
  const installed = path.join(extensionsDir, `${extensionId}-${pkg.version}`);
  if (dev) {
    mkdirSync(extensionsDir, { recursive: true });
    symlinkSync(root, installed, 'dir');
    return installed;
  }
  const vsix = path.join(scratch, `${pkg.name}-${pkg.version}.vsix`);
  log('packaging', path.relative(root, vsix));
  run('npx', [
    '--no-install',
    'vsce',
    'package',
    '--allow-missing-repository',
    '--no-rewrite-relative-links',
    '--skip-license',
    '--out',
    vsix,
  ]);
  log('installing the .vsix into code-server');
  run(codeServerBin(), ['--config', path.join(scratch, 'config.yaml'), '--extensions-dir', extensionsDir, '--install-extension', vsix], {
    env: { ...process.env, EXTENSIONS_GALLERY: '{}' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (!existsSync(installed)) throw new Error(`the .vsix did not install into ${installed}`);
  return installed;
}

function codeServerBin() {
  return path.join(root, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`, 'node_modules', '.bin', 'code-server');
}

async function startCodeServer({ scratch, port, userDataDir, extensionsDir, workspace, env }) {
  const config = path.join(scratch, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const child = spawn(
    codeServerBin(),
    [
      '--config',
      config,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      workspace,
    ],
    { env: { ...process.env, EXTENSIONS_GALLERY: '{}', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const serverLog = path.join(scratch, 'code-server.log');
  const chunks = [];
  child.stdout.on('data', (d) => chunks.push(d));
  child.stderr.on('data', (d) => chunks.push(d));
  child.on('exit', () => writeFileSync(serverLog, Buffer.concat(chunks)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`code-server exited early:\n${Buffer.concat(chunks)}`);
    if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 30 s:\n${Buffer.concat(chunks)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    port,
    /**
     * SIGTERM lets code-server shut its extension host down (deactivate stops the runtime's
     * processes); whatever is left of its process group after 8 s is killed.
     */
    stop: async () => {
      const groupAlive = () => {
        try {
          process.kill(-child.pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      for (const deadline = Date.now() + 8_000; groupAlive() && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 200));
      if (groupAlive()) {
        log('killing what is left of the code-server process group');
        process.kill(-child.pid, 'SIGKILL');
      }
      child.stdout.destroy();
      child.stderr.destroy();
    },
  };
}

/** Playwright gives the browser a fresh temporary profile of its own. */
function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Runs the mocha suite in the extension host; resolves with the exit code the workbench reports. */
async function runSuite({ browser, port, workspace, installed, resultFile }) {
  const authority = `vscode-remote://127.0.0.1:${port}`;
  const payload = [
    ['extensionDevelopmentPath', `${authority}${installed}`],
    ['extensionTestsPath', `${authority}${path.join(root, 'out', 'test', 'vscode', 'index')}`],
    ['skipWelcome', 'true'],
  ];
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const exit = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(code)));
  await page.exposeFunction('codeAutomationLog', (type, messages) => {
    // mocha's spec reporter lines arrive with printf-style args unformatted
    const [fmt, ...rest] = Array.isArray(messages) ? messages : [messages];
    let i = 0;
    const line = String(fmt ?? '').replace(/%[sdo]/g, () => String(rest[i++] ?? ''));
    if (!WORKBENCH_NOISE.test(line)) console.log(`  ${line}${rest.slice(i).length ? ' ' + rest.slice(i).join(' ') : ''}`);
  });
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  await page.goto(url);
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), SUITE_TIMEOUT_MS)));
  const code = await Promise.race([exit, timeout]);
  clearTimeout(timer);
  if (code === 'timeout') {
    await page.screenshot({ path: path.join(resultsDir, 'suite-timeout.png') }).catch(() => undefined);
    log(`the suite did not finish within ${SUITE_TIMEOUT_MS / 1000} s (screenshot: test-results/suite-timeout.png)`);
  }
  await page.close();
  const result = existsSync(resultFile) ? JSON.parse(readFileSync(resultFile, 'utf8')) : undefined;
  return { code, result };
}

async function main() {
  const started = Date.now();
  const dev = flag('--dev');
  mkdirSync(resultsDir, { recursive: true });
  if (!existsSync(codeServerBin())) run('bash', [path.join(root, 'scripts', 'installCodeServer.sh')]);
  log('building');
  run('node', ['scripts/build.mjs']);

  const scratch = mkdtempSync(path.join(tmpdir(), 'lambda-lab-vscode-'));
  const userDataDir = path.join(scratch, 'user-data');
  const extensionsDir = path.join(scratch, 'extensions');
  userSettings(userDataDir);
  const workspace = makeWorkspace(scratch);
  const resultFile = path.join(scratch, 'suite-result.json');
  let installed;
  let server;
  try {
    installed = installExtension(scratch, extensionsDir, dev);
    const port = await freePort();
    log(`starting code-server ${CODE_SERVER_VERSION} on 127.0.0.1:${port} (scratch ${scratch})`);
    server = await startCodeServer({
      scratch,
      port,
      userDataDir,
      extensionsDir,
      workspace,
      env: {
        LAMBDA_LAB_TEST_RESULT: resultFile,
        LAMBDA_LAB_REPO: root,
        ...(option('--grep') ? { LAMBDA_LAB_TEST_GREP: option('--grep') } : {}),
      },
    });
  } catch (err) {
    rmSync(scratch, { recursive: true, force: true });
    throw err;
  }
  const port = server.port;
  let browser;
  let failed = false;
  process.once('SIGINT', () => void server.stop().then(() => process.exit(130)));
  try {
    browser = await launchBrowser();
    if (!flag('--ui-only')) {
      log('running the suite in the extension host');
      const { code, result } = await runSuite({ browser, port, workspace, installed, resultFile });
      const tests = result?.tests ?? [];
      const failures = tests.filter((t) => t.state === 'failed');
      log(`suite: ${tests.filter((t) => t.state === 'passed').length} passed, ${failures.length} failed, exit code ${code}`);
      for (const f of failures) console.log(`\n  ✖ ${f.title}\n${f.error.replace(/^/gm, '    ')}`);
      if (code !== 0 || !result || failures.length) failed = true;
    }
    if (!flag('--no-ui')) {
      log('running the UI tests');
      await browser.close();
      const ui = spawnSync(
        'npx',
        [
          '--no-install',
          'mocha',
          '--no-config',
          '--bail',
          '--require',
          'tsx/cjs',
          '--timeout',
          '120000',
          '--extension',
          'ts',
          ...(option('--ui-files')?.split(',') ?? ['test/vscode/ui/*.ui.ts']),
        ],
        {
          cwd: root,
          stdio: 'inherit',
          env: {
            ...process.env,
            CODE_SERVER_URL: `http://127.0.0.1:${port}`,
            LAMBDA_LAB_WORKSPACE: workspace,
            LAMBDA_LAB_SCRATCH: scratch,
          },
        },
      );
      if (ui.status !== 0) failed = true;
    }
  } finally {
    if (browser?.isConnected()) await browser.close();
    if (flag('--keep')) {
      log(`code-server keeps running at http://127.0.0.1:${port}/?folder=${workspace} (pid ${server.child.pid})`);
    } else {
      await server.stop();
      if (failed) log(`kept ${scratch} for inspection (code-server.log, workspace)`);
      else rmSync(scratch, { recursive: true, force: true });
    }
  }
  log(`${failed ? 'FAILED' : 'passed'} in ${Math.round((Date.now() - started) / 1000)} s; screenshots in test-results/`);
  process.exitCode = failed ? 1 : 0;
}

await main();
