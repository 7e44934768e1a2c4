// A process's output cut into log records as Lambda cuts it: at '\n' only. Runtimes turn the
// newlines inside one message into '\r' so that it stays one record (aws-lambda-ric, the
// Python client), which a line reader that also ends lines at '\r' would split.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** A line longer than this (CloudWatch's event limit) is passed on in pieces, never held whole. */
export const MAX_LINE_CHARS = 256 * 1024;

export function splitLines(stream: Readable, onLine: (line: string) => void): void {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const emit = (line: string) => {
    for (let at = 0; at < line.length; at += MAX_LINE_CHARS) onLine(line.slice(at, at + MAX_LINE_CHARS));
    if (!line) onLine(line);
  };
  stream.on('data', (chunk: Buffer) => {
    const text = rest + decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      emit(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
    // Never held whole: what is past the limit goes on now, the rest waits for its newline.
    const whole = rest.length - (rest.length % MAX_LINE_CHARS || MAX_LINE_CHARS);
    if (whole > 0) {
      emit(rest.slice(0, whole));
      rest = rest.slice(whole);
    }
  });
  stream.on('end', () => {
    const last = rest + decoder.end();
    if (last) emit(last);
  });
}
