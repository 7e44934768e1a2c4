import { LambdaServiceError } from '../runtime/errors/serviceErrors';
import { LocalRuntime } from '../runtime/localRuntime';
import type { InvokeResult } from '../runtime/runtimeEvents';
import { DeploymentStore } from '../runtime/versions/deploymentStore';
import { UsageError, type CliCommand } from './cliCommand';
import {
  findTemplate,
  formatDiagnostic,
  parse,
  parsePythonBinaries,
  readEvent,
  readLayerArnMap,
  regionOption,
  TEMPLATE_OPTIONS,
  TEMPLATE_OPTIONS_USAGE,
  terminalLine,
} from './cliOptions';
import { invokeAsynchronously, parseDelayScale } from './eventInvoke';
import { parseTimeScale, startDurableExecution } from './executionsCommand';

export const invokeCommand: CliCommand = {
  name: 'invoke',
  summary: 'Invoke a function locally (responses on stdout, logs on stderr)',
  usage: `Usage: lambda-lab invoke FUNCTION [options]

FUNCTION is the template's logical id or the function's FunctionName.

  -t, --template FILE     SAM/CloudFormation template (default: template.yaml|yml|json here)
  -e, --event FILE        Event JSON file; "-" reads standard input
      --payload JSON      Event given inline
  -q, --qualifier Q       Version or alias (default $LATEST)
  -n, --count N           Invoke N times (default 1); all N run, errors included
  -c, --concurrency N     Spread the invocations over N parallel callers (default 1)
      --env-vars FILE     SAM --env-vars JSON: {"Fn": {"VAR": "v"}, "Parameters": {...}}
      --parameter-overrides K=V[,K=V]  Template parameter values
      --no-freeze         Do not freeze environments between invokes
      --node RUNTIME=PATH Node binary for a runtime, e.g. --node nodejs22.x=/opt/node22/bin/node
                          (repeatable; default: the node running lambda-lab)
      --python RUNTIME=PATH Python interpreter for a runtime, e.g. --python python3.12=.venv/bin/python
                          (repeatable; default: the project's .venv, else python3 on PATH)
      --json              One JSON object per invocation on stdout:
                          {requestId, payload, functionError?, cold, environmentId, durationMs,
                           billedDurationMs, initDurationMs?, maxMemoryUsedMB, warnings?};
                          for a durable function {requestId, payload, functionError?,
                           durableExecutionArn, durationMs (the execution's), warnings?}
      --quiet             No logs on stderr
      --invocation-type T RequestResponse (default) or Event: Event goes through the
                          asynchronous queue (retries, destinations, dead-letter queue) and
                          prints each attempt on stderr and each outcome on stdout
      --async-retry-delay-scale F  Multiply asynchronous retry delays and event ages by F
                          (default 1, Lambda's timing; 0.001 turns a minute into 60 ms)
      --durable-time-scale F  Multiply what durable functions wait for (waits, retry delays,
                          callback timeouts) by F: 1 real time (default), 0 no waiting
${TEMPLATE_OPTIONS_USAGE}

Exit status: 0 all succeeded, 1 a function error or throttle, 2 usage or template error.`,
  async run(args, io) {
    const { values, positionals } = parse(args, {
      template: { type: 'string', short: 't' },
      event: { type: 'string', short: 'e' },
      payload: { type: 'string' },
      qualifier: { type: 'string', short: 'q' },
      count: { type: 'string', short: 'n' },
      concurrency: { type: 'string', short: 'c' },
      'env-vars': { type: 'string' },
      'parameter-overrides': { type: 'string' },
      'no-freeze': { type: 'boolean' },
      node: { type: 'string', multiple: true },
      python: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
      ...TEMPLATE_OPTIONS,
      'invocation-type': { type: 'string' },
      'async-retry-delay-scale': { type: 'string' },
      'durable-time-scale': { type: 'string' },
    });
    const region = regionOption(values.region);
    const layerArnMap = await readLayerArnMap(io.cwd, values['layer-arn-map']);
    const invocationType = values['invocation-type'] ?? 'RequestResponse';
    if (invocationType !== 'RequestResponse' && invocationType !== 'Event') {
      throw new UsageError(`--invocation-type must be RequestResponse or Event, got "${invocationType}"`);
    }
    const [functionName, ...extra] = positionals;
    if (!functionName) throw new UsageError('Missing FUNCTION: which function to invoke');
    if (extra.length) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}`);
    const count = positiveInt(values.count, '--count', 1);
    const concurrency = Math.min(count, positiveInt(values.concurrency, '--concurrency', 1));
    const payload = await readEvent(io, values.event, values.payload);
    // A reader that went away (`lambda-lab invoke … | head -1`) ends the command quietly, as
    // Unix tools end: no more invocations, no more output, no stack trace.
    let readerGone = false;
    io.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
      readerGone = true;
    });
    const print = (line: string) => {
      if (!readerGone) io.stdout.write(line + '\n');
    };
    const runtime = new LocalRuntime({
      freeze: !values['no-freeze'],
      watchCode: false,
      concurrencyCap: Math.max(10, concurrency),
      nodeBinaries: parseNodeBinaries(values.node),
      pythonBinaries: parsePythonBinaries(values.python, io.cwd),
      ...(region ? { region } : {}),
      asyncRetryDelayScale: parseDelayScale(values['async-retry-delay-scale']),
      durableTimeScale: parseTimeScale(values['durable-time-scale']),
    });
    if (!values.quiet) runtime.on('log', (r) => io.stderr.write(terminalLine(r.message)));
    // Template and runtime warnings so far, also carried by each --json object.
    const warnings: Array<{ severity: string; message: string }> = [];
    runtime.on('diagnostic', (d) => {
      if (d.level === 'warning') warnings.push({ severity: 'warning', message: d.message });
      if (d.level !== 'info' || d.progress) io.stderr.write(`lambda-lab: ${d.progress ? '' : `${d.level}: `}${d.message}\n`);
    });
    const templatePath = findTemplate(values.template, io.cwd);
    // Versions, aliases and layers live in the deployment store, shared with `serve`.
    const deployment = new DeploymentStore(runtime, { stateDir: runtime.stateDirFor(templatePath), layerArnMap: layerArnMap.map });
    await deployment.attach();
    try {
      const model = await runtime.loadTemplate(templatePath, {
        envVarsFile: values['env-vars'],
        parameterOverrides: parseOverrides(values['parameter-overrides']),
        withoutLayers: layerArnMap.without,
      });
      for (const d of model.diagnostics) io.stderr.write(formatDiagnostic(d) + '\n');
      warnings.unshift(...model.diagnostics);
      await deployment.settled();
      const fn = runtime.getFunction(functionName);
      const unsupported = model.unsupported.find((u) => u.logicalId === functionName || u.functionName === functionName);
      if (!fn && !unsupported) {
        throw new UsageError(
          `No function ${functionName} in ${model.templatePath}. Functions: ${model.functions.map((f) => f.logicalId).join(', ') || 'none'}`,
        );
      }
      if (invocationType === 'Event' && fn?.durableConfig) return await startDurableExecution(runtime, io, fn, payload, values.qualifier);
      if (invocationType === 'Event' && fn) {
        const stateDir = runtime.stateDirFor(templatePath);
        return await invokeAsynchronously(runtime, io, {
          functionName,
          payload,
          qualifier: values.qualifier,
          count,
          stateDir,
          json: !!values.json,
        });
      }
      const results: InvokeResult[] = [];
      let failed = false;
      let next = 0;
      const caller = async () => {
        while (next < count && !readerGone) {
          next++;
          try {
            const result = await runtime.invoke(functionName, payload, {
              qualifier: values.qualifier,
              onDurableExecution: (arn) => !values.quiet && io.stderr.write(`lambda-lab: durable execution ${arn}\n`),
            });
            results.push(result);
            if (result.functionError) failed = true;
            print(values.json ? JSON.stringify(jsonOf(result, warnings)) : result.payload.toString());
          } catch (err) {
            if (!(err instanceof LambdaServiceError)) throw err;
            failed = true;
            const line = values.json ? JSON.stringify({ error: err.type, message: err.message }) : `${err.type}: ${err.message}`;
            if (values.json) print(line);
            else io.stderr.write(line + '\n');
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, caller));
      if (count > 1 && !values.quiet) io.stderr.write(summary(functionName, results, count) + '\n');
      return failed ? 1 : 0;
    } finally {
      deployment.detach();
      await runtime.dispose();
    }
  },
};

function jsonOf(r: InvokeResult, warnings: unknown[]) {
  const text = r.payload.toString();
  let payload: unknown = text;
  try {
    payload = JSON.parse(text);
  } catch {
    // not JSON (a streamed body, a plain string): keep the text
  }
  const answer = { requestId: r.requestId, payload, ...(r.functionError ? { functionError: r.functionError } : {}) };
  // No one environment ran a durable execution: it has no cold start, billing or memory of its own.
  if (r.durableExecutionArn) {
    return {
      ...answer,
      durableExecutionArn: r.durableExecutionArn,
      durationMs: round(r.durationMs),
      ...(warnings.length ? { warnings } : {}),
    };
  }
  return {
    ...answer,
    cold: r.cold,
    environmentId: r.environmentId,
    durationMs: round(r.durationMs),
    billedDurationMs: r.billedDurationMs,
    ...(r.initDurationMs !== undefined ? { initDurationMs: round(r.initDurationMs) } : {}),
    maxMemoryUsedMB: r.maxMemoryUsedMB,
    ...(warnings.length ? { warnings } : {}),
  };
}

function summary(fn: string, results: InvokeResult[], count: number): string {
  const cold = results.filter((r) => r.cold);
  const warm = results
    .filter((r) => !r.cold)
    .map((r) => r.durationMs)
    .sort((a, b) => a - b);
  const errors = results.filter((r) => r.functionError).length;
  const parts = [`${results.length}/${count} invocations of ${fn} answered`];
  if (cold.length) {
    const init = cold.map((r) => r.initDurationMs ?? 0).sort((a, b) => a - b)[Math.floor(cold.length / 2)];
    parts.push(`${cold.length} cold (init ${round(init)} ms)`);
  }
  if (warm.length) parts.push(`${warm.length} warm (median ${round(warm[Math.floor(warm.length / 2)])} ms)`);
  if (errors) parts.push(`${errors} function error${errors > 1 ? 's' : ''}`);
  return parts.join(', ');
}

const round = (n: number) => Math.round(n * 100) / 100;

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive whole number, got "${value}"`);
  return n;
}

function parseNodeBinaries(specs: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs ?? []) {
    const m = /^(nodejs\d+\.x)=(.+)$/.exec(spec);
    if (!m) throw new UsageError(`--node: expected RUNTIME=PATH such as nodejs22.x=/usr/local/bin/node22, got "${spec}"`);
    out[m[1]] = m[2];
  }
  return out;
}

export function parseOverrides(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const out: Record<string, string> = {};
  for (const pair of text.split(/[,\s]+/).filter(Boolean)) {
    const m = /^(?:ParameterKey=)?([^=,]+)(?:,ParameterValue)?=(.*)$/.exec(pair);
    if (!m) throw new UsageError(`--parameter-overrides: expected KEY=VALUE, got "${pair}"`);
    out[m[1]] = m[2];
  }
  return out;
}
