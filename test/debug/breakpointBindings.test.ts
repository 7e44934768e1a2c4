// The per-process binding table against a scripted inspector: shared inspector breakpoints for
// user breakpoints at one place, removal only when the last user goes, refused locations, and
// the entry breakpoint that lets late source maps bind.
import * as assert from 'node:assert/strict';
import { BreakpointBindings } from '../../src/debug/breakpointBindings';
import { BreakpointRegistry } from '../../src/debug/breakpoints';
import { CdpError, type CdpConnection } from '../../src/debug/cdp/cdpConnection';
import type { Debugger } from '../../src/debug/cdp/cdpProtocol';
import { SourceMapCache } from '../../src/debug/sourceMaps';

interface Sent {
  method: string;
  params: Record<string, unknown>;
}

/** An inspector that records commands and answers breakpoint requests with fresh ids. */
function fakeInspector(refuse: (params: Record<string, unknown>) => boolean = () => false) {
  const sent: Sent[] = [];
  let next = 1;
  const cdp = {
    send: async (method: string, params: Record<string, unknown> = {}) => {
      sent.push({ method, params });
      if (method === 'Debugger.setBreakpointByUrl') {
        if (refuse(params)) throw new CdpError(method, -32000, 'Could not resolve breakpoint');
        const id = `bp-${next++}`;
        return { breakpointId: id, locations: [{ scriptId: '7', lineNumber: params.lineNumber as number, columnNumber: 0 }] };
      }
      return {};
    },
  } as unknown as CdpConnection;
  return { cdp, sent, of: (method: string) => sent.filter((s) => s.method === method) };
}

describe('breakpoint bindings', () => {
  const file = '/work/app/src/handler.js';
  let registry: BreakpointRegistry;
  let resolved: Array<[string, Debugger.Location]>;

  beforeEach(() => {
    registry = new BreakpointRegistry();
    resolved = [];
  });

  const bindings = (inspector: ReturnType<typeof fakeInspector>, sourceMaps = false) =>
    new BreakpointBindings(inspector.cdp, { sourceMaps, knownMaps: [] }, registry, new SourceMapCache(), async (id, location) => {
      resolved.push([id, location]);
    });

  it('binds by URL at the 0-based line, shares one inspector breakpoint between users, and removes it with the last', async () => {
    const inspector = fakeInspector();
    const table = bindings(inspector);
    const [plain, conditional] = registry.setForSource(file, [{ line: 5 }, { line: 5 }]).added;
    await table.bind(plain);
    await table.bind(conditional);
    await table.bind(plain); // bound already: nothing sent

    const set = inspector.of('Debugger.setBreakpointByUrl');
    assert.equal(set.length, 1, 'V8 refuses a second breakpoint at one place: the users share it');
    assert.equal(set[0].params.lineNumber, 4);
    assert.ok(new RegExp(set[0].params.urlRegex as string).test('file:///work/app/src/handler.js'));
    assert.deepEqual([...table.usersOf('bp-1')], [plain.id, conditional.id]);
    assert.deepEqual(resolved, [['bp-1', { scriptId: '7', lineNumber: 4, columnNumber: 0 }]]);

    await table.unbind(plain.id);
    assert.equal(inspector.of('Debugger.removeBreakpoint').length, 0, 'still used by the other breakpoint');
    await table.unbind(conditional.id);
    assert.deepEqual(
      inspector.of('Debugger.removeBreakpoint').map((s) => s.params.breakpointId),
      ['bp-1'],
    );
    assert.equal(table.usersOf('bp-1').size, 0);

    registry.setForSource(file, []);
    await table.bind(registry.setForSource(file, [{ line: 5 }]).added[0]);
    assert.equal(inspector.of('Debugger.setBreakpointByUrl').length, 2, 'a removed place is set again');
  });

  it('leaves a location the inspector refuses unbound, without failing', async () => {
    const inspector = fakeInspector((params) => params.lineNumber === 99);
    const table = bindings(inspector);
    const [refused] = registry.setForSource(file, [{ line: 100 }]).added;
    await table.bind(refused);
    assert.equal(table.usersOf('bp-1').size, 0);
    assert.deepEqual(resolved, []);
  });

  it('never binds a breakpoint whose hit condition does not parse', async () => {
    const inspector = fakeInspector();
    const [bad] = registry.setForSource(file, [{ line: 3, hitCondition: 'often' }]).added;
    await bindings(inspector).bind(bad);
    assert.equal(inspector.sent.length, 0);
  });

  it('pauses at user scripts only while a .ts breakpoint waits for a map not known ahead', async () => {
    const inspector = fakeInspector();
    const table = bindings(inspector, true);
    const [ts] = registry.setForSource('/work/app/src/late.ts', [{ line: 2 }]).added;
    await table.bind(ts);
    assert.equal(inspector.of('Debugger.setBreakpointByUrl').length, 0, 'bound only once a script mapping it loads');

    await table.updateEntryBreakpoint();
    const [entry] = inspector.of('Debugger.setBreakpointByUrl');
    assert.equal(entry.params.lineNumber, 0);
    assert.ok(new RegExp(entry.params.urlRegex as string).test('file:///work/app/dist/late.js'));
    assert.ok(!new RegExp(entry.params.urlRegex as string).test('file:///work/app/node_modules/x/index.js'));
    assert.ok(table.isEntryPause(['bp-1']));
    assert.ok(!table.isEntryPause(['bp-2']));

    registry.setForSource('/work/app/src/late.ts', []);
    await table.updateEntryBreakpoint();
    assert.deepEqual(
      inspector.of('Debugger.removeBreakpoint').map((s) => s.params.breakpointId),
      ['bp-1'],
    );
    assert.ok(!table.isEntryPause(['bp-1']));
  });
});
