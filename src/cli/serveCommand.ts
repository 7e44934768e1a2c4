// `lambda-lab serve`: AWS Lambda's own API on localhost for the SDKs and the AWS CLI.
import { watch } from 'node:fs';
import { startLambdaApiServer } from '../runtime/lambdaApi/lambdaApiServer';
import { DEFAULT_FRONT_DOOR_PORT, HttpFrontDoors } from '../runtime/http/frontDoors';
import { formatRouteTable, routeRows } from '../runtime/http/routeListing';
import { LocalRuntime } from '../runtime/localRuntime';
import { DeploymentStore } from '../runtime/versions/deploymentStore';
import { UsageError, type CliCommand } from './cliCommand';
import {
  findTemplate,
  formatDiagnostic,
  parse,
  parsePythonBinaries,
  readLayerArnMap,
  regionOption,
  TEMPLATE_OPTIONS,
  TEMPLATE_OPTIONS_USAGE,
  terminalLine,
} from './cliOptions';
import { parseDelayScale } from './eventInvoke';
import { parseOverrides } from './invokeCommand';
import { parseTimeScale } from './executionsCommand';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: "Serve AWS Lambda's API (Invoke, versions, aliases, layers) for the SDKs and AWS CLI",
  usage: `Usage: lambda-lab serve [options]

Serves the AWS Lambda REST API for the template's functions, as \`sam local start-lambda\`
does, plus versions, aliases, concurrency and layers. Point any AWS SDK or the AWS CLI at it:
  aws lambda invoke --endpoint-url http://127.0.0.1:3001 --function-name NAME out.json
Every API Gateway API (Api/HttpApi events, explicit APIs) and function URL of the template is
served too, each on its own port from --http-port, and printed as a table of routes and URLs.
Lambda API requests must be signed (the SDKs and the AWS CLI always sign); any credentials are
accepted and nothing is sent to AWS. Lambda API requests addressed to another host name or sent
by a web page are refused. Stop with Ctrl+C.

  -t, --template FILE        SAM/CloudFormation template (default: template.yaml|yml|json here)
  -p, --port N               Port (default 3001; 0 picks a free one)
      --http-port N          First port for the template's APIs and function URLs, one port each
                             in template order: APIs, then function URLs (default 3002; 0 = free ports)
      --host HOST            Address to bind (default 127.0.0.1)
      --env-vars FILE        SAM --env-vars JSON: {"Fn": {"VAR": "v"}, "Parameters": {...}}
      --parameter-overrides K=V[,K=V]  Template parameter values
${TEMPLATE_OPTIONS_USAGE}
      --allow-unsigned       Also serve unsigned requests (curl); JSON bodies only:
                             curl -H 'Content-Type: application/json' -d '{}' URL
      --allow-host NAME      Accept requests addressed to NAME too (repeatable), e.g. a proxy
      --account-concurrency N  Account concurrency limit reserved concurrency is carved from
                             (default 1000, as Lambda's)
      --no-freeze            Do not freeze environments between invokes
      --async-retry-delay-scale F  Multiply asynchronous retry delays and event ages by F
                             (default 1, Lambda's timing; 0.001 turns a minute into 60 ms)
      --python RUNTIME=PATH  Python interpreter for a runtime, e.g. --python python3.12=.venv/bin/python
                             (repeatable; default: the project's .venv, else python3 on PATH)
      --durable-time-scale F Multiply what durable functions wait for (waits, retry delays,
                             callback timeouts) by F: 1 real time (default), 0 no waiting
      --quiet                No function logs on stderr`,
  async run(args, io) {
    const { values, positionals } = parse(args, {
      template: { type: 'string', short: 't' },
      port: { type: 'string', short: 'p' },
      'http-port': { type: 'string' },
      host: { type: 'string' },
      'env-vars': { type: 'string' },
      'parameter-overrides': { type: 'string' },
      ...TEMPLATE_OPTIONS,
      'allow-unsigned': { type: 'boolean' },
      'allow-host': { type: 'string', multiple: true },
      'account-concurrency': { type: 'string' },
      'no-freeze': { type: 'boolean' },
      python: { type: 'string', multiple: true },
      quiet: { type: 'boolean' },
      'async-retry-delay-scale': { type: 'string' },
      'durable-time-scale': { type: 'string' },
    });
    if (positionals.length) throw new UsageError(`Unexpected arguments: ${positionals.join(' ')}`);
    const port = values.port === undefined ? 3001 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got "${values.port}"`);
    const accountConcurrency = values['account-concurrency'] === undefined ? undefined : Number(values['account-concurrency']);
    if (accountConcurrency !== undefined && !(Number.isInteger(accountConcurrency) && accountConcurrency >= 100)) {
      throw new UsageError(
        `--account-concurrency must be a whole number of at least 100 (Lambda keeps 100 unreserved), got "${values['account-concurrency']}"`,
      );
    }
    const httpPort = values['http-port'] === undefined ? DEFAULT_FRONT_DOOR_PORT : Number(values['http-port']);
    if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535)
      throw new UsageError(`--http-port must be 0-65535, got "${values['http-port']}"`);
    const templatePath = findTemplate(values.template, io.cwd);
    const layerArnMap = await readLayerArnMap(io.cwd, values['layer-arn-map']);
    const region = regionOption(values.region);
    const loadOptions = {
      envVarsFile: values['env-vars'],
      parameterOverrides: parseOverrides(values['parameter-overrides']),
      withoutLayers: layerArnMap.without,
    };

    const runtime = new LocalRuntime({
      freeze: !values['no-freeze'],
      pythonBinaries: parsePythonBinaries(values.python, io.cwd),
      ...(region ? { region } : {}),
      asyncRetryDelayScale: parseDelayScale(values['async-retry-delay-scale']),
      durableTimeScale: parseTimeScale(values['durable-time-scale']),
    });
    if (!values.quiet) runtime.on('log', (r) => io.stderr.write(terminalLine(r.message)));
    runtime.on('diagnostic', (d) => {
      if (d.level !== 'info' || !values.quiet) io.stderr.write(`lambda-lab: ${d.level}: ${d.message}\n`);
    });
    const deployment = new DeploymentStore(runtime, {
      stateDir: runtime.stateDirFor(templatePath),
      layerArnMap: layerArnMap.map,
      accountConcurrency,
    });
    await deployment.attach();
    let server: Awaited<ReturnType<typeof startLambdaApiServer>> | undefined;
    let doors: HttpFrontDoors | undefined;
    try {
      const model = await runtime.loadTemplate(templatePath, loadOptions);
      for (const d of model.diagnostics) io.stderr.write(formatDiagnostic(d) + '\n');
      for (const u of model.unsupported) io.stderr.write(`lambda-lab: ${u.logicalId} cannot run here: ${u.reason}\n`);
      doors = await HttpFrontDoors.start(runtime, { host: values.host, port: httpPort });
      server = await startLambdaApiServer(runtime, {
        host: values.host,
        port,
        deployment,
        frontDoors: doors,
        allowUnsigned: values['allow-unsigned'],
        allowedHosts: values['allow-host'],
      });
      await deployment.settled();
      const resumed = await runtime.durable.resume();
      if (resumed) io.stderr.write(`lambda-lab: resumed ${resumed} durable execution${resumed > 1 ? 's' : ''}\n`);
      io.stdout.write(
        `Lambda API listening on ${server.url} (functions: ${model.functions.map((f) => f.functionName).join(', ') || 'none'})\n`,
      );
      const rows = routeRows(model, doors);
      if (rows.length) io.stdout.write(formatRouteTable(rows, 'URL'));
      const stopWatching = watchTemplate(templatePath, async () => {
        try {
          const reloaded = await runtime.loadTemplate(templatePath, loadOptions);
          await doors?.settled();
          io.stderr.write(`lambda-lab: reloaded ${templatePath}\n`);
          const changed = doors ? routeRows(reloaded, doors) : [];
          if (changed.length) io.stderr.write(formatRouteTable(changed, 'URL'));
        } catch (err) {
          io.stderr.write(`lambda-lab: error: ${(err as Error).message}\n`);
        }
      });
      await untilSignalled();
      stopWatching();
      return 0;
    } finally {
      await server?.close();
      await doors?.close();
      deployment.detach();
      await runtime.dispose();
    }
  },
};

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
