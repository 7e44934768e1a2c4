// Whether a YAML or JSON document is a CloudFormation / SAM template, by its content alone:
// a template version, the SAM transform, or Resources whose Types are CloudFormation's. Other
// YAML (workflows, manifests, compose files) has none of these.
const YAML_MARKERS = [
  /^AWSTemplateFormatVersion\s*:/m,
  /^Transform\s*:.*AWS::Serverless/m,
  /^Transform\s*:\s*(#.*)?\n(\s+-\s*)?['"]?AWS::Serverless/m,
];
const JSON_MARKERS = [/"AWSTemplateFormatVersion"\s*:/, /"Transform"\s*:\s*\[?\s*"AWS::Serverless/];
const RESOURCE_TYPE = /^\s+Type\s*:\s*['"]?(AWS|Alexa|Custom)::[A-Za-z0-9]+/m;
const JSON_RESOURCE_TYPE = /"Type"\s*:\s*"(AWS|Alexa|Custom)::[A-Za-z0-9]+/;

export function isTemplateText(text: string): boolean {
  const json = /^\s*\{/.test(text);
  if (json) return JSON_MARKERS.some((m) => m.test(text)) || (/"Resources"\s*:/.test(text) && JSON_RESOURCE_TYPE.test(text));
  return YAML_MARKERS.some((m) => m.test(text)) || (/^Resources\s*:/m.test(text) && RESOURCE_TYPE.test(text));
}
