// Process output cut into log records as Lambda cuts it: at '\n' only, whatever the chunks.
import * as assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { MAX_LINE_CHARS, splitLines } from '../../src/runtime/environment/outputLines';

function linesOf(chunks: Buffer[]): Promise<string[]> {
  const stream = new PassThrough();
  const lines: string[] = [];
  splitLines(stream, (line) => lines.push(line));
  return new Promise((resolve) => {
    stream.on('end', () => setImmediate(() => resolve(lines)));
    for (const chunk of chunks) stream.write(chunk);
    stream.end();
  });
}

describe('splitLines (process output → log records)', () => {
  it("keeps a record's carriage returns in it: runtimes write a message's newlines as \\r", async () => {
    const lines = await linesOf([Buffer.from('one\rrecord\rof three lines\nnext\r\n')]);
    assert.deepEqual(lines, ['one\rrecord\rof three lines', 'next\r']);
  });

  it('joins lines and characters split across chunks, and passes on a last line without its newline', async () => {
    const text = Buffer.from('héllo wörld\nsecond ☃ line\nlast');
    const chunks = [text.subarray(0, 2), text.subarray(2, 13), text.subarray(13, 23), text.subarray(23)];
    assert.deepEqual(await linesOf(chunks), ['héllo wörld', 'second ☃ line', 'last']);
  });

  it('passes on a line longer than the limit in pieces, losing nothing', async () => {
    const long = 'x'.repeat(MAX_LINE_CHARS * 2 + 10);
    const lines = await linesOf([Buffer.from(long.slice(0, 1000)), Buffer.from(long.slice(1000) + '\nafter\n')]);
    assert.deepEqual(
      lines.map((l) => l.length),
      [MAX_LINE_CHARS, MAX_LINE_CHARS, 10, 5],
    );
    assert.equal(lines.slice(0, 3).join(''), long);
  });
});
