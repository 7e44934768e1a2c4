// Lambda's Node.js runtimes (18 and later) search the folders on NODE_PATH when loading ES
// modules too, which node itself never does: that is how `import … from '@aws-sdk/client-s3'`
// finds the runtime's SDK and layers' packages. This mirrors it with a resolve hook: when node's
// own resolution finds no package, each NODE_PATH folder is tried in order, so the function's
// own node_modules still comes first.
import module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface ResolveContext {
  parentURL?: string;
  conditions?: string[];
}
type Resolved = { url: string; format?: string | null; shortCircuit?: boolean };
type NextResolve = (specifier: string, context?: ResolveContext) => Resolved;
type HookedModule = typeof module & {
  registerHooks?: (hooks: { resolve: (specifier: string, context: ResolveContext, next: NextResolve) => Resolved }) => unknown;
};

/** Relative, absolute and URL specifiers (and builtins) never come from NODE_PATH. */
const NOT_A_PACKAGE = /^(\.{0,2}\/|[a-zA-Z][a-zA-Z0-9+.-]*:)/;

let installed: 'hooks' | 'thread' | undefined;

function folders(): string[] {
  return (process.env.NODE_PATH ?? '').split(path.delimiter).filter(Boolean);
}

/** A file URL inside `dir`, from which node's lookup reaches `dir` itself as a node_modules folder. */
const parentIn = (dir: string) => pathToFileURL(path.join(dir, '[lambda-node-path]')).href;

/**
 * Installs the hook in-thread where node has `module.registerHooks` (22.15+, 24): cheap enough
 * for every cold start. `eager` false means: only on node without it, where the hook runs on a
 * loader thread that costs ~25 ms to start, so the caller installs it just before an ES import.
 */
export function installEsmNodePath(eager: boolean): void {
  if (installed) return;
  const dirs = folders();
  if (dirs.length === 0) return;
  const hooked = module as HookedModule;
  if (hooked.registerHooks) {
    hooked.registerHooks({
      resolve(specifier, context, next) {
        try {
          return next(specifier, context);
        } catch (error) {
          if ((error as NodeJS.ErrnoException)?.code !== 'ERR_MODULE_NOT_FOUND' || NOT_A_PACKAGE.test(specifier)) throw error;
          for (const dir of dirs) {
            try {
              return next(specifier, { ...context, parentURL: parentIn(dir) });
            } catch {
              // not in this folder: try the next one
            }
          }
          throw error;
        }
      },
    });
    installed = 'hooks';
    return;
  }
  if (eager || typeof module.register !== 'function') return;
  const source = `
    const dirs = ${JSON.stringify(dirs.map(parentIn))};
    const notAPackage = ${NOT_A_PACKAGE.toString()};
    export async function resolve(specifier, context, next) {
      try {
        return await next(specifier, context);
      } catch (error) {
        if (error?.code !== 'ERR_MODULE_NOT_FOUND' || notAPackage.test(specifier)) throw error;
        for (const parentURL of dirs) {
          try { return await next(specifier, { ...context, parentURL }); } catch {}
        }
        throw error;
      }
    }`;
  module.register(`data:text/javascript,${encodeURIComponent(source)}`);
  installed = 'thread';
}
