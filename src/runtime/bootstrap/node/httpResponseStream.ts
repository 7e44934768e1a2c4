// awslambda.HttpResponseStream.from(stream, metadata): for function URLs, a streamed response
// starts with a JSON prelude (statusCode, headers, cookies) and 8 NUL bytes, under the
// content type application/vnd.awslambda.http-integration-response.
import type { ResponseStream } from './responseStream';

const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER_LENGTH = 8;

export class HttpResponseStream {
  static from(stream: ResponseStream, prelude: Record<string, unknown>): ResponseStream {
    stream.setContentType(PRELUDE_CONTENT_TYPE);
    // JSON text never contains a NUL byte, so the delimiter is unambiguous.
    const metadata = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(DELIMITER_LENGTH));
    };
    return stream;
  }
}
