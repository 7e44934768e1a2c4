// Node.js functions (nodejs18.x–24.x): our bootstrap (bootstrap/node) on a local node binary,
// with the managed runtime's heap settings, NODE_PATH and a structured log channel.
import * as path from 'node:path';
import { LOG_FD_ENV, WAIT_FOR_DEBUGGER_ENV } from '../../bootstrap/bootstrapProtocol';
import type { FunctionConfig } from '../../functionConfig';
import { locateBootstrap } from '../../bootstrap/bootstrapLocation';
import { NodeProvider, runtimeMajor, type NodeBinary } from './nodeBinaries';
import { NODE_RUNTIMES } from '../../template/supportedRuntimes';
import type { FamilyHost, FamilyLauncher, LaunchRequest, ProcessLaunch, RuntimeFamily, StderrMeaning } from '../runtimeFamily';
import { locateNodeHandler } from './nodeHandlerLocation';

/** The bootstrap's structured log records come on this descriptor (stdout stays the handler's). */
const LOG_FD = 3;

/** The runtime's chatter: the inspector's banners, and our bootstrap leaving when its Runtime API closes (how an environment is ended gracefully). */
const NOISE =
  /^(For help, see: https:\/\/nodejs\.org|Debugger attached\.|Waiting for the debugger to disconnect|Lambda Lab bootstrap: lost the Runtime API)/;

export const nodeFamily: RuntimeFamily = {
  name: 'node',
  runtimes: NODE_RUNTIMES,
  debugBridge: 'cdp',
  sourceLanguages: ['javascript', 'typescript'],
  logCallSites: true,
  prestart: {
    // Options, certificates, the libuv pool: read as node starts. NODE_PATH is read again after the handover.
    skip: /^(NODE_(?!PATH$)\w+|UV_\w+|OPENSSL_\w+|SSL_CERT_\w+)$/,
    // The dynamic loader's, for native addons: the layers' lib folder.
    carry: /^LD_\w+$/,
    // The bootstrap opens the inspector itself when its function is debugged.
    debugged: true,
    // V8's first Debugger.enable in a process costs 11-20 ms; later ones about 2.
    warmsDebugger: true,
  },

  launcher: (host: FamilyHost): FamilyLauncher => {
    const warned = new Set<string>();
    // The exact Node major and the runtime's AWS SDK, provisioned once per runtime instance.
    const provider = new NodeProvider(
      { progress: host.progress, warning: (m, version) => host.diagnostic('warning', m, version) },
      () => host.binaries,
    );
    return {
      async launch({ fn, optDir, debug }: LaunchRequest): Promise<ProcessLaunch> {
        const node = await provider.prepare(fn, optDir);
        warnOnMajorMismatch(fn, node.binary, warned, host);
        return {
          command: node.binary.path,
          args: [...nodeArgs(fn), ...node.flags, locateBootstrap('node')],
          env: familyVariables(fn, optDir, debug, node.runtimeSdkDir),
          binDir: path.dirname(node.binary.path),
          logFd: LOG_FD,
          localRuntimeApi: true,
        };
      },
    };
  },

  stderrMeaning(line: string): StderrMeaning {
    const listening = /^Debugger listening on (ws:\/\/\S+)/.exec(line);
    if (listening) return { kind: 'debugger-ready', url: listening[1] };
    if (NOISE.test(line)) return { kind: 'noise' };
    if (/JavaScript heap out of memory/.test(line)) return { kind: 'out-of-memory' };
    return { kind: 'log' };
  },

  locateHandler: locateNodeHandler,
};

/** The managed runtime's node flags for this function. */
function nodeArgs(fn: FunctionConfig): string[] {
  // The managed runtime's heap settings: a tenth of memory for the new space, the rest old space.
  const newSpace = Math.floor(fn.memorySize / 10);
  const args = [
    '--expose-gc',
    '--max-http-header-size=81920',
    `--max-semi-space-size=${Math.max(1, Math.floor(newSpace / 2))}`,
    `--max-old-space-size=${fn.memorySize - newSpace}`,
    // Not a managed-runtime flag (a documented local difference): one V8 background worker
    // instead of four. SIGSTOP/SIGCONT must stop and wake every thread of the process, so
    // a freeze/thaw pair costs in proportion to them (7 threads: ~110 us per pair, 4: ~60).
    // Only GC/compilation parallelism changes; handler code cannot observe it.
    '--v8-pool-size=1',
  ];
  return args;
}

/**
 * NODE_PATH as Lambda's (layers' /opt/nodejs/nodeNN/node_modules for the major that runs, then
 * the runtime's SDK where /var/runtime/node_modules sits, then the task root), the log fd, the
 * debugger wait.
 */
function familyVariables(fn: FunctionConfig, optDir: string | undefined, debug: boolean, runtimeSdkDir: string): Record<string, string> {
  const major = runtimeMajor(fn.runtime) ?? Number(/^v(\d+)/.exec(process.version)?.[1]);
  const nodePath = [
    optDir && path.join(optDir, 'nodejs', `node${major}`, 'node_modules'),
    optDir && path.join(optDir, 'nodejs', 'node_modules'),
    runtimeSdkDir,
    fn.codeDir,
  ].filter(Boolean);
  const env: Record<string, string> = { NODE_PATH: nodePath.join(':'), [LOG_FD_ENV]: String(LOG_FD) };
  if (debug) env[WAIT_FOR_DEBUGGER_ENV] = '1';
  return env;
}

/**
 * Said once per runtime and binary: the function runs on a configured node of another major
 * version (when no binary is configured, NodeProvider says why it could not provision one).
 */
function warnOnMajorMismatch(fn: FunctionConfig, node: NodeBinary, warned: Set<string>, host: FamilyHost) {
  const wanted = runtimeMajor(fn.runtime);
  const key = `${fn.runtime}:${node.path}`;
  if (!host.binaries[fn.runtime] || !wanted || !node.major || wanted === node.major || warned.has(key)) return;
  warned.add(key);
  host.diagnostic(
    'warning',
    `${fn.logicalId}: runtime ${fn.runtime} runs on local Node ${node.major} (${node.path}); ` +
      `set a Node ${wanted} binary for ${fn.runtime} (lambdaLab.nodeBinaries / --node ${fn.runtime}=PATH) for full fidelity.`,
    { runtime: fn.runtime, state: 'mismatch' },
  );
}
