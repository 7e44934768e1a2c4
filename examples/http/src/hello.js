// Answers through both APIs: payload 2.0 from the HTTP API, 1.0 from the REST API.
exports.handler = async (event) => {
  const name = event.pathParameters?.name ?? event.requestContext.authorizer?.jwt?.claims.sub ?? 'world';
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ hello: name, format: event.version ?? '1.0', route: event.routeKey ?? event.resource }),
  };
};
