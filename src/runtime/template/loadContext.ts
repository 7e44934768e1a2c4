// What reading one resource needs from the template being loaded.
import type { SourcePosition } from '../functionConfig';
import type { IntrinsicResolver } from './intrinsics';
import type { TemplateDocument, TemplateMap } from './templateDocument';

export interface LoadContext {
  doc: TemplateDocument;
  resolver: IntrinsicResolver;
  templateDir: string;
  stateDir: string;
  /** Function globals (already validated). */
  functionGlobals: TemplateMap;
  warn(node: unknown, key: string | number | undefined, resource: string | undefined, message: string): void;
  /** Position of a resource's logical id. */
  resourcePosition(logicalId: string): SourcePosition;
  /** Logical ids of the template's layer resources. */
  isLayer(logicalId: string): boolean;
  /** Layer ARNs left out of every function, by the user's choice. */
  withoutLayers: Set<string>;
}
