// CommonJS handler, as `sam init` generates it (trimmed): API Gateway proxy event in,
// proxy response out.
const greeting = process.env.GREETING || 'Hello';
let invocations = 0; // module state survives warm invokes of one environment

console.log('init: hello module loaded, stage=%s', process.env.STAGE);

exports.handler = async (event, context) => {
  invocations += 1;
  const name = event.queryStringParameters?.name ?? 'world';
  console.info('GET %s for %s (invocation %d in this environment)', event.path, name, invocations);
  if (!event.queryStringParameters?.name) {
    console.warn('no ?name= query parameter, greeting the world');
  }
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      message: `${greeting}, ${name}!`,
      stage: process.env.STAGE,
      requestId: context.awsRequestId,
      invocations,
      remainingMs: context.getRemainingTimeInMillis(),
    }),
  };
};
