// EventInvokeConfig and dead-letter settings read from templates as SAM translates them, and
// template mistakes reported at the property with what to do.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateError } from '../../src/runtime/template/templateError';
import { loadTemplate } from '../../src/runtime/template/templateLoader';

describe('asynchronous invocation settings in templates', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-lab-async-template-'));
    mkdirSync(join(dir, 'src'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const load = (name: string, body: string) => {
    const file = join(dir, name);
    writeFileSync(
      file,
      `Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Runtime: nodejs20.x\n    CodeUri: src/\n    Handler: app.handler\n${body}`,
    );
    return loadTemplate(file, { stateDir: join(dir, '.lambda-lab') });
  };

  it('reads SAM EventInvokeConfig (Globals merged, on the AutoPublishAlias), AWS::Lambda::EventInvokeConfig and dead-letter targets', async () => {
    const model = await load(
      'ok.yaml',
      `    EventInvokeConfig:
      MaximumEventAgeInSeconds: 120
Parameters:
  Retries:
    Type: Number
    Default: 1
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "\${AWS::StackName}-topic"
  Aliased:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      EventInvokeConfig:
        MaximumRetryAttempts: !Ref Retries
        DestinationConfig:
          OnSuccess:
            Type: SNS
            Destination: !Ref Topic
          OnFailure:
            Type: Lambda
            Destination: !GetAtt Plain.Arn
      DeadLetterQueue:
        Type: SQS
        TargetArn: !GetAtt Queue.Arn
  Plain:
    Type: AWS::Serverless::Function
  Version3Config:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Plain
      Qualifier: "3"
      MaximumRetryAttempts: 0
      DestinationConfig:
        OnFailure:
          Destination: arn:aws:sqs:eu-west-1:111122223333:elsewhere
`,
    );
    const stack = dir
      .split('/')
      .pop()!
      .replace(/[^A-Za-z0-9-]+/g, '-');
    assert.deepEqual(model.asyncInvoke?.eventInvokeConfigs, [
      {
        functionName: 'Aliased',
        qualifier: 'live',
        config: {
          MaximumRetryAttempts: 1,
          MaximumEventAgeInSeconds: 120,
          DestinationConfig: {
            OnSuccess: { Destination: `arn:aws:sns:us-east-1:123456789012:${stack}-topic` },
            OnFailure: { Destination: 'arn:aws:lambda:us-east-1:123456789012:function:Plain' },
          },
        },
      },
      { functionName: 'Plain', qualifier: '$LATEST', config: { MaximumEventAgeInSeconds: 120 } },
      {
        functionName: 'Plain',
        qualifier: '3',
        config: {
          MaximumRetryAttempts: 0,
          DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:eu-west-1:111122223333:elsewhere' } },
        },
      },
    ]);
    assert.deepEqual(model.asyncInvoke?.deadLetterTargets, { Aliased: 'arn:aws:sqs:us-east-1:123456789012:Queue' });
    assert.deepEqual(model.diagnostics, [], 'queue, topic and function references resolve without warnings');
  });

  const failure = async (name: string, body: string) => {
    const error = await load(name, body).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof TemplateError, `expected a TemplateError, got ${String(error)}`);
    return error;
  };

  it('refuses what Lambda and SAM refuse, at the property', async () => {
    const retries = await failure(
      'retries.yaml',
      `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      EventInvokeConfig:
        MaximumRetryAttempts: 5
`,
    );
    assert.equal(retries.resource, 'Fn');
    assert.equal(retries.position.line, 12);
    assert.match(
      retries.message,
      /EventInvokeConfig.MaximumRetryAttempts: 1 validation error detected: Value '5' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2/,
    );

    const type = await failure(
      'type.yaml',
      `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      EventInvokeConfig:
        DestinationConfig:
          OnFailure:
            Type: Kinesis
            Destination: arn:aws:kinesis:us-east-1:123456789012:stream/s
`,
    );
    assert.match(type.message, /Type must be one of SQS, SNS, EventBridge, Lambda, S3Bucket$/);
    assert.equal(type.position.line, 14);

    const bus = await failure(
      'bus.yaml',
      `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      EventInvokeConfig:
        DestinationConfig:
          OnSuccess:
            Type: EventBridge
`,
    );
    assert.match(bus.message, /Destination is required when Type is EventBridge \(SAM only creates SQS queues and SNS topics\)$/);

    const dlq = await failure(
      'dlq.yaml',
      `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      DeadLetterQueue:
        Type: SQS
        TargetArn: arn:aws:lambda:us-east-1:123456789012:function:x
`,
    );
    assert.match(dlq.message, /DeadLetterQueue.TargetArn must be the ARN of an SQS queue or SNS topic$/);

    const qualifier = await failure(
      'qualifier.yaml',
      `Resources:
  Fn:
    Type: AWS::Serverless::Function
  Config:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Fn
`,
    );
    assert.equal(qualifier.resource, 'Config');
    assert.match(qualifier.message, /Qualifier is required: \$LATEST, a version number or an alias name$/);
  });
});
