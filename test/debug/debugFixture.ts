// The mocha hooks every debug suite needs: a private copy of a fixture project and a fresh
// adapter for each test, stopped afterwards. Call inside `describe`.
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugHarness, copyFixture, ensureAdapterBuilt, removeFixture } from './debugHarness';

export interface DebugFixtureOptions {
  /** A new copy for every test (tests that edit code or leave state behind); default one per suite. */
  copyPerTest?: boolean;
  /** Runs on each fresh copy, before the adapter starts (e.g. building tsc output). */
  prepare?: (dir: string) => void | Promise<void>;
  /**
   * Starts an adapter server of the test's own and returns its port; by default each test spawns
   * the standalone adapter. Runs after `prepare`, before the harness connects.
   */
  serve?: (dir: string) => Promise<number>;
  /** Runs after the harness stopped, before the copy is removed. */
  cleanup?: () => void | Promise<void>;
}

export interface DebugFixture {
  /** The copy's folder: fixed for the whole suite, so paths can be computed at describe time. */
  readonly dir: string;
  readonly template: string;
  /** One harness object for the suite, reconnected to a fresh adapter before each test. */
  readonly h: DebugHarness;
  file(relative: string): string;
}

let copies = 0;

export function useDebugFixture(name: 'js' | 'ts', options: DebugFixtureOptions = {}): DebugFixture {
  const dir = path.join(os.tmpdir(), `lambda-lab-debug-${name}-${process.pid}-${++copies}`);
  const h = new DebugHarness();

  const copy = async () => {
    ensureAdapterBuilt(); // the adapter and the bootstrap it spawns are part of out/
    copyFixture(name, dir);
    await options.prepare?.(dir);
  };
  const remove = () => removeFixture(dir);

  if (!options.copyPerTest) {
    before(copy);
    after(remove);
  }
  beforeEach(async () => {
    if (options.copyPerTest) await copy();
    await h.open(options.serve ? await options.serve(dir) : undefined);
  });
  afterEach(async () => {
    await h.stop();
    await options.cleanup?.();
    if (options.copyPerTest) remove();
  });

  return { dir, template: path.join(dir, 'template.yaml'), h, file: (relative) => path.join(dir, relative) };
}
