// An HTTP response body as the response documents show it, by its content type: JSON
// pretty-printed, XML and HTML indented, form-encoded bodies as decoded name/value lines, and
// bytes that are not text as their size and a hex preview. The language says how the editor
// colours it; the lines around the body are written as comments in that language.

export type BodyLanguage = 'jsonc' | 'xml' | 'html' | 'plaintext';

export interface RenderedBody {
  text: string;
  language: BodyLanguage;
  /** The body is bytes, not text: `text` is a summary and a hex preview. */
  binary: boolean;
}

/** Bytes shown in a binary body's hex preview. */
const HEX_PREVIEW_BYTES = 256;

const isJson = (type: string) => /[/+]json\b/i.test(type);
const isXml = (type: string) => /[/+]xml\b/i.test(type);
const isHtml = (type: string) => /^\s*text\/html\b/i.test(type);
const isForm = (type: string) => /^\s*application\/x-www-form-urlencoded\b/i.test(type);
const TEXT_TYPE = /^\s*text\/|json|xml|javascript|ecmascript|x-www-form-urlencoded|csv|yaml|graphql/i;

/** Whether a body of this type is text (no type: decided by its bytes). */
export function isTextual(contentType: string): boolean {
  return !contentType || TEXT_TYPE.test(contentType);
}

/** The language a body of this type is shown in, before its bytes are known. */
export function languageOf(contentType: string): BodyLanguage {
  if (isJson(contentType)) return 'jsonc';
  if (isHtml(contentType)) return 'html';
  if (isXml(contentType)) return 'xml';
  return 'plaintext';
}

export function renderBody(bytes: Buffer, contentType: string): RenderedBody {
  const text = bytes.toString('utf8');
  if (!isTextual(contentType) || (!contentType && !isValidUtf8(bytes, text))) {
    return { text: binarySummary(bytes, contentType), language: 'plaintext', binary: true };
  }
  if (isJson(contentType) || (!contentType && /^\s*[[{]/.test(text))) {
    try {
      return { text: JSON.stringify(JSON.parse(text), null, 2), language: 'jsonc', binary: false };
    } catch {
      return { text, language: 'plaintext', binary: false }; // declared JSON but is not: shown as sent
    }
  }
  if (isHtml(contentType) || (!contentType && /^\s*<!doctype html/i.test(text)))
    return { text: indentMarkup(text, true), language: 'html', binary: false };
  if (isXml(contentType) || (!contentType && /^\s*<\?xml/.test(text)))
    return { text: indentMarkup(text, false), language: 'xml', binary: false };
  if (isForm(contentType)) return { text: formLines(text), language: 'plaintext', binary: false };
  return { text, language: 'plaintext', binary: false };
}

/** Lines as comments of `language` (the status line, headers and timings around a body). */
export function asComments(lines: string[], language: BodyLanguage): string[] {
  if (language === 'jsonc') return lines.map((l) => (l ? `// ${l}` : '//'));
  if (language === 'xml' || language === 'html') return ['<!--', ...lines.map((l) => l.replace(/--/g, '- -')), '-->'];
  return lines;
}

function isValidUtf8(bytes: Buffer, decoded: string): boolean {
  return !decoded.includes('\uFFFD') || Buffer.from(decoded, 'utf8').equals(bytes);
}

function binarySummary(bytes: Buffer, contentType: string): string {
  const lines = [
    `(${bytes.length} bytes of ${contentType || 'binary data'}; the first ${Math.min(bytes.length, HEX_PREVIEW_BYTES)} in hex)`,
  ];
  for (let offset = 0; offset < Math.min(bytes.length, HEX_PREVIEW_BYTES); offset += 16) {
    const row = bytes.subarray(offset, Math.min(offset + 16, bytes.length));
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > HEX_PREVIEW_BYTES) lines.push(`… ${bytes.length - HEX_PREVIEW_BYTES} more bytes`);
  return lines.join('\n');
}

/** `a=1&b=x+y` → `a = 1` / `b = x y`, decoded as a server reads the form. */
function formLines(text: string): string {
  const pairs = [...new URLSearchParams(text.trim())];
  return pairs.length ? pairs.map(([k, v]) => `${k} = ${v}`).join('\n') : text;
}

const HTML_VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
/** Elements whose content is kept exactly as sent. */
const HTML_RAW = new Set(['script', 'style', 'pre', 'textarea']);
const TOKEN = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<![^>]*>|<\/?[A-Za-z][^>]*>|[^<]+|</g;

/** Markup re-indented by two spaces per level; an element holding only text stays on one line. */
export function indentMarkup(text: string, html: boolean): string {
  const tokens = text.match(TOKEN) ?? [];
  const out: string[] = [];
  let depth = 0;
  const pad = () => '  '.repeat(Math.max(depth, 0));
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const open = /^<([A-Za-z][\w:.-]*)/.exec(token);
    const close = /^<\/([A-Za-z][\w:.-]*)/.exec(token);
    if (close) {
      depth--;
      out.push(pad() + token.trim());
    } else if (open) {
      const name = html ? open[1].toLowerCase() : open[1];
      const selfClosing = /\/>$/.test(token) || (html && HTML_VOID.has(name));
      if (selfClosing) {
        out.push(pad() + token);
        continue;
      }
      if (html && HTML_RAW.has(name)) {
        const end = tokens.findIndex((t, j) => j > i && new RegExp(`^</${name}\\s*>$`, 'i').test(t));
        if (end > 0) {
          out.push(pad() + tokens.slice(i, end + 1).join(''));
          i = end;
          continue;
        }
      }
      const inner = tokens[i + 1];
      const after = tokens[i + 2];
      if (inner !== undefined && !inner.startsWith('<') && after && new RegExp(`^</${open[1]}\\s*>$`, html ? 'i' : '').test(after)) {
        out.push(pad() + token + inner.trim() + after);
        i += 2;
        continue;
      }
      out.push(pad() + token);
      depth++;
    } else {
      const content = token.trim();
      if (content) out.push(pad() + content);
    }
  }
  return out.join('\n');
}
