// The functions the runtime knows: the models of the loaded templates, and the lookup by name,
// logical id or ARN that every invoke goes through.
import type { FunctionConfig, TemplateModel, UnsupportedFunction } from './functionConfig';

export class FunctionCatalogue {
  /** Template path (absolute) → its model. */
  private readonly templates = new Map<string, TemplateModel>();
  /** Lookup by name on every invoke; rebuilt lazily after templates change. */
  private index: Map<string, FunctionConfig> | undefined;

  /** Takes in a template's model; answers the model it replaces, if it was loaded before. */
  set(templatePath: string, model: TemplateModel): TemplateModel | undefined {
    const previous = this.templates.get(templatePath);
    this.templates.set(templatePath, model);
    this.index = undefined;
    return previous;
  }

  /** Forgets a template; answers its model, if it was loaded. */
  delete(templatePath: string): TemplateModel | undefined {
    const model = this.templates.get(templatePath);
    if (!model) return undefined;
    this.templates.delete(templatePath);
    this.index = undefined;
    return model;
  }

  models(): TemplateModel[] {
    return [...this.templates.values()];
  }

  functions(): FunctionConfig[] {
    return [...this.templates.values()].flatMap((t) => t.functions);
  }

  unsupported(): UnsupportedFunction[] {
    return [...this.templates.values()].flatMap((t) => t.unsupported);
  }

  /** By logical id or FunctionName (also accepts a function ARN, with or without qualifier). */
  get(nameOrId: string): FunctionConfig | undefined {
    const index = (this.index ??= this.indexFunctions());
    const hit = index.get(nameOrId);
    if (hit) return hit;
    const name = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(nameOrId)?.[1];
    return name ? index.get(name) : undefined;
  }

  /** FunctionName and logical id → function; FunctionName wins where the two collide. */
  private indexFunctions(): Map<string, FunctionConfig> {
    const index = new Map<string, FunctionConfig>();
    const all = this.functions();
    for (const f of all) if (!index.has(f.logicalId)) index.set(f.logicalId, f);
    for (const f of all) index.set(f.functionName, f);
    return index;
  }
}
