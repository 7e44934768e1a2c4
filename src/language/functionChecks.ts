// What Lambda would refuse, or Lambda Lab could not run, in each function resource: ranges of
// MemorySize / Timeout / EphemeralStorage / reserved concurrency, reserved variable names,
// more than five layers, the runtime's status, a missing code folder or handler.
import path from 'node:path';
import { RESERVED_VARIABLES } from '../runtime/environment/environmentVariables';
import type { CodeProbe } from './codeProbe';
import type { Finding } from './findings';
import { FunctionProperties } from './functionProperties';
import { handlerLanguageOf } from './handlerSources';
import { runtimeStatus } from './runtimeCatalog';
import type { ResourceInfo, TemplateIndex } from './templateIndex';
import { scalarString, valueOf, type TreeNode } from './templateTree';

/** Lambda's quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
const MAX_LAYERS = 5;
const RANGES: Array<{ path: string[]; min: number; max: number; unit: string }> = [
  { path: ['MemorySize'], min: 128, max: 10240, unit: 'MB' },
  { path: ['Timeout'], min: 1, max: 900, unit: 'seconds' },
  { path: ['EphemeralStorage', 'Size'], min: 512, max: 10240, unit: 'MB' },
];
/** Lambda keeps 100 of the account's concurrency (1,000 by default) unreserved. */
const MAX_RESERVED_CONCURRENCY = 900;

export function functionFindings(
  index: TemplateIndex,
  templateDir: string,
  probe: CodeProbe,
  cache = new FunctionFindingCache(),
  now = new Date(),
): Finding[] {
  const findings: Finding[] = [];
  const at = (node: TreeNode | { start: number; end: number }, severity: Finding['severity'], message: string): void => {
    findings.push({ start: node.start, end: node.end, severity, message });
  };
  const context = contextOf(index, templateDir, probe);
  for (const resource of index.functions()) {
    const node = resource.entry.value!;
    const known = cache.get(node, context);
    if (known) {
      findings.push(...known);
      continue;
    }
    const before = findings.length;
    checkFunction(index, resource, templateDir, probe, now, findings, at);
    cache.set(node, context, findings.slice(before));
  }
  return dedupe(findings);
}

/** What a function's findings depend on besides its own resource. */
function contextOf(index: TemplateIndex, templateDir: string, probe: CodeProbe): string {
  const globals = valueOf(index.root, 'Globals');
  const parameters = valueOf(index.root, 'Parameters');
  const text = (node: TreeNode | undefined): string => (node ? `${node.start}:${index.text.slice(node.start, node.end)}` : '');
  return `${templateDir}\0${probe.generation}\0${text(globals)}\0${text(parameters)}`;
}

/** Findings per function resource tree; those inside the resource move along with it. */
export class FunctionFindingCache {
  private readonly known = new WeakMap<TreeNode, { start: number; end: number; context: string; findings: Finding[] }>();

  get(node: TreeNode, context: string): Finding[] | undefined {
    const entry = this.known.get(node);
    if (!entry || entry.context !== context) return undefined;
    const delta = node.start - entry.start;
    if (delta !== 0) {
      for (const f of entry.findings) {
        if (f.start < entry.start || f.start > entry.end) continue;
        f.start += delta;
        f.end += delta;
      }
      entry.start += delta;
      entry.end += delta;
    }
    return entry.findings;
  }

  set(node: TreeNode, context: string, findings: Finding[]): void {
    this.known.set(node, { start: node.start, end: node.end, context, findings });
  }
}

function checkFunction(
  index: TemplateIndex,
  resource: ResourceInfo,
  templateDir: string,
  probe: CodeProbe,
  now: Date,
  findings: Finding[],
  at: (node: TreeNode | { start: number; end: number }, severity: Finding['severity'], message: string) => void,
): void {
  const props = new FunctionProperties(index, resource);
  const id = resource.id;
  for (const range of RANGES) {
    const written = props.get(range.path[0]);
    const node = range.path.length > 1 ? valueOf(written?.value, range.path[1]) : written?.value;
    const text = scalarString(node);
    if (!node || text === undefined) continue;
    const n = Number(text);
    if (!Number.isInteger(n) || n < range.min || n > range.max) {
      at(
        node,
        'error',
        `${props.owner(written!.fromGlobals)}: ${range.path.join('.')} must be a whole number from ${range.min} to ${range.max} ${range.unit}, not ${text}`,
      );
    }
  }
  const reserved = props.literal('ReservedConcurrentExecutions');
  if (reserved) {
    const n = Number(reserved.value);
    if (!Number.isInteger(n) || n < 0)
      at(reserved.node, 'error', `${props.owner(reserved.fromGlobals)}: ReservedConcurrentExecutions must be a whole number from 0`);
    else if (n > MAX_RESERVED_CONCURRENCY) {
      at(
        reserved.node,
        'warning',
        `${props.owner(reserved.fromGlobals)}: ReservedConcurrentExecutions ${n} is more than Lambda allows with the default account concurrency of 1,000 (at most ${MAX_RESERVED_CONCURRENCY}: 100 stay unreserved)`,
      );
    }
  }
  for (const written of props.all('Environment')) {
    const variables = valueOf(written.value, 'Variables');
    if (variables?.kind !== 'map') continue;
    for (const v of variables.entries) {
      if (RESERVED_VARIABLES.has(v.key)) {
        at(
          { start: v.keyStart, end: v.keyEnd },
          'error',
          `${v.key} is reserved by Lambda and cannot be set in a function's environment; rename it`,
        );
      }
    }
  }
  const layers = props.all('Layers').flatMap((w) => (w.value?.kind === 'seq' ? w.value.items : []));
  if (layers.length > MAX_LAYERS) {
    const own = props.get('Layers');
    if (own?.value) at(own.value, 'error', `${id} uses ${layers.length} layers; a function can use at most ${MAX_LAYERS}`);
  }
  if (props.literal('PackageType')?.value === 'Image') return;
  const runtime = props.literal('Runtime');
  if (runtime) checkRuntime(runtime.value, runtime.node, runtime.fromGlobals ? 'Functions using Globals.Function.Runtime' : id, now, at);
  checkCode(props, templateDir, probe, runtime?.value, findings);
}

function checkRuntime(
  runtime: string,
  node: TreeNode,
  owner: string,
  now: Date,
  at: (node: TreeNode, severity: Finding['severity'], message: string) => void,
): void {
  const status = runtimeStatus(runtime, now);
  if (!status.known) {
    at(node, 'error', `${runtime} is not a Lambda runtime (e.g. nodejs22.x, python3.13, provided.al2023)`);
    return;
  }
  if (status.deprecated) {
    at(
      node,
      'warning',
      `${runtime} was deprecated by AWS on ${status.deprecation}: it gets no security patches and Lambda will block updating functions that use it; move to a supported runtime`,
    );
  } else if (status.deprecatedSoon) {
    at(node, 'information', `${runtime} will be deprecated by AWS on ${status.deprecation}`);
  }
  if (status.localProblem) at(node, 'warning', `${owner} cannot run in Lambda Lab: ${status.localProblem}`);
}

function checkCode(
  props: FunctionProperties,
  templateDir: string,
  probe: CodeProbe,
  runtime: string | undefined,
  findings: Finding[],
): void {
  const id = props.resource.id;
  const property = props.serverless ? 'CodeUri' : 'Code';
  if (props.get(props.serverless ? 'InlineCode' : 'ZipFile') || valueOf(props.get('Code')?.value, 'ZipFile')) return;
  const written = props.serverless ? props.literal('CodeUri') : props.literal('Code');
  if (props.get(property) && !written) return;
  const location = written?.value ?? '.';
  if (location.startsWith('s3://')) return;
  const codeDir = path.resolve(templateDir, location);
  if (!probe.isDirectory(codeDir)) {
    if (written)
      findings.push({
        start: written.node.start,
        end: written.node.end,
        severity: 'error',
        message: `${id}: ${property} folder ${codeDir} does not exist; fix the path or create the folder`,
      });
    return;
  }
  const handler = props.literal('Handler');
  if (!runtime || !handler || !handlerLanguageOf(runtime)) return;
  const target = probe.locateHandler(runtime, codeDir, handler.value, props.esbuild());
  const at = { start: handler.node.start, end: handler.node.end };
  switch (target.kind) {
    case 'malformed':
      findings.push({ ...at, severity: 'error', message: `${id}: ${target.message}` });
      break;
    case 'noFile':
      findings.push({
        ...at,
        severity: 'error',
        message: `${id}: Handler ${handler.value} names a file that is not in ${property} (looked for ${target.tried.map((f) => path.relative(templateDir, f)).join(', ')})`,
      });
      break;
    case 'noExport': {
      const language = handlerLanguageOf(runtime)!;
      findings.push({
        ...at,
        severity: 'error',
        message: `${id}: ${path.relative(templateDir, target.file)} does not export ${target.exportName}${target.known.length ? ` (it exports ${target.known.join(', ')})` : ''}`,
        ...(target.canCreate
          ? {
              fix: {
                kind: 'appendToFile',
                title: `Create ${target.exportName} in ${path.basename(target.file)}`,
                file: target.file,
                text: language.exportStub(target.file, target.exportName),
              },
            }
          : {}),
      });
      break;
    }
    default:
  }
}

/** A problem written once in Globals is found once per function: report it once. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.start}:${f.end}:${f.message.replace(/^\w+: /, '')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
