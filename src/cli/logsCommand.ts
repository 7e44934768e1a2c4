import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalRuntime } from '../runtime/localRuntime';
import { UsageError, type CliCommand } from './cliCommand';
import { findTemplate, parse } from './cliOptions';

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
    const offsets = new Map<string, number>();
    for (const s of streams) {
      io.stdout.write(`==> ${fn.functionName} ${s.logStreamName} <==\n`);
      for (const e of runtime.logs.readStream(fn.functionName, s.logStreamName)) io.stdout.write(e.message + '\n');
      offsets.set(s.file, fs.statSync(s.file).size);
    }
    if (!values.follow) {
      if (!streams.length) io.stderr.write(`No logs yet for ${fn.functionName}: invoke it first (lambda-lab invoke ${name})\n`);
      await runtime.dispose();
      return 0;
    }
    const dir = streams[0] ? path.dirname(streams[0].file) : path.join(runtime.stateDirFor(fn.templatePath), 'logs', fn.functionName);
    fs.mkdirSync(dir, { recursive: true });
    const printNew = (file: string) => {
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch {
        return;
      }
      const from = offsets.get(file) ?? 0;
      if (size <= from) return;
      const fd = fs.openSync(file, 'r');
      const buf = Buffer.alloc(size - from);
      fs.readSync(fd, buf, 0, buf.length, from);
      fs.closeSync(fd);
      // Only whole lines: a half-written record is read on the next change.
      const text = buf.toString();
      const end = text.lastIndexOf('\n') + 1;
      offsets.set(file, from + Buffer.byteLength(text.slice(0, end)));
      for (const line of text.slice(0, end).split('\n').filter(Boolean)) {
        const event = JSON.parse(line);
        if (typeof event.logStreamName === 'string') io.stdout.write(`==> ${fn.functionName} ${event.logStreamName} <==\n`);
        else io.stdout.write(event.message + '\n');
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
