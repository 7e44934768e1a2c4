// `lambda-lab executions`: a durable function's executions, one's history, and the operations
// people run by hand — send a callback result, heartbeat, stop. An execution `serve` (or the
// extension) drives is reached through the state folder: the callback waits in its inbox and
// that process applies it. One no process drives is driven here until it ends or waits again.
import { LocalRuntime } from '../runtime/localRuntime';
import type { ExecutionRecord } from '../runtime/durable/executionRecord';
import type { FunctionConfig } from '../runtime/functionConfig';
import { UsageError, type CliCommand, type CliIO } from './cliCommand';
import { findTemplate, formatDiagnostic, parse, regionOption, TEMPLATE_OPTIONS } from './cliOptions';

export const executionsCommand: CliCommand = {
  name: 'executions',
  summary: "List a durable function's executions, show one's history, send callbacks, stop one",
  usage: `Usage: lambda-lab executions FUNCTION [options]

Lists the durable executions of FUNCTION (newest first): status, start, duration, name, ARN.

  -t, --template FILE       SAM/CloudFormation template (default: template.yaml|yml|json here)
      --status S            Only executions with status S (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, STOPPED)
      --history ID          Print the history of one execution (its ARN, name or id)
      --stop ID             Stop one execution
      --succeed CALLBACK_ID Send a callback success; the result is --result JSON (default null)
      --result JSON         The callback's result
      --fail CALLBACK_ID    Send a callback failure; --error MESSAGE says why
      --error MESSAGE       The failure's message
      --heartbeat CALLBACK_ID  Send a callback heartbeat
      --time-scale F        Multiply waits and delays of executions driven here (1 real time, 0 none)
      --json                JSON on stdout

Exit status: 0 done, 1 the operation was refused, 2 usage or template error.`,
  async run(args, io) {
    const { values, positionals } = parse(args, {
      template: { type: 'string', short: 't' },
      status: { type: 'string' },
      history: { type: 'string' },
      stop: { type: 'string' },
      succeed: { type: 'string' },
      result: { type: 'string' },
      fail: { type: 'string' },
      error: { type: 'string' },
      heartbeat: { type: 'string' },
      'time-scale': { type: 'string' },
      json: { type: 'boolean' },
      region: TEMPLATE_OPTIONS.region,
    });
    const [name, ...extra] = positionals;
    if (!name) throw new UsageError('Missing FUNCTION: whose durable executions');
    if (extra.length) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}`);
    const actions = ['history', 'stop', 'succeed', 'fail', 'heartbeat'].filter((a) => values[a as 'stop'] !== undefined);
    if (actions.length > 1) throw new UsageError(`Give one of --${actions.join(', --')}`);
    const timeScale = parseTimeScale(values['time-scale'], '--time-scale');
    const region = regionOption(values.region);
    const runtime = new LocalRuntime({ watchCode: false, durableTimeScale: timeScale, ...(region ? { region } : {}) });
    runtime.on('diagnostic', (d) => d.level !== 'info' && io.stderr.write(`lambda-lab: ${d.level}: ${d.message}\n`));
    try {
      const model = await runtime.loadTemplate(findTemplate(values.template, io.cwd));
      for (const d of model.diagnostics) io.stderr.write(formatDiagnostic(d) + '\n');
      const fn = runtime.getFunction(name);
      if (!fn) throw new UsageError(`No function ${name} in ${model.templatePath}`);
      if (!fn.durableConfig) throw new UsageError(`${fn.logicalId} is not a durable function (it has no DurableConfig)`);
      const all = await runtime.durable.list(fn);
      const find = (id: string): ExecutionRecord => {
        const hit = all.find((e) => e.DurableExecutionArn === id || e.DurableExecutionName === id || e.executionId === id);
        if (!hit) throw new UsageError(`No execution ${id} of ${fn.logicalId}; lambda-lab executions ${name} lists them`);
        return hit;
      };
      const out = (value: unknown, text: string) => io.stdout.write((values.json ? JSON.stringify(value) : text) + '\n');
      try {
        if (values.history !== undefined) {
          const events = await runtime.durable.history(find(values.history).DurableExecutionArn);
          if (values.json) out(events, '');
          else
            for (const e of events)
              io.stdout.write(`${new Date(e.EventTimestamp).toISOString()}  ${e.EventType.padEnd(22)} ${e.Name ?? ''}\n`);
          return 0;
        }
        if (values.stop !== undefined) {
          const record = find(values.stop);
          await runtime.durable.stop(record.DurableExecutionArn, { ErrorMessage: 'Stopped from lambda-lab executions --stop' });
          out({ stopped: record.DurableExecutionArn }, `Stopped ${record.DurableExecutionArn}`);
          return 0;
        }
        const callbackId = values.succeed ?? values.fail ?? values.heartbeat;
        if (callbackId !== undefined) {
          const outcome = values.succeed !== undefined ? 'succeed' : values.fail !== undefined ? 'fail' : 'heartbeat';
          if (values.result !== undefined) checkJson(values.result);
          await runtime.durable.callback({
            callbackId,
            outcome,
            result: outcome === 'succeed' ? (values.result ?? 'null') : undefined,
            error:
              outcome === 'fail'
                ? { ErrorType: 'CallbackFailed', ErrorMessage: values.error ?? 'Failed from lambda-lab executions --fail' }
                : undefined,
          });
          const record = await runtime.durable.settle(callbackId);
          out(
            record ? summaryOf(record) : { sent: outcome },
            record
              ? `${record.Status}  ${record.DurableExecutionArn}${record.Result ? `\n${record.Result}` : ''}`
              : `Sent; the process driving the execution applies it.`,
          );
          return 0;
        }
        const statuses = values.status ? [values.status.toUpperCase()] : undefined;
        const rows = all.filter((e) => !statuses || statuses.includes(e.Status));
        if (values.json) out(rows.map(summaryOf), '');
        else if (!rows.length) io.stderr.write(`No durable executions of ${fn.logicalId} yet: lambda-lab invoke ${name}\n`);
        else
          for (const e of rows)
            io.stdout.write(
              `${e.Status.padEnd(9)}  ${new Date(e.StartTimestamp).toISOString()}  ${duration(e).padStart(8)}  ${e.DurableExecutionArn}\n`,
            );
        return 0;
      } catch (err) {
        if (err instanceof UsageError || !(err as { type?: string }).type) throw err;
        io.stderr.write(`lambda-lab executions: ${(err as Error).message}\n`);
        return 1;
      }
    } finally {
      await runtime.dispose();
    }
  },
};

function summaryOf(e: ExecutionRecord) {
  return {
    DurableExecutionArn: e.DurableExecutionArn,
    DurableExecutionName: e.DurableExecutionName,
    Status: e.Status,
    StartTimestamp: new Date(e.StartTimestamp).toISOString(),
    ...(e.EndTimestamp ? { EndTimestamp: new Date(e.EndTimestamp).toISOString() } : {}),
    ...(e.Result !== undefined ? { Result: e.Result } : {}),
    ...(e.Error ? { Error: e.Error } : {}),
  };
}

function duration(e: ExecutionRecord): string {
  const ms = (e.EndTimestamp ?? Date.now()) - e.StartTimestamp;
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;
}

function checkJson(text: string): void {
  try {
    JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--result must be JSON: ${(err as Error).message}`);
  }
}

/**
 * `lambda-lab invoke FN --invocation-type Event` of a durable function: starts the execution,
 * lets it run until it ends or first waits, prints its ARN. What remains runs when `serve` (or
 * the extension) resumes it.
 */
export async function startDurableExecution(
  runtime: LocalRuntime,
  io: CliIO,
  fn: FunctionConfig,
  payload: string,
  qualifier: string | undefined,
): Promise<number> {
  const version = qualifier && qualifier !== '$LATEST' ? qualifier : '$LATEST';
  if (!/^(\$LATEST|\d+)$/.test(version)) throw new UsageError('--qualifier of a durable Event invoke must be $LATEST or a version number');
  const driver = await runtime.durable.start({ fn, version, payload: payload.trim() ? payload : '{}' });
  await driver.whenSettled();
  io.stdout.write(`${driver.record.DurableExecutionArn}\n`);
  if (driver.running)
    io.stderr.write(
      `lambda-lab: the execution is ${driver.record.Status}; lambda-lab serve resumes it (lambda-lab executions ${fn.logicalId} follows it)\n`,
    );
  return 0;
}

/** `--durable-time-scale` / `--time-scale`: a factor ≥ 0 (0: durable functions never wait). */
export function parseTimeScale(value: string | undefined, flag = '--durable-time-scale'): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= 0) || !Number.isFinite(n))
    throw new UsageError(`${flag} must be a number ≥ 0 (1 real time, 0.01 a hundred times faster, 0 no waiting), got "${value}"`);
  return n;
}
