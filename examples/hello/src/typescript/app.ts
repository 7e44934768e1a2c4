// TypeScript handler. SAM (and Lambda Lab) bundle it with esbuild as the template's
// Metadata says; source maps let breakpoints and stack traces point at this file.
import { findOrder, type Order } from './orders';

// The few fields of API Gateway's proxy event and response this handler uses
// (the full types live in @types/aws-lambda; the example keeps zero dependencies).
interface ApiGatewayProxyEvent {
  httpMethod: string;
  path: string;
  pathParameters: Record<string, string> | null;
  headers: Record<string, string>;
}

interface ApiGatewayProxyResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  getRemainingTimeInMillis(): number;
}

const json = (statusCode: number, body: unknown): ApiGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

console.log(`init: ${process.env.SERVICE_NAME} TypeScript handler ready`);

export const handler = async (
  event: ApiGatewayProxyEvent,
  context: LambdaContext,
): Promise<ApiGatewayProxyResult> => {
  const id = event.pathParameters?.id;
  console.info(`${event.httpMethod} ${event.path} in ${context.functionName}`);
  if (!id) {
    console.warn('request without an order id');
    return json(400, { message: 'missing path parameter "id"' });
  }
  const order: Order | undefined = findOrder(id);
  if (!order) {
    console.warn(`order ${id} not found`);
    return json(404, { message: `order ${id} not found` });
  }
  return json(200, { ...order, requestId: context.awsRequestId });
};
