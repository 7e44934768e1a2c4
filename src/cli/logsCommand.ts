import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalRuntime } from '../runtime/localRuntime';
import { UsageError, type CliCommand } from './cliCommand';
import { findTemplate, parse, terminalLine } from './cliOptions';

/** Read at a time when following (doubled for a line longer than that). */
const FOLLOW_CHUNK_BYTES = 4 * 1024 * 1024;

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

export const logsCommand: CliCommand = {
  name: 'logs',
  summary: "Print a function's persisted log streams (newest last); --follow for new lines",
  usage: `Usage: lambda-lab logs FUNCTION [--template FILE] [--follow] [--streams N]

  -t, --template FILE   SAM/CloudFormation template (default: template.yaml|yml|json here)
  -f, --follow          Keep printing new log events as they are written (Ctrl-C stops)
      --streams N       Only the newest N streams (default: all kept)`,
  async run(args, io) {
    const { values, positionals } = parse(args, {
      template: { type: 'string', short: 't' },
      follow: { type: 'boolean', short: 'f' },
      streams: { type: 'string' },
    });
    const [name] = positionals;
    if (!name) throw new UsageError('Missing FUNCTION: whose logs to print');
    const runtime = new LocalRuntime({ watchCode: false });
    const model = await runtime.loadTemplate(findTemplate(values.template, io.cwd));
    const fn = runtime.getFunction(name);
    if (!fn) throw new UsageError(`No function ${name} in ${model.templatePath}`);
    const limit = values.streams ? Number(values.streams) : Infinity;
    const streams = runtime.logs.listStreams(fn.functionName).slice(-limit);
    // Streams may be larger than memory: events are read as they are printed, at the pace stdout takes them.
    const print = async (text: string) => {
      if (!io.stdout.write(text)) await once(io.stdout as unknown as NodeJS.EventEmitter, 'drain');
    };
    const offsets = new Map<string, number>();
    for (const s of streams) {
      const size = fs.statSync(s.file).size;
      await print(`==> ${fn.functionName} ${s.logStreamName} <==\n`);
      for (const e of runtime.logs.readStream(fn.functionName, s.logStreamName)) await print(terminalLine(e.message));
      offsets.set(s.file, size);
    }
    if (!values.follow) {
      if (!streams.length) io.stderr.write(`No logs yet for ${fn.functionName}: invoke it first (lambda-lab invoke ${name})\n`);
      await runtime.dispose();
      return 0;
    }
    const dir = streams[0] ? path.dirname(streams[0].file) : path.join(runtime.stateDirFor(fn.templatePath), 'logs', fn.functionName);
    fs.mkdirSync(dir, { recursive: true });
    /** Prints the whole lines appended to `file` since last time, one bounded chunk at a time. */
    const printNew = (file: string) => {
      let fd: number;
      try {
        fd = fs.openSync(file, 'r');
      } catch {
        return;
      }
      try {
        let chunk = Buffer.alloc(FOLLOW_CHUNK_BYTES);
        for (;;) {
          const from = offsets.get(file) ?? 0;
          const n = fs.readSync(fd, chunk, 0, chunk.length, from);
          // Only whole lines: a half-written record is read on the next change.
          const end = chunk.subarray(0, n).lastIndexOf(10) + 1;
          if (end === 0 && n === chunk.length) {
            chunk = Buffer.alloc(chunk.length * 2); // one line longer than the chunk
            continue;
          }
          if (end === 0) return;
          offsets.set(file, from + end);
          for (const line of chunk.toString('utf8', 0, end).split('\n').filter(Boolean)) {
            const event = parseLine(line);
            if (typeof event?.logStreamName === 'string') io.stdout.write(`==> ${fn.functionName} ${event.logStreamName} <==\n`);
            else if (typeof event?.message === 'string') io.stdout.write(terminalLine(event.message));
          }
        }
      } finally {
        fs.closeSync(fd);
      }
    };
    const watcher = fs.watch(dir, (_e, f) => f && f.toString().endsWith('.jsonl') && printNew(path.join(dir, f.toString())));
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    watcher.close();
    await runtime.dispose();
    return 0;
  },
};
