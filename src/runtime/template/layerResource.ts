// AWS::Serverless::LayerVersion / AWS::Lambda::LayerVersion → LayerConfig (GetLayerVersion's shape).
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { LayerConfig } from '../functionConfig';
import { isPlainMap } from './globals';
import type { LoadContext } from './loadContext';
import { parseLayerName } from './resourceNames';
import { ResourceProperties } from './resourceProperties';
import type { TemplateMap } from './templateDocument';

export const SERVERLESS_LAYER = 'AWS::Serverless::LayerVersion';
export const LAMBDA_LAYER = 'AWS::Lambda::LayerVersion';

/** The layer, or undefined (with a warning) when its content is not available locally. */
export function readLayer(ctx: LoadContext, logicalId: string, resource: TemplateMap): LayerConfig | undefined {
  const own = resource.Properties ?? {};
  if (!isPlainMap(own)) throw ctx.doc.error(resource, 'Properties', logicalId, 'Properties must be a map of layer properties');
  const props = new ResourceProperties(ctx, logicalId, own);
  const parsedName = parseLayerName(props.string('LayerName') ?? logicalId);
  if ('problem' in parsedName) throw props.error('LayerName', parsedName.problem);
  const layerName = parsedName.name;
  const serverless = resource.Type === SERVERLESS_LAYER;
  const property = serverless ? 'ContentUri' : 'Content';
  const content = props.value(property);
  if (content === undefined) throw props.error(property, `${property} is missing; point it at the layer's local folder`);
  if (typeof content !== 'string' || content.startsWith('s3://')) {
    ctx.warn(own, property, logicalId, `${property} points at S3; only local layer content can be used, so this layer is skipped`);
    return undefined;
  }
  const contentPath = isAbsolute(content) ? content : resolve(ctx.templateDir, content);
  if (!existsSync(contentPath)) {
    ctx.warn(own, property, logicalId, `${property} ${contentPath} does not exist; this layer is skipped until it does`);
    return undefined;
  }
  if (isPlainMap(resource.Metadata) && resource.Metadata.BuildMethod !== undefined) {
    ctx.warn(
      resource.Metadata,
      'BuildMethod',
      logicalId,
      `BuildMethod ${String(resource.Metadata.BuildMethod)} is not run locally; the layer content is used as is`,
    );
  }
  const layer: LayerConfig = {
    logicalId,
    layerName,
    contentPath,
    compatibleRuntimes: stringList(props, 'CompatibleRuntimes'),
    compatibleArchitectures: stringList(props, 'CompatibleArchitectures'),
    templatePath: ctx.doc.templatePath,
    position: ctx.resourcePosition(logicalId),
  };
  const description = props.string('Description');
  if (description !== undefined) layer.description = description;
  return layer;
}

function stringList(props: ResourceProperties, name: string): string[] {
  const list = props.list(name) ?? [];
  if (list.some((v) => typeof v !== 'string')) throw props.error(name, `${name} must be a list of strings`);
  return list as string[];
}
