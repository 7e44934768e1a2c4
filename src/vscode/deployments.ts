// Versions, aliases and layer versions for the extension's one runtime: one DeploymentStore
// per template state folder (`<template dir>/.lambda-lab`, the same one `lambda-lab serve`
// uses there), each seeing only its own templates. The runtime gets a single qualifier
// resolver and layer materializer that hand each function to its template's store.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FunctionConfig, TemplateModel } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import { DeploymentStore } from '../runtime/store/deploymentStore';
import { subscribe } from './subscribe';

type TemplateListener = (model: TemplateModel) => void;

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
    runtime.setQualifierResolver(async (fn, qualifier) => (await this.forFunction(fn)).versions.resolve(fn, qualifier));
    runtime.setLayerMaterializer(async (fn, version) => (await this.forFunction(fn)).materializer.materialize(fn, version));
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
    const scoped = scopedRuntime(this.runtime, (templatePath) => this.runtime.stateDirFor(templatePath) === stateDir);
    const store = new DeploymentStore(scoped, { stateDir, layerArnMap: layerArnMap(stateDir) });
    const fire = () => this.changed.fire();
    store.versions.on('changed', fire);
    store.layers.on('changed', fire);
    await store.attach();
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

/**
 * The runtime as one store should see it: only the templates of its state folder, and without
 * the runtime-wide hooks (Deployments owns those and routes per function).
 * DeploymentStore takes the whole runtime; a scope option there would make this unnecessary.
 */
function scopedRuntime(runtime: LocalRuntime, inScope: (templatePath: string) => boolean): LocalRuntime {
  const wrapped = new Map<TemplateListener, TemplateListener>();
  const scoped: Partial<Record<keyof LocalRuntime, unknown>> = {
    templateModels: () => runtime.templateModels().filter((m) => inScope(m.templatePath)),
    on: (event: 'templateLoaded', listener: TemplateListener) => {
      const only: TemplateListener = (model) => {
        if (inScope(model.templatePath)) listener(model);
      };
      wrapped.set(listener, only);
      runtime.on(event, only);
      return scoped;
    },
    off: (event: 'templateLoaded', listener: TemplateListener) => {
      runtime.off(event, wrapped.get(listener) ?? listener);
      wrapped.delete(listener);
      return scoped;
    },
    setQualifierResolver: () => undefined,
    setLayerMaterializer: () => undefined,
  };
  return new Proxy(runtime, {
    get(target, prop) {
      if (Object.hasOwn(scoped, prop)) return scoped[prop as keyof LocalRuntime];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The `lambdaLab.layerArnMap` setting, paths relative to the workspace folder holding `stateDir`. */
function layerArnMap(stateDir: string): Record<string, string> {
  const map = vscode.workspace.getConfiguration('lambdaLab').get<Record<string, string>>('layerArnMap', {});
  const base = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(stateDir))?.uri.fsPath ?? path.dirname(stateDir);
  return Object.fromEntries(Object.entries(map).map(([arn, p]) => [arn, path.resolve(base, p)]));
}
