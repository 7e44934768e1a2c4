// Versions, aliases and layer versions for the extension's one runtime: one DeploymentStore
// per template state folder (`<template dir>/.lambda-lab`, the same one `lambda-lab serve`
// uses there), each seeing only its own templates. The runtime gets a single qualifier
// resolver and layer materializer that hand each function to its template's store.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import { DeploymentStore } from '../runtime/versions/deploymentStore';
import { subscribe } from './subscribe';

export class Deployments implements vscode.Disposable {
  private readonly stores = new Map<string, Promise<DeploymentStore>>();
  private readonly opened: DeploymentStore[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** A version, alias or layer version was added, changed or removed. */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly runtime: LocalRuntime,
    private readonly log: vscode.LogOutputChannel,
  ) {
    runtime.setQualifierResolver(async (fn, qualifier) => (await this.forFunction(fn)).resolveQualifier(fn, qualifier));
    runtime.setLayerMaterializer(async (fn, version) => (await this.forFunction(fn)).materializeLayers(fn, version));
    this.subscription = subscribe(runtime, 'templateLoaded', (model) => void this.forTemplate(model.templatePath).catch(() => undefined));
  }

  /** The store of a template's state folder, once it has taken in the template loads seen so far. */
  async forTemplate(templatePath: string): Promise<DeploymentStore> {
    const stateDir = this.runtime.stateDirFor(templatePath);
    let store = this.stores.get(stateDir);
    if (!store) {
      store = this.open(stateDir);
      this.stores.set(stateDir, store);
      store.catch((err: Error) => {
        this.stores.delete(stateDir); // tried again on next use
        this.log.error(`Versions and layers in ${stateDir} are unavailable: ${err.message}`);
      });
    }
    const ready = await store;
    await ready.settled();
    return ready;
  }

  forFunction(fn: FunctionConfig): Promise<DeploymentStore> {
    return this.forTemplate(fn.templatePath);
  }

  /** State folders in use, one per store. */
  stateDirs(): string[] {
    return [...new Set(this.runtime.templateModels().map((m) => this.runtime.stateDirFor(m.templatePath)))].sort();
  }

  private async open(stateDir: string): Promise<DeploymentStore> {
    const store = new DeploymentStore(this.runtime, {
      stateDir,
      layerArnMap: layerArnMap(stateDir),
      templates: (templatePath) => this.runtime.stateDirFor(templatePath) === stateDir,
    });
    const fire = () => this.changed.fire();
    store.versions.on('changed', fire);
    store.layers.on('changed', fire);
    await store.attach({ installHooks: false }); // the hooks above route to it
    this.opened.push(store);
    fire();
    return store;
  }

  dispose(): void {
    this.subscription.dispose();
    for (const store of this.opened) {
      store.detach();
      store.versions.removeAllListeners('changed');
      store.layers.removeAllListeners('changed');
    }
    this.runtime.setQualifierResolver(undefined);
    this.runtime.setLayerMaterializer(undefined);
    this.changed.dispose();
  }
}

/** The `lambdaLab.layerArnMap` setting, paths relative to the workspace folder holding `stateDir`. */
function layerArnMap(stateDir: string): Record<string, string> {
  const map = vscode.workspace.getConfiguration('lambdaLab').get<Record<string, string>>('layerArnMap', {});
  const base = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(stateDir))?.uri.fsPath ?? path.dirname(stateDir);
  return Object.fromEntries(Object.entries(map).map(([arn, p]) => [arn, path.resolve(base, p)]));
}
