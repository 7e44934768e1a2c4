// SAM's `Metadata: BuildMethod: esbuild` + `BuildProperties` → EsbuildBuildConfig, with the
// same defaults SAM's esbuild builder uses (bundle for node, cjs, no minify unless asked).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EsbuildBuildConfig } from '../functionConfig';
import { isPlainMap } from './globals';
import { NO_VALUE } from './intrinsics';
import type { LoadContext } from './loadContext';
import type { TemplateMap, TemplateValue } from './templateDocument';

/** Every property SAM's esbuild builder (aws-lambda-builders) takes; UseNpmCi/SkipDeps concern dependency installs. */
const KNOWN = new Set([
  'EntryPoints',
  'Sourcemap',
  'Target',
  'Format',
  'Minify',
  'External',
  'OutExtension',
  'MainFields',
  'Loader',
  'Banner',
  'Footer',
  'SourcesContent',
]);
const INSTALL_ONLY = new Set(['UseNpmCi', 'SkipDeps']);
const LOADERS = new Set(['base64', 'binary', 'copy', 'dataurl', 'default', 'empty', 'file', 'js', 'json', 'jsx', 'text', 'ts', 'tsx']);
const HANDLER_SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs'];

/** The esbuild config of a function, undefined if its Metadata asks for no esbuild build. */
export function readEsbuildMetadata(
  ctx: LoadContext,
  logicalId: string,
  resource: TemplateMap,
  sourceDir: string,
  handler: string,
): EsbuildBuildConfig | undefined {
  const metadata = resource.Metadata;
  if (!isPlainMap(metadata) || metadata.BuildMethod === undefined) return undefined;
  if (metadata.BuildMethod !== 'esbuild') {
    ctx.warn(
      metadata,
      'BuildMethod',
      logicalId,
      `BuildMethod ${String(metadata.BuildMethod)} is not run locally; the code in CodeUri is used as is`,
    );
    return undefined;
  }
  const raw = metadata.BuildProperties ?? {};
  const resolved = ctx.resolver.resolve(raw, logicalId);
  if (!isPlainMap(resolved) || !isPlainMap(raw)) {
    throw ctx.doc.error(
      metadata,
      'BuildProperties',
      logicalId,
      'BuildProperties must be a map (EntryPoints, Sourcemap, Target, Format...)',
    );
  }
  for (const key of Object.keys(resolved)) {
    if (INSTALL_ONLY.has(key)) continue;
    if (!KNOWN.has(key)) {
      ctx.warn(
        raw,
        key,
        logicalId,
        `BuildProperties.${key} is not one of SAM's esbuild properties (${[...KNOWN].join(', ')}); it is ignored`,
      );
    }
  }
  const entryPoints = stringList(ctx, raw, resolved, 'EntryPoints', logicalId) ?? [
    defaultEntryPoint(ctx, metadata, logicalId, sourceDir, handler),
  ];
  const format = resolved.Format === undefined ? undefined : String(resolved.Format).toLowerCase();
  if (format !== undefined && format !== 'esm' && format !== 'cjs') {
    throw ctx.doc.error(raw, 'Format', logicalId, `BuildProperties.Format must be esm or cjs, not ${format}`);
  }
  const outExtension = readOutExtension(ctx, raw, resolved, logicalId);
  if (format === 'esm' && outExtension !== '.mjs') {
    ctx.warn(
      raw,
      'Format',
      logicalId,
      'Format esm emits .js files, which Node loads as CommonJS; add OutExtension: [".js=.mjs"] as AWS documents for ES modules',
    );
  }
  const config: EsbuildBuildConfig = {
    method: 'esbuild',
    sourceDir,
    entryPoints,
    sourcemap: truthy(resolved.Sourcemap),
  };
  if (resolved.Target !== undefined) config.target = String(resolved.Target);
  if (format !== undefined) config.format = format;
  if (resolved.Minify !== undefined) config.minify = truthy(resolved.Minify);
  const external = stringList(ctx, raw, resolved, 'External', logicalId);
  if (external) config.external = external;
  if (outExtension !== undefined) config.outExtension = outExtension;
  const mainFields = stringList(ctx, raw, resolved, 'MainFields', logicalId);
  if (mainFields) config.mainFields = mainFields;
  const loader = readLoader(ctx, raw, resolved, logicalId);
  if (loader) config.loader = loader;
  const banner = readJsText(ctx, raw, resolved, 'Banner', logicalId);
  if (banner !== undefined) config.banner = banner;
  const footer = readJsText(ctx, raw, resolved, 'Footer', logicalId);
  if (footer !== undefined) config.footer = footer;
  if (resolved.SourcesContent !== undefined) config.sourcesContent = truthy(resolved.SourcesContent);
  return config;
}

function truthy(value: TemplateValue | typeof NO_VALUE | undefined): boolean {
  return value === true || value === 'true' || value === 'True';
}

function stringList(ctx: LoadContext, raw: TemplateMap, resolved: TemplateMap, key: string, logicalId: string): string[] | undefined {
  const value = resolved[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw ctx.doc.error(raw, key, logicalId, `BuildProperties.${key} must be a list of strings`);
  }
  return value as string[];
}

/** SAM writes Loader as esbuild flags: `- .png=file`. */
function readLoader(ctx: LoadContext, raw: TemplateMap, resolved: TemplateMap, logicalId: string): Record<string, string> | undefined {
  const entries = stringList(ctx, raw, resolved, 'Loader', logicalId);
  if (!entries) return undefined;
  const loader: Record<string, string> = {};
  for (const entry of entries) {
    const [extension, name] = entry.split('=');
    if (!extension?.startsWith('.') || !name || !LOADERS.has(name)) {
      throw ctx.doc.error(
        raw,
        'Loader',
        logicalId,
        `BuildProperties.Loader entries are .ext=loader with a loader among ${[...LOADERS].join(', ')}; got "${entry}"`,
      );
    }
    loader[extension] = name;
  }
  return loader;
}

/** Banner / Footer: `js=text` as SAM passes them to esbuild (a plain string is taken as the js text). */
function readJsText(ctx: LoadContext, raw: TemplateMap, resolved: TemplateMap, key: string, logicalId: string): string | undefined {
  const value = resolved[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw ctx.doc.error(raw, key, logicalId, `BuildProperties.${key} must be a string such as "js=// text"`);
  return value.startsWith('js=') ? value.slice(3) : value;
}

/** SAM writes OutExtension as esbuild flags: `- .js=.mjs`. */
function readOutExtension(ctx: LoadContext, raw: TemplateMap, resolved: TemplateMap, logicalId: string): string | undefined {
  const entries = stringList(ctx, raw, resolved, 'OutExtension', logicalId);
  if (!entries) return undefined;
  for (const entry of entries) {
    const [from, to] = entry.split('=');
    if (from === '.js' && to) return to;
  }
  throw ctx.doc.error(raw, 'OutExtension', logicalId, 'BuildProperties.OutExtension must map .js, e.g. [".js=.mjs"]');
}

/** Without EntryPoints, build the handler's module (`src/app.handler` → `src/app.ts` or similar). */
function defaultEntryPoint(ctx: LoadContext, metadata: TemplateMap, logicalId: string, sourceDir: string, handler: string): string {
  const modulePath = handler.slice(0, handler.lastIndexOf('.') < 0 ? handler.length : handler.lastIndexOf('.'));
  for (const ext of HANDLER_SOURCE_EXTENSIONS) {
    if (existsSync(join(sourceDir, modulePath + ext))) return modulePath + ext;
  }
  throw ctx.doc.error(
    metadata,
    'BuildProperties',
    logicalId,
    `BuildProperties.EntryPoints is missing and no ${modulePath}.ts/.js exists in ${sourceDir}; list the entry file under EntryPoints`,
  );
}
