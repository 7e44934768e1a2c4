// Response bodies in the response documents: each content type rendered as a reader wants it.
import * as assert from 'node:assert/strict';
import { asComments, renderBody } from '../../src/vscode/responseBody';

const render = (body: string | Buffer, type: string) => renderBody(Buffer.isBuffer(body) ? body : Buffer.from(body), type);

describe('response bodies by content type', () => {
  it('pretty-prints JSON (also +json types and untyped JSON), and shows malformed JSON as sent', () => {
    assert.deepEqual(render('{"a":[1,2]}', 'application/json; charset=utf-8'), {
      text: '{\n  "a": [\n    1,\n    2\n  ]\n}',
      language: 'jsonc',
      binary: false,
    });
    assert.equal(render('{"a":1}', 'application/problem+json').language, 'jsonc');
    assert.equal(render('[1]', '').text, '[\n  1\n]');
    assert.deepEqual(render('{"a":', 'application/json'), { text: '{"a":', language: 'plaintext', binary: false });
  });

  it('indents XML, keeping elements that hold only text on one line', () => {
    const { text, language } = render(
      '<?xml version="1.0"?><order id="42"><item sku="a"/><name>Tea &amp; cake</name><!-- note --></order>',
      'application/xml',
    );
    assert.equal(language, 'xml');
    assert.equal(
      text,
      [
        '<?xml version="1.0"?>',
        '<order id="42">',
        '  <item sku="a"/>',
        '  <name>Tea &amp; cake</name>',
        '  <!-- note -->',
        '</order>',
      ].join('\n'),
    );
  });

  it('indents HTML with void elements and keeps script content as sent', () => {
    const { text, language } = render(
      '<!DOCTYPE html><html><head><meta charset="utf-8"><script>if (a < b) { go(); }</script></head><body><p>Hi<br>there</p></body></html>',
      'text/html',
    );
    assert.equal(language, 'html');
    assert.equal(
      text,
      [
        '<!DOCTYPE html>',
        '<html>',
        '  <head>',
        '    <meta charset="utf-8">',
        '    <script>if (a < b) { go(); }</script>',
        '  </head>',
        '  <body>',
        '    <p>',
        '      Hi',
        '      <br>',
        '      there',
        '    </p>',
        '  </body>',
        '</html>',
      ].join('\n'),
    );
  });

  it('shows form-encoded bodies as decoded name = value lines', () => {
    assert.deepEqual(render('name=Ada+Lovelace&tags=a&tags=b%26c', 'application/x-www-form-urlencoded'), {
      text: 'name = Ada Lovelace\ntags = a\ntags = b&c',
      language: 'plaintext',
      binary: false,
    });
  });

  it('shows bytes that are not text as their size and a hex preview', () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 0xff)]);
    const { text, binary, language } = render(png, 'image/png');
    assert.equal(binary, true);
    assert.equal(language, 'plaintext');
    const lines = text.split('\n');
    assert.equal(lines[0], '(308 bytes of image/png; the first 256 in hex)');
    assert.equal(lines[1], '00000000  89 50 4e 47 0d 0a 1a 0a ff ff ff ff ff ff ff ff  .PNG............');
    assert.equal(lines.at(-1), '… 52 more bytes');
    // Untyped bytes that are not UTF-8 are binary too; untyped UTF-8 is text.
    assert.equal(render(Buffer.from([0xc3, 0x28, 0x00]), '').binary, true);
    assert.deepEqual(render('héllo', ''), { text: 'héllo', language: 'plaintext', binary: false });
  });

  it('writes the lines around a body as comments of its language', () => {
    assert.deepEqual(asComments(['HTTP/1.1 200 OK', ''], 'jsonc'), ['// HTTP/1.1 200 OK', '//']);
    assert.deepEqual(asComments(['a--b'], 'xml'), ['<!--', 'a- -b', '-->']);
    assert.deepEqual(asComments(['x'], 'plaintext'), ['x']);
  });
});
