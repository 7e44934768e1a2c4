// Finds the handler function named by _HANDLER under LAMBDA_TASK_ROOT the way the managed
// Node runtime does: `[dir/]module.export[.nested]`, the module tried as an extensionless
// file, then .js (CommonJS unless the nearest package.json says "type": "module"), .mjs,
// .cjs, and finally node's own resolution from the task root. Failures become the runtime's
// `Runtime.*` errors, which bootstrap.ts reports as init errors. The 4.x client (nodejs24.x)
// imports every candidate as an ES module instead and looks the handler up in the module
// namespace, then in its `default` (for CommonJS: module.exports itself).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { installEsmNodePath } from './esmNodePath';
import { isTypeModule } from './moduleType';
import type { ClientGeneration } from './runtimeClient';
import { handlerNotFound, importModuleError, malformedHandlerName, userCodeSyntaxError } from './runtimeErrors';

export type UserHandler = (...args: unknown[]) => unknown;

const MODULE_AND_PATH = /^([^.]*)\.(.*)$/;

export async function loadHandler(appRoot: string, fullHandler: string, generation: ClientGeneration = 'classic'): Promise<UserHandler> {
  if (fullHandler.includes('..')) {
    throw malformedHandlerName(
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const moduleAndPath = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(moduleAndPath));
  const match = MODULE_AND_PATH.exec(moduleAndPath);
  if (!match) throw malformedHandlerName('Bad handler');
  const [, moduleName, propertyPath] = match;

  if (generation === 'ric4') {
    const namespace = await loadModule(() => importFirst(appRoot, moduleRoot, moduleName));
    let handler = findIn(propertyPath, namespace);
    if (!handler && typeof namespace === 'object' && namespace !== null && 'default' in namespace) {
      handler = findIn(propertyPath, (namespace as { default: unknown }).default);
    }
    return checked(handler, fullHandler);
  }
  const userModule = await loadModule(() => resolveAndLoad(appRoot, moduleRoot, moduleName));
  const handler = propertyPath
    .split('.')
    .reduce<unknown>((value, key) => (value ? (value as Record<string, unknown>)[key] : undefined), userModule);
  return checked(handler, fullHandler);
}

function checked(handler: unknown, fullHandler: string): UserHandler {
  if (!handler) throw handlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof handler !== 'function') throw handlerNotFound(`${fullHandler} is not a function`);
  return handler as UserHandler;
}

/** 4.x descends only through objects: `a.b` where `a` is a function finds nothing. */
function findIn(propertyPath: string, value: unknown): unknown {
  return propertyPath
    .split('.')
    .reduce<unknown>((nested, key) => (nested && typeof nested === 'object' ? (nested as Record<string, unknown>)[key] : undefined), value);
}

/** 4.x: the module as "", .js, .mjs, .cjs, each through import(); else node's resolution from the task root. */
async function importFirst(appRoot: string, moduleRoot: string, moduleName: string): Promise<unknown> {
  const base = path.resolve(appRoot, moduleRoot, moduleName);
  for (const extension of ['', '.js', '.mjs', '.cjs']) {
    const loaded = await importIfExists(`${base}${extension}`);
    if (loaded) return loaded;
  }
  return require(require.resolve(moduleName, { paths: [appRoot, path.join(appRoot, moduleRoot)] }));
}

async function loadModule(load: () => Promise<unknown>): Promise<unknown> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof SyntaxError) throw userCodeSyntaxError(error);
    if ((error as NodeJS.ErrnoException | undefined)?.code === 'MODULE_NOT_FOUND') throw importModuleError(error);
    throw error;
  }
}

const requireIfExists = (file: string): unknown => (existsSync(file) ? require(file) : undefined);
const importIfExists = async (file: string): Promise<unknown> => {
  if (!existsSync(file)) return undefined;
  installEsmNodePath(false);
  return await import(pathToFileURL(file).href);
};

async function resolveAndLoad(appRoot: string, moduleRoot: string, moduleName: string): Promise<unknown> {
  const base = path.resolve(appRoot, moduleRoot, moduleName);
  const extensionless = requireIfExists(base);
  if (extensionless) return extensionless;

  const typeModule = isTypeModule(path.dirname(base), (manifest, error) =>
    console.warn(`${manifest} cannot be read, it will be ignored for ES module detection purposes.`, error),
  );
  if (!typeModule) {
    const cjs = requireIfExists(`${base}.js`);
    if (cjs) return cjs;
  }
  const loaded =
    (typeModule && (await importIfExists(`${base}.js`))) || (await importIfExists(`${base}.mjs`)) || requireIfExists(`${base}.cjs`);
  if (loaded) return loaded;

  // Not a file next to the task root: let node resolve it (e.g. a package in node_modules).
  return require(require.resolve(moduleName, { paths: [appRoot, path.resolve(appRoot, moduleRoot)] }));
}
