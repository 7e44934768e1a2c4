import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LOG_FD_ENV, WAIT_FOR_DEBUGGER_ENV } from '../../src/runtime/bootstrap/bootstrapProtocol';
import { familyOf, RUNTIME_FAMILIES } from '../../src/runtime/families/runtimeFamilies';
import { isLaunchFailure, type LaunchRequest, type ProcessLaunch } from '../../src/runtime/families/runtimeFamily';
import type { FunctionConfig } from '../../src/runtime/functionConfig';
import { userCacheDir } from '../../src/runtime/userCache';

/** Where the runtime's AWS SDK sits on NODE_PATH: Lambda's /var/runtime/node_modules, after layers. */
const RUNTIME_SDK = `${userCacheDir()}/aws-sdk/node_modules`;

const warnings: string[] = [];
const host = { binaries: {}, diagnostic: (_level: string, message: string) => warnings.push(message), progress: () => {} };
const launch = (runtime: string, request: Omit<LaunchRequest, 'fn'> & { codeDir?: string }) =>
  familyOf(runtime)!
    .launcher(host)
    .launch({ ...request, fn: fn(runtime, request.codeDir) });

const fn = (runtime: string, codeDir = '/code'): FunctionConfig => ({
  logicalId: 'Fn',
  functionName: 'fn',
  runtime,
  handler: 'app.handler',
  codeDir,
  memorySize: 1000,
  timeout: 3,
  environment: {},
  architectures: ['x86_64'],
  loggingConfig: { logFormat: 'Text', logGroup: '/aws/lambda/fn' },
  ephemeralStorage: 512,
  layers: [],
  templatePath: '/t.yaml',
  position: { line: 1, column: 1 },
});

describe('runtime families', () => {
  it('maps every runtime to exactly one family', () => {
    assert.equal(familyOf('nodejs22.x')?.name, 'node');
    assert.equal(familyOf('provided.al2023')?.name, 'provided');
    assert.equal(familyOf('java21'), undefined);
    const all = RUNTIME_FAMILIES.flatMap((f) => f.runtimes);
    assert.equal(new Set(all).size, all.length);
  });

  it('node: the managed heap split, the bootstrap, NODE_PATH through layers, the log fd, the debugger wait', async () => {
    const debugged = await launch('nodejs20.x', { optDir: '/opt-x', debug: true });
    assert.ok(!isLaunchFailure(debugged));
    const { args, env, logFd, binDir, command } = debugged;
    assert.equal(command, process.execPath);
    assert.equal(binDir, path.dirname(process.execPath));
    assert.ok(args.includes('--max-old-space-size=900') && args.includes('--max-semi-space-size=50'));
    // No --inspect: the bootstrap opens the inspector, so a pre-started process can be debugged too.
    assert.ok(!args.some((a) => a.startsWith('--inspect')));
    assert.match(args.at(-1)!, /out[\\/]bootstrap[\\/]node\.js$/);
    assert.equal(env.NODE_PATH, ['/opt-x/nodejs/node20/node_modules', '/opt-x/nodejs/node_modules', RUNTIME_SDK, '/code'].join(':'));
    assert.equal(env[LOG_FD_ENV], String(logFd));
    assert.equal(env[WAIT_FOR_DEBUGGER_ENV], '1');
    const plain = (await launch('nodejs20.x', { debug: false })) as ProcessLaunch;
    assert.equal(plain.env[WAIT_FOR_DEBUGGER_ENV], undefined);
    assert.deepEqual(plain.args, args, 'a debugged start takes the same waiting processes as others');
  });

  it("node: reads the inspector's banner and the heap-exhaustion line from stderr", () => {
    const node = familyOf('nodejs22.x')!;
    assert.deepEqual(node.stderrMeaning('Debugger listening on ws://127.0.0.1:9229/abc'), {
      kind: 'debugger-ready',
      url: 'ws://127.0.0.1:9229/abc',
    });
    assert.deepEqual(node.stderrMeaning('Debugger attached.'), { kind: 'noise' });
    assert.deepEqual(node.stderrMeaning('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'), {
      kind: 'out-of-memory',
    });
    assert.deepEqual(node.stderrMeaning('my own line'), { kind: 'log' });
  });

  it("node: warns once when the binary configured for a runtime is not of the runtime's major version", async () => {
    const major = Number(process.versions.node.split('.')[0]);
    const other = major === 18 ? 'nodejs20.x' : 'nodejs18.x';
    const configured = { ...host, binaries: { [`nodejs${major}.x`]: process.execPath, [other]: process.execPath } };
    warnings.length = 0;
    await familyOf(other)!
      .launcher(configured)
      .launch({ fn: fn(`nodejs${major}.x`), debug: false });
    assert.deepEqual(warnings, []);
    const launcher = familyOf(other)!.launcher(configured);
    await launcher.launch({ fn: fn(other), debug: false });
    await launcher.launch({ fn: fn(other), debug: false });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], new RegExp(`runtime ${other.replace('.', '\\.')} runs on local Node ${major}`));
  });

  it("provided: runs the function's bootstrap, else the layers' /opt/bootstrap, else fails init with Lambda's error", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'family-'));
    const code = path.join(dir, 'code');
    const opt = path.join(dir, 'opt');
    fs.mkdirSync(code);
    fs.mkdirSync(opt);
    const missing = await launch('provided.al2023', { codeDir: code, optDir: opt, debug: false });
    assert.ok(isLaunchFailure(missing));
    assert.equal(missing.initError.errorType, 'Runtime.InvalidEntrypoint');
    assert.match(missing.initError.payload.toString(), /Couldn't find valid bootstrap\(s\): \[.*code\/bootstrap .*opt\/bootstrap\]/);
    fs.writeFileSync(path.join(opt, 'bootstrap'), '#!/bin/sh\n');
    assert.equal(
      ((await launch('provided.al2023', { codeDir: code, optDir: opt, debug: false })) as ProcessLaunch).command,
      path.join(opt, 'bootstrap'),
    );
    fs.writeFileSync(path.join(code, 'bootstrap'), '#!/bin/sh\n');
    assert.equal(
      ((await launch('provided.al2023', { codeDir: code, optDir: opt, debug: false })) as ProcessLaunch).command,
      path.join(code, 'bootstrap'),
    );
    assert.equal(familyOf('provided.al2023')!.debugBridge, 'none');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
