// The Versions view's actions: publish a version, create/update/delete an alias (optionally
// splitting traffic with a second version), invoke a version or alias through the same
// Invoker as the Functions view, and compare a published version's files with $LATEST.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FunctionConfig } from '../runtime/functionConfig';
import { listPackageFiles } from '../runtime/store/codePackage';
import type { AliasRecord, PublishedVersion, RoutingConfig } from '../runtime/versions/versionStore';
import type { FunctionResolver } from './commandArguments';
import { registerCommands } from './commandRegistration';
import type { Deployments } from './deployments';
import type { InvokeOutcome, Invoker } from './invoker';
import { readOnlyUri } from './readOnlyFiles';
import { routing, type VersionsNode } from './versionsTree';

/** What an alias command may be given; whatever is missing is asked. */
export interface AliasChoice {
  name?: string;
  functionVersion?: string;
  /** A second version and its share of traffic (0-1); null: no split. */
  split?: { version: string; weight: number } | null;
  description?: string;
}

export interface VersionCommandDeps {
  deployments: Deployments;
  invoker: Invoker;
  /** Resolves a command argument (node, function name, nothing) to a function, asking when needed. */
  functionFrom: FunctionResolver;
}

export function registerVersionCommands({ deployments, invoker, functionFrom }: VersionCommandDeps): vscode.Disposable {
  /** Runs a store operation; Lambda's own errors (bad alias name, conflicting weights) are shown, not thrown. */
  const attempt = async <T>(what: string, fn: FunctionConfig, work: () => Thenable<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (err) {
      void vscode.window.showErrorMessage(
        `Lambda Lab: could not ${what} of ${fn.functionName} (${path.basename(fn.templatePath)}): ${(err as Error).message}`,
      );
      return undefined;
    }
  };

  const publish = async (arg: unknown, description?: string): Promise<PublishedVersion | undefined> => {
    const fn = await functionFrom(arg);
    if (!fn) return undefined;
    const { versions } = await deployments.forFunction(fn);
    const text =
      description ??
      (await vscode.window.showInputBox({
        title: `Publish a version of ${fn.functionName}`,
        prompt: 'Description of the new version (optional). It freezes the current code and configuration.',
        placeHolder: 'e.g. adds the orders endpoint',
      }));
    if (text === undefined) return undefined;
    const before = (await versions.versions(fn)).length;
    const published = await attempt('publish a version', fn, () =>
      vscode.window.withProgress({ location: { viewId: 'lambdaLab.versions' }, title: `Publishing ${fn.functionName}` }, () =>
        versions.publish(fn, { description: text }),
      ),
    );
    if (published && (await versions.versions(fn)).length === before) {
      void vscode.window.showInformationMessage(
        `Lambda Lab: ${fn.functionName} has not changed since version ${published.version}; no new version was published.`,
      );
    }
    return published;
  };

  const createAlias = async (arg: unknown, choice: AliasChoice = {}): Promise<AliasRecord | undefined> => {
    const fn = await functionFrom(arg);
    if (!fn) return undefined;
    const { versions } = await deployments.forFunction(fn);
    const published = await versions.versions(fn);
    if (!published.length) {
      const pick = await vscode.window.showWarningMessage(
        `Lambda Lab: ${fn.functionName} has no published version for an alias to point at.`,
        'Publish Version',
      );
      if (pick) await publish(fn.functionName);
      return undefined;
    }
    const name =
      choice.name ??
      (await vscode.window.showInputBox({
        title: `New alias of ${fn.functionName}`,
        prompt: 'Alias name (letters, digits, - or _)',
        placeHolder: 'live',
        validateInput: (v) => (/^(?!\d+$)[a-zA-Z0-9-_]{1,128}$/.test(v) ? undefined : '1-128 letters, digits, - or _, and not only digits'),
      }));
    if (!name) return undefined;
    // From a version's context menu the alias points at that version.
    const fromVersion = isVersionNode(arg) ? { functionVersion: arg.version.version } : {};
    const target = await askRouting(fn, published, { ...fromVersion, ...choice }, `Alias ${name} of ${fn.functionName}`);
    if (!target) return undefined;
    return attempt(`create the alias ${name}`, fn, () => versions.createAlias(fn, name, { ...target, description: choice.description }));
  };

  const updateAlias = async (node: VersionsNode, choice: AliasChoice = {}): Promise<AliasRecord | undefined> => {
    if (node.kind !== 'alias') return undefined;
    const { fn, alias } = node;
    const { versions } = await deployments.forFunction(fn);
    const target = await askRouting(
      fn,
      await versions.versions(fn),
      choice,
      `Alias ${alias.name} of ${fn.functionName} (now → ${routing(alias)})`,
    );
    if (!target) return undefined;
    // An empty weight map removes a split: updateAlias keeps the current routing when given none.
    return attempt(`update the alias ${alias.name}`, fn, () =>
      versions.updateAlias(fn, alias.name, {
        ...target,
        routingConfig: target.routingConfig ?? { AdditionalVersionWeights: {} },
        description: choice.description,
      }),
    );
  };

  const deleteAlias = async (node: VersionsNode, confirmed = false): Promise<boolean> => {
    if (node.kind !== 'alias') return false;
    const { fn, alias } = node;
    if (!confirmed) {
      const pick = await vscode.window.showWarningMessage(
        `Delete the alias ${alias.name} of ${fn.functionName} (→ ${routing(alias)})?`,
        { modal: true },
        'Delete',
      );
      if (pick !== 'Delete') return false;
    }
    const { versions } = await deployments.forFunction(fn);
    return (await attempt(`delete the alias ${alias.name}`, fn, () => versions.deleteAlias(fn, alias.name).then(() => true))) ?? false;
  };

  const invokeQualified = async (node: VersionsNode): Promise<InvokeOutcome | undefined> => {
    const qualifier = node.kind === 'version' ? node.version.version : node.kind === 'alias' ? node.alias.name : undefined;
    return invoker.invoke(node.fn, { kind: 'default' }, qualifier);
  };

  const compareWithLatest = async (node: VersionsNode, file?: string): Promise<void> => {
    if (node.kind !== 'version') return;
    const { fn, version } = node;
    const relative = file ?? (await pickChangedFile(fn, version));
    if (!relative) return;
    const snapshot = path.join(version.config.codeDir, relative);
    const current = path.join(fn.codeDir, relative);
    await vscode.commands.executeCommand(
      'vscode.diff',
      readOnlyUri(snapshot),
      vscode.Uri.file(current),
      `${relative} (${fn.functionName} version ${version.version}) ↔ $LATEST`,
    );
  };

  return registerCommands({
    'lambdaLab.publishVersion': publish,
    'lambdaLab.createAlias': createAlias,
    'lambdaLab.updateAlias': updateAlias,
    'lambdaLab.deleteAlias': deleteAlias,
    'lambdaLab.invokeVersion': invokeQualified,
    'lambdaLab.compareWithLatest': compareWithLatest,
  });
}

function isVersionNode(arg: unknown): arg is Extract<VersionsNode, { kind: 'version' }> {
  return typeof arg === 'object' && arg !== null && (arg as VersionsNode).kind === 'version';
}

/** Asks (unless given) the version an alias points at and an optional weighted second version. */
async function askRouting(
  fn: FunctionConfig,
  published: PublishedVersion[],
  choice: AliasChoice,
  title: string,
): Promise<{ functionVersion: string; routingConfig?: RoutingConfig } | undefined> {
  const items = [...published]
    .reverse()
    .map((v) => ({ label: v.version, description: v.description, detail: `${v.lastModified} · sha256 ${v.codeSha256.slice(0, 8)}` }));
  const functionVersion = choice.functionVersion ?? (await vscode.window.showQuickPick(items, { title: `${title}: version` }))?.label;
  if (!functionVersion) return undefined;
  let split = choice.split;
  if (split === undefined) {
    const others = items.filter((i) => i.label !== functionVersion);
    const none = { label: `All traffic to version ${functionVersion}`, description: '' };
    const second = others.length
      ? await vscode.window.showQuickPick(
          [none, ...others.map((o) => ({ ...o, label: o.label, description: `split traffic with version ${o.label}` }))],
          {
            title: `${title}: send part of the traffic to a second version?`,
          },
        )
      : none;
    if (!second) return undefined;
    if (second === none) split = null;
    else {
      const share = await vscode.window.showInputBox({
        title: `${title}: share of traffic for version ${second.label}`,
        prompt: `Percent of invokes that run version ${second.label}; the rest run version ${functionVersion}.`,
        value: '10',
        validateInput: (v) =>
          /^\d+(\.\d+)?$/.test(v.trim()) && Number(v) > 0 && Number(v) < 100 ? undefined : 'A number between 0 and 100',
      });
      if (share === undefined) return undefined;
      split = { version: second.label, weight: Number(share) / 100 };
    }
  }
  return {
    functionVersion,
    routingConfig: split ? { AdditionalVersionWeights: { [split.version]: split.weight } } : undefined,
  };
}

/** Files of the snapshot and of $LATEST, changed ones first; resolves the picked path relative to the code folder. */
async function pickChangedFile(fn: FunctionConfig, version: PublishedVersion): Promise<string | undefined> {
  const [then, now] = await Promise.all([listPackageFiles(version.config.codeDir), listPackageFiles(fn.codeDir).catch(() => [])]);
  const before = new Map(then.map((f) => [f.name, f]));
  const after = new Map(now.map((f) => [f.name, f]));
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const state = async (name: string) => {
    const a = before.get(name);
    const b = after.get(name);
    if (!a) return 'added in $LATEST';
    if (!b) return 'removed in $LATEST';
    if (a.size !== b.size) return 'changed';
    const [x, y] = await Promise.all([readFile(a.absPath), readFile(b.absPath)]);
    return x.equals(y) ? '' : 'changed';
  };
  const items = (await Promise.all(names.map(async (name) => ({ label: name, description: await state(name) })))).sort(
    (x, y) => Number(!x.description) - Number(!y.description),
  );
  const pick = await vscode.window.showQuickPick(items, {
    title: `Compare ${fn.functionName} version ${version.version} with $LATEST: pick a file`,
    matchOnDescription: true,
  });
  return pick?.label;
}
