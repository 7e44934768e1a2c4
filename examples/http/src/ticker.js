// A streamed response: `curl -N` the function URL and watch the lines arrive one by one.
exports.handler = awslambda.streamifyResponse(async (_event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: { 'content-type': 'text/plain' } });
  for (let i = 1; i <= 5; i++) {
    stream.write(`tick ${i} at ${new Date().toISOString()}\n`);
    await new Promise((r) => setTimeout(r, 500));
  }
  stream.end('done\n');
});
