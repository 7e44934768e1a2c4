// What the editor knows of the resource types Lambda Lab understands: properties (for
// completion), enumerations, and the attributes Fn::GetAtt may ask for (CloudFormation's
// resource reference). Types not listed here are not second-guessed.

export const GETATT_ATTRIBUTES: Record<string, string[]> = {
  'AWS::Serverless::Function': ['Arn'],
  'AWS::Lambda::Function': ['Arn', 'SnapStartResponse.ApplyOn', 'SnapStartResponse.OptimizationStatus'],
  'AWS::Serverless::LayerVersion': ['LayerVersionArn'],
  'AWS::Lambda::LayerVersion': ['LayerVersionArn'],
  'AWS::Lambda::Version': ['FunctionArn', 'Version'],
  'AWS::Lambda::Alias': ['AliasArn'],
  'AWS::Lambda::Url': ['FunctionArn', 'FunctionUrl'],
  'AWS::DynamoDB::Table': ['Arn', 'StreamArn'],
  'AWS::SQS::Queue': ['Arn', 'QueueName', 'QueueUrl'],
  'AWS::SNS::Topic': ['TopicArn', 'TopicName'],
  'AWS::IAM::Role': ['Arn', 'RoleId'],
  'AWS::Logs::LogGroup': ['Arn'],
  'AWS::S3::Bucket': ['Arn', 'DomainName', 'DualStackDomainName', 'RegionalDomainName', 'WebsiteURL'],
};

const FUNCTION_COMMON = [
  'Architectures',
  'CodeSigningConfigArn',
  'DeadLetterQueue',
  'Description',
  'Environment',
  'EphemeralStorage',
  'FileSystemConfigs',
  'FunctionName',
  'Handler',
  'KmsKeyArn',
  'Layers',
  'LoggingConfig',
  'MemorySize',
  'PackageType',
  'RecursiveLoop',
  'ReservedConcurrentExecutions',
  'Role',
  'Runtime',
  'RuntimeManagementConfig',
  'SnapStart',
  'Tags',
  'Timeout',
  'TracingConfig',
  'VpcConfig',
];

export const PROPERTIES: Record<string, string[]> = {
  'AWS::Serverless::Function': [
    ...FUNCTION_COMMON.filter((p) => p !== 'TracingConfig' && p !== 'DeadLetterQueue'),
    'AssumeRolePolicyDocument',
    'AutoPublishAlias',
    'AutoPublishCodeSha256',
    'CodeUri',
    'DeadLetterQueue',
    'DeploymentPreference',
    'EventInvokeConfig',
    'Events',
    'FunctionUrlConfig',
    'ImageConfig',
    'ImageUri',
    'InlineCode',
    'PermissionsBoundary',
    'Policies',
    'PropagateTags',
    'ProvisionedConcurrencyConfig',
    'RolePath',
    'Tracing',
    'VersionDescription',
  ].sort(),
  'AWS::Lambda::Function': [...FUNCTION_COMMON, 'Code', 'ImageConfig'].sort(),
  'AWS::Serverless::LayerVersion': [
    'CompatibleArchitectures',
    'CompatibleRuntimes',
    'ContentUri',
    'Description',
    'LayerName',
    'LicenseInfo',
    'RetentionPolicy',
  ],
  'AWS::Lambda::LayerVersion': ['CompatibleArchitectures', 'CompatibleRuntimes', 'Content', 'Description', 'LayerName', 'LicenseInfo'],
};

/** Resource-level keys (beside Properties). */
export const RESOURCE_ATTRIBUTES = ['Type', 'Properties', 'Condition', 'DependsOn', 'Metadata', 'DeletionPolicy', 'UpdateReplacePolicy'];

/** Values of enumerated properties, by property path below Properties. */
export const ENUMS: Record<string, string[]> = {
  'Architectures.*': ['x86_64', 'arm64'],
  'CompatibleArchitectures.*': ['x86_64', 'arm64'],
  PackageType: ['Zip', 'Image'],
  'LoggingConfig.LogFormat': ['Text', 'JSON'],
  'LoggingConfig.ApplicationLogLevel': ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'],
  'LoggingConfig.SystemLogLevel': ['DEBUG', 'INFO', 'WARN'],
  Tracing: ['Active', 'PassThrough', 'Disabled'],
  'TracingConfig.Mode': ['Active', 'PassThrough'],
  RecursiveLoop: ['Allow', 'Terminate'],
  RetentionPolicy: ['Retain', 'Delete'],
};

export const RESOURCE_TYPES = Object.keys(PROPERTIES);
