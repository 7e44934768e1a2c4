// Resources the SAM transform adds to a template, which templates refer to without declaring
// them (`!Sub https://${ServerlessRestApi}.execute-api...`, `!GetAtt HelloFunctionRole.Arn`),
// named as SAM's translator names them.
import type { TemplateIndex } from './templateIndex';
import { scalarString, valueOf } from './templateTree';

const SAM_TRANSFORM = /AWS::Serverless-2016-10-31/;

export function samGeneratedResources(index: TemplateIndex): Set<string> {
  const out = new Set<string>();
  const transform = valueOf(index.root, 'Transform');
  if (!transform || !SAM_TRANSFORM.test(index.text.slice(transform.start, transform.end))) return out;
  for (const r of index.resources.values()) {
    if (r.type === 'AWS::Serverless::Function') {
      const props = r.properties;
      if (!valueOf(props, 'Role')) out.add(`${r.id}Role`);
      const alias = scalarString(valueOf(props, 'AutoPublishAlias')) ?? scalarString(valueOf(index.functionGlobals(), 'AutoPublishAlias'));
      if (alias) {
        out.add(`${r.id}Alias${alias}`);
        out.add(`${r.id}.Alias`);
        out.add(`${r.id}.Version`);
      }
      if (valueOf(props, 'FunctionUrlConfig') || valueOf(index.functionGlobals(), 'FunctionUrlConfig')) out.add(`${r.id}Url`);
      const events = valueOf(props, 'Events');
      if (events?.kind !== 'map') continue;
      for (const e of events.entries) {
        const type = scalarString(valueOf(e.value, 'Type'));
        const explicitApi = valueOf(valueOf(e.value, 'Properties'), 'RestApiId') ?? valueOf(valueOf(e.value, 'Properties'), 'ApiId');
        if (type === 'Api' && !explicitApi)
          ['ServerlessRestApi', 'ServerlessRestApiProdStage', 'ServerlessRestApiDeployment'].forEach((id) => out.add(id));
        if (type === 'HttpApi' && !explicitApi)
          ['ServerlessHttpApi', 'ServerlessHttpApiApiGatewayDefaultStage'].forEach((id) => out.add(id));
      }
    } else if (r.type === 'AWS::Serverless::Api') {
      out.add(`${r.id}Stage`);
      out.add(`${r.id}Deployment`);
      out.add(`${r.id}.Stage`);
      out.add(`${r.id}.Deployment`);
    } else if (r.type === 'AWS::Serverless::HttpApi') {
      out.add(`${r.id}ApiGatewayDefaultStage`);
      out.add(`${r.id}.Stage`);
    } else if (r.type === 'AWS::Serverless::StateMachine' && !valueOf(r.properties, 'Role')) {
      out.add(`${r.id}Role`);
    }
  }
  return out;
}
