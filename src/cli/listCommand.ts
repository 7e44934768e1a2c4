import { formatRouteTable, routeRows } from '../runtime/http/routeListing';
import { LocalRuntime } from '../runtime/localRuntime';
import type { CliCommand } from './cliCommand';
import { findTemplate, parse } from './cliOptions';

export const listCommand: CliCommand = {
  name: 'list',
  summary: 'List the functions of a template (and why some cannot run here)',
  usage: `Usage: lambda-lab list [--template FILE] [--json]

  -t, --template FILE   SAM/CloudFormation template (default: template.yaml|yml|json here)
      --json            One JSON document with functions, unsupported functions and layers`,
  async run(args, io) {
    const { values } = parse(args, { template: { type: 'string', short: 't' }, json: { type: 'boolean' } });
    const runtime = new LocalRuntime({ watchCode: false });
    try {
      const model = await runtime.loadTemplate(findTemplate(values.template, io.cwd));
      if (values.json) {
        io.stdout.write(JSON.stringify({ functions: model.functions, unsupported: model.unsupported, layers: model.layers, routes: routeRows(model) }, null, 2) + '\n');
        return 0;
      }
      const rows = [
        ['FUNCTION', 'RUNTIME', 'HANDLER', 'MEMORY', 'TIMEOUT'],
        ...model.functions.map((f) => [f.logicalId, f.runtime, f.handler, `${f.memorySize} MB`, `${f.timeout} s`]),
      ];
      const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
      for (const r of rows) io.stdout.write(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n');
      for (const u of model.unsupported) io.stdout.write(`${u.logicalId}  (cannot run here: ${u.reason})\n`);
      const routes = routeRows(model);
      if (routes.length) io.stdout.write('\n' + formatRouteTable(routes, 'PATH'));
      for (const d of model.diagnostics) io.stderr.write(`${d.templatePath}:${d.position.line}:${d.position.column}: ${d.severity}: ${d.message}\n`);
      return 0;
    } finally {
      await runtime.dispose();
    }
  },
};
