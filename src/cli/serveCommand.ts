// `lambda-lab serve`: AWS Lambda's own API on localhost for the SDKs and the AWS CLI.
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { startLambdaApiServer } from '../runtime/api/lambdaApiServer';
import { LocalRuntime } from '../runtime/localRuntime';
import { DeploymentStore } from '../runtime/store/deploymentStore';
import { UsageError, type CliCommand } from './cliCommand';
import { findTemplate, parse, parsePythonBinaries } from './cliOptions';
import { parseOverrides } from './invokeCommand';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: "Serve AWS Lambda's API (Invoke, versions, aliases, layers) for the SDKs and AWS CLI",
  usage: `Usage: lambda-lab serve [options]

Serves the AWS Lambda REST API for the template's functions, as \`sam local start-lambda\`
does, plus versions, aliases, concurrency and layers. Point any AWS SDK or the AWS CLI at it:
  aws lambda invoke --endpoint-url http://127.0.0.1:3001 --function-name NAME out.json
Any credentials are accepted; nothing is sent to AWS. Stop with Ctrl+C.

  -t, --template FILE        SAM/CloudFormation template (default: template.yaml|yml|json here)
  -p, --port N               Port (default 3001; 0 picks a free one)
      --host HOST            Address to bind (default 127.0.0.1)
      --env-vars FILE        SAM --env-vars JSON: {"Fn": {"VAR": "v"}, "Parameters": {...}}
      --parameter-overrides K=V[,K=V]  Template parameter values
      --layer-arn-map FILE   JSON {"<layer version ARN>": "<local folder or zip>"} for layers
                             that are not in the template
      --no-freeze            Do not freeze environments between invokes
      --python RUNTIME=PATH  Python interpreter for a runtime, e.g. --python python3.12=.venv/bin/python
                             (repeatable; default: the project's .venv, else python3 on PATH)
      --quiet                No function logs on stderr`,
  async run(args, io) {
    const { values, positionals } = parse(args, {
      template: { type: 'string', short: 't' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'env-vars': { type: 'string' },
      'parameter-overrides': { type: 'string' },
      'layer-arn-map': { type: 'string' },
      'no-freeze': { type: 'boolean' },
      python: { type: 'string', multiple: true },
      quiet: { type: 'boolean' },
    });
    if (positionals.length) throw new UsageError(`Unexpected arguments: ${positionals.join(' ')}`);
    const port = values.port === undefined ? 3001 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got "${values.port}"`);
    const templatePath = findTemplate(values.template, io.cwd);
    const layerArnMap = values['layer-arn-map'] ? await readLayerArnMap(resolve(io.cwd, values['layer-arn-map'])) : undefined;
    const loadOptions = { envVarsFile: values['env-vars'], parameterOverrides: parseOverrides(values['parameter-overrides']) };

    const runtime = new LocalRuntime({ freeze: !values['no-freeze'], pythonBinaries: parsePythonBinaries(values.python, io.cwd) });
    if (!values.quiet) runtime.on('log', (r) => io.stderr.write(r.message + '\n'));
    runtime.on('diagnostic', (d) => {
      if (d.level !== 'info' || !values.quiet) io.stderr.write(`lambda-lab: ${d.level}: ${d.message}\n`);
    });
    const deployment = new DeploymentStore(runtime, { stateDir: runtime.stateDirFor(templatePath), layerArnMap });
    await deployment.attach();
    let server: Awaited<ReturnType<typeof startLambdaApiServer>> | undefined;
    try {
      const model = await runtime.loadTemplate(templatePath, loadOptions);
      for (const d of model.diagnostics) io.stderr.write(`${d.templatePath}:${d.position.line}:${d.position.column}: ${d.severity}: ${d.message}\n`);
      for (const u of model.unsupported) io.stderr.write(`lambda-lab: ${u.logicalId} cannot run here: ${u.reason}\n`);
      server = await startLambdaApiServer(runtime, { host: values.host, port, deployment });
      await deployment.settled();
      io.stdout.write(`Lambda API listening on ${server.url} (functions: ${model.functions.map((f) => f.functionName).join(', ') || 'none'})\n`);
      const stopWatching = watchTemplate(templatePath, async () => {
        try {
          await runtime.loadTemplate(templatePath, loadOptions);
          io.stderr.write(`lambda-lab: reloaded ${templatePath}\n`);
        } catch (err) {
          io.stderr.write(`lambda-lab: error: ${(err as Error).message}\n`);
        }
      });
      await untilSignalled();
      stopWatching();
      return 0;
    } finally {
      await server?.close();
      deployment.detach();
      await runtime.dispose();
    }
  },
};

async function readLayerArnMap(file: string): Promise<Record<string, string>> {
  let map: unknown;
  try {
    map = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--layer-arn-map ${file}: ${(err as Error).message}`);
  }
  if (!map || typeof map !== 'object' || Array.isArray(map) || Object.values(map).some((v) => typeof v !== 'string')) {
    throw new UsageError(`--layer-arn-map ${file} must be a JSON object {"<layer version ARN>": "<folder or zip path>"}`);
  }
  // Relative paths are relative to the map file, so the file can live in the project.
  return Object.fromEntries(Object.entries(map as Record<string, string>).map(([arn, p]) => [arn, isAbsolute(p) ? p : resolve(dirname(file), p)]));
}

function watchTemplate(templatePath: string, reload: () => Promise<void>): () => void {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(templatePath, () => {
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), 200);
  });
  watcher.unref();
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}

function untilSignalled(): Promise<void> {
  return new Promise((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
