// `lambda-lab list`: the template's functions as they would run here, those that cannot (with
// the reason, and their runtime and handler when the template gives them), the layers a
// function needs that are not available locally, and every template warning.
import type { FunctionConfig, TemplateModel } from '../runtime/functionConfig';
import { formatRouteTable, routeRows } from '../runtime/http/routeListing';
import { LocalRuntime } from '../runtime/localRuntime';
import { parseLayerArn } from '../runtime/store/arns';
import type { CliCommand } from './cliCommand';
import {
  findTemplate,
  formatDiagnostic,
  parse,
  readLayerArnMap,
  regionOption,
  TEMPLATE_OPTIONS,
  TEMPLATE_OPTIONS_USAGE,
} from './cliOptions';

export const listCommand: CliCommand = {
  name: 'list',
  summary: 'List the functions of a template (and why some cannot run here)',
  usage: `Usage: lambda-lab list [--template FILE] [--json]

  -t, --template FILE        SAM/CloudFormation template (default: template.yaml|yml|json here)
      --json                 One JSON document: functions, unsupported functions, layers, warnings
${TEMPLATE_OPTIONS_USAGE}

Template warnings go to standard error (and into "warnings" with --json).`,
  async run(args, io) {
    const { values } = parse(args, { template: { type: 'string', short: 't' }, json: { type: 'boolean' }, ...TEMPLATE_OPTIONS });
    const region = regionOption(values.region);
    const layers = await readLayerArnMap(io.cwd, values['layer-arn-map']);
    const runtime = new LocalRuntime({ watchCode: false, ...(region ? { region } : {}) });
    try {
      const model = await runtime.loadTemplate(findTemplate(values.template, io.cwd), { withoutLayers: layers.without });
      const missing = new Map(model.functions.map((f) => [f.logicalId, missingLayers(f, model, layers.map, runtime)]));
      for (const d of model.diagnostics) io.stderr.write(formatDiagnostic(d) + '\n');
      if (values.json) {
        const functions = model.functions.map((f) =>
          missing.get(f.logicalId)!.length ? { ...f, missingLayers: missing.get(f.logicalId) } : f,
        );
        io.stdout.write(
          JSON.stringify(
            { functions, unsupported: model.unsupported, layers: model.layers, warnings: model.diagnostics, routes: routeRows(model) },
            null,
            2,
          ) + '\n',
        );
        return 0;
      }
      const rows = [
        ['FUNCTION', 'RUNTIME', 'HANDLER', 'MEMORY', 'TIMEOUT'],
        ...model.functions.map((f) => [f.logicalId, f.runtime, f.handler, `${f.memorySize} MB`, `${f.timeout} s`]),
      ];
      const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
      for (const r of rows)
        io.stdout.write(
          r
            .map((c, i) => c.padEnd(widths[i]))
            .join('  ')
            .trimEnd() + '\n',
        );
      for (const [id, arns] of missing) {
        for (const arn of arns) {
          io.stdout.write(
            `${id}  (needs layer ${arn}, which is not available locally: map it to a folder or zip with ` +
              `--layer-arn-map FILE or the lambdaLab.layerArnMap setting, or map it to null to run without it; until then invokes fail)\n`,
          );
        }
      }
      for (const u of model.unsupported) {
        const what = [u.runtime, u.handler].filter(Boolean).join(' ');
        io.stdout.write(`${u.logicalId}${what ? `  ${what}` : ''}  (cannot run here: ${u.reason})\n`);
      }
      const routes = routeRows(model);
      if (routes.length) io.stdout.write('\n' + formatRouteTable(routes, 'PATH'));
      return 0;
    } finally {
      await runtime.dispose();
    }
  },
};

/**
 * Layer ARNs of a function that nothing local provides: not a layer of the template, not mapped,
 * not a version of a template layer in this account and region.
 */
function missingLayers(fn: FunctionConfig, model: TemplateModel, arnMap: Record<string, string>, runtime: LocalRuntime): string[] {
  const templateLayers = new Set(model.layers.map((l) => l.logicalId));
  const layerNames = new Set(model.layers.map((l) => l.layerName));
  return fn.layers.filter((ref) => {
    if (templateLayers.has(ref) || arnMap[ref] !== undefined) return false;
    const arn = parseLayerArn(ref);
    return !(arn && arn.region === runtime.region && arn.accountId === runtime.accountId && layerNames.has(arn.layerName));
  });
}
