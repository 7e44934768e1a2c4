// Realistic sample events of the common Lambda event sources, shaped as
// `sam local generate-event` and the Lambda developer guide show them.
import { randomUUID } from 'node:crypto';

export interface SampleEvent {
  id: string;
  label: string;
  description: string;
  create(region: string, accountId: string): unknown;
}

const now = () => new Date();
const iso = () =>
  now()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z');
const epochMs = () => now().getTime();
const b64 = (s: string) => Buffer.from(s).toString('base64');

export const SAMPLE_EVENTS: SampleEvent[] = [
  {
    id: 'apigateway-rest',
    label: 'API Gateway REST API (proxy)',
    description: 'apigateway aws-proxy, payload format 1.0',
    create: (region, accountId) => ({
      resource: '/hello',
      path: '/hello',
      httpMethod: 'GET',
      headers: {
        Accept: 'application/json',
        Host: `abc123.execute-api.${region}.amazonaws.com`,
        'User-Agent': 'curl/8.5.0',
        'X-Forwarded-Proto': 'https',
      },
      multiValueHeaders: { Accept: ['application/json'] },
      queryStringParameters: { name: 'Lambda' },
      multiValueQueryStringParameters: { name: ['Lambda'] },
      pathParameters: null,
      stageVariables: null,
      requestContext: {
        accountId,
        apiId: 'abc123',
        resourceId: 'r3s0urc3',
        resourcePath: '/hello',
        httpMethod: 'GET',
        path: '/Prod/hello',
        protocol: 'HTTP/1.1',
        stage: 'Prod',
        requestId: randomUUID(),
        requestTime: now().toUTCString(),
        requestTimeEpoch: epochMs(),
        identity: { sourceIp: '203.0.113.10', userAgent: 'curl/8.5.0' },
      },
      body: null,
      isBase64Encoded: false,
    }),
  },
  {
    id: 'apigateway-http',
    label: 'API Gateway HTTP API',
    description: 'apigateway http-api-proxy, payload format 2.0',
    create: (region, accountId) => ({
      version: '2.0',
      routeKey: 'POST /orders',
      rawPath: '/orders',
      rawQueryString: 'source=web',
      headers: { 'content-type': 'application/json', host: `xyz789.execute-api.${region}.amazonaws.com` },
      queryStringParameters: { source: 'web' },
      requestContext: {
        accountId,
        apiId: 'xyz789',
        domainName: `xyz789.execute-api.${region}.amazonaws.com`,
        domainPrefix: 'xyz789',
        http: { method: 'POST', path: '/orders', protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'curl/8.5.0' },
        requestId: randomUUID(),
        routeKey: 'POST /orders',
        stage: '$default',
        time: now().toUTCString(),
        timeEpoch: epochMs(),
      },
      body: JSON.stringify({ items: [{ sku: 'BOOK-1', price: 12.5, quantity: 2 }] }),
      isBase64Encoded: false,
    }),
  },
  {
    id: 'function-url',
    label: 'Function URL',
    description: 'Lambda function URL request, payload format 2.0',
    create: (region) => ({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/',
      rawQueryString: 'name=Lambda',
      headers: { host: `abcdefghijklmnop.lambda-url.${region}.on.aws`, 'user-agent': 'curl/8.5.0' },
      queryStringParameters: { name: 'Lambda' },
      requestContext: {
        accountId: 'anonymous',
        apiId: 'abcdefghijklmnop',
        domainName: `abcdefghijklmnop.lambda-url.${region}.on.aws`,
        domainPrefix: 'abcdefghijklmnop',
        http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'curl/8.5.0' },
        requestId: randomUUID(),
        routeKey: '$default',
        stage: '$default',
        time: now().toUTCString(),
        timeEpoch: epochMs(),
      },
      isBase64Encoded: false,
    }),
  },
  {
    id: 's3-put',
    label: 'S3 object created',
    description: 's3 put',
    create: (region) => ({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: region,
          eventTime: iso(),
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: 'EXAMPLE' },
          requestParameters: { sourceIPAddress: '203.0.113.10' },
          responseElements: {
            'x-amz-request-id': 'EXAMPLE123456789',
            'x-amz-id-2': 'EXAMPLE123/5678abcdefghijklambdaisawesome/mnopqrstuvwxyzABCDEFGH',
          },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'uploads',
            bucket: { name: 'example-bucket', ownerIdentity: { principalId: 'EXAMPLE' }, arn: 'arn:aws:s3:::example-bucket' },
            object: { key: 'uploads/photo.jpg', size: 1024, eTag: '0123456789abcdef0123456789abcdef', sequencer: '0A1B2C3D4E5F678901' },
          },
        },
      ],
    }),
  },
  {
    id: 'sqs',
    label: 'SQS messages',
    description: 'sqs receive-message',
    create: (region, accountId) => ({
      Records: [
        {
          messageId: randomUUID(),
          receiptHandle: 'MessageReceiptHandle',
          body: JSON.stringify({ orderId: '1001', action: 'ship' }),
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: String(epochMs()),
            SenderId: '123456789012',
            ApproximateFirstReceiveTimestamp: String(epochMs()),
          },
          messageAttributes: {},
          md5OfBody: '7b270e59b47ff90a553787216d55d91d',
          eventSource: 'aws:sqs',
          eventSourceARN: `arn:aws:sqs:${region}:${accountId}:orders`,
          awsRegion: region,
        },
      ],
    }),
  },
  {
    id: 'sns',
    label: 'SNS notification',
    description: 'sns notification',
    create: (region, accountId) => ({
      Records: [
        {
          EventVersion: '1.0',
          EventSubscriptionArn: `arn:aws:sns:${region}:${accountId}:alerts:${randomUUID()}`,
          EventSource: 'aws:sns',
          Sns: {
            SignatureVersion: '1',
            Timestamp: iso(),
            Signature: 'EXAMPLE',
            SigningCertUrl: `https://sns.${region}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem`,
            MessageId: randomUUID(),
            Message: 'Hello from SNS!',
            MessageAttributes: { Severity: { Type: 'String', Value: 'info' } },
            Type: 'Notification',
            UnsubscribeUrl: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe`,
            TopicArn: `arn:aws:sns:${region}:${accountId}:alerts`,
            Subject: 'Test notification',
          },
        },
      ],
    }),
  },
  {
    id: 'eventbridge',
    label: 'EventBridge event',
    description: 'eventbridge (CloudWatch Events) custom event',
    create: (region, accountId) => ({
      version: '0',
      id: randomUUID(),
      'detail-type': 'Order Placed',
      source: 'com.example.orders',
      account: accountId,
      time: iso(),
      region,
      resources: [],
      detail: { orderId: '1001', customer: 'Ada', total: 42.5 },
    }),
  },
  {
    id: 'dynamodb-stream',
    label: 'DynamoDB Streams',
    description: 'dynamodb update',
    create: (region, accountId) => ({
      Records: [
        {
          eventID: '1',
          eventName: 'MODIFY',
          eventVersion: '1.1',
          eventSource: 'aws:dynamodb',
          awsRegion: region,
          dynamodb: {
            ApproximateCreationDateTime: Math.floor(epochMs() / 1000),
            Keys: { Id: { S: '1001' } },
            NewImage: { Id: { S: '1001' }, Status: { S: 'shipped' } },
            OldImage: { Id: { S: '1001' }, Status: { S: 'pending' } },
            SequenceNumber: '222',
            SizeBytes: 59,
            StreamViewType: 'NEW_AND_OLD_IMAGES',
          },
          eventSourceARN: `arn:aws:dynamodb:${region}:${accountId}:table/orders/stream/2024-01-01T00:00:00.000`,
        },
      ],
    }),
  },
  {
    id: 'kinesis',
    label: 'Kinesis records',
    description: 'kinesis get-records',
    create: (region, accountId) => ({
      Records: [
        {
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: '1',
            sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
            data: b64(JSON.stringify({ sensor: 'thermo-1', celsius: 21.5 })),
            approximateArrivalTimestamp: epochMs() / 1000,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: 'shardId-000000000006:49590338271490256608559692538361571095921575989136588898',
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: `arn:aws:iam::${accountId}:role/lambda-kinesis-role`,
          awsRegion: region,
          eventSourceARN: `arn:aws:kinesis:${region}:${accountId}:stream/sensors`,
        },
      ],
    }),
  },
  {
    id: 'schedule',
    label: 'Scheduled event',
    description: 'cloudwatch scheduled-event (EventBridge rule)',
    create: (region, accountId) => ({
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: accountId,
      time: iso(),
      region,
      resources: [`arn:aws:events:${region}:${accountId}:rule/every-5-minutes`],
      detail: {},
    }),
  },
];
