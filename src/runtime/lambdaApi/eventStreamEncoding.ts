// AWS's event stream framing (application/vnd.amazon.eventstream), as InvokeWithResponseStream
// sends it: each message is total length, headers length, a CRC32 of those 8 bytes, the headers
// (name, type 7 = string, value), the payload, and a CRC32 of everything before it.
import * as zlib from 'node:zlib';

const STRING_TYPE = 7;

/** zlib.crc32 arrived in Node 20.15 / 22.2; earlier Node 20 releases get the table-driven one. */
const crc32: (data: Uint8Array) => number = typeof zlib.crc32 === 'function' ? (data) => zlib.crc32(data) : tableCrc32();

function tableCrc32(): (data: Uint8Array) => number {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (data) => {
    let crc = 0xffffffff;
    for (const byte of data) crc = table[(crc ^ byte) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  };
}

export function encodeEventMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const headerParts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const part = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
    part.writeUInt8(n.length, 0);
    n.copy(part, 1);
    part.writeUInt8(STRING_TYPE, 1 + n.length);
    part.writeUInt16BE(v.length, 2 + n.length);
    v.copy(part, 4 + n.length);
    headerParts.push(part);
  }
  const headerBytes = Buffer.concat(headerParts);
  const total = 12 + headerBytes.length + payload.length + 4;
  const message = Buffer.alloc(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(headerBytes.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  headerBytes.copy(message, 12);
  payload.copy(message, 12 + headerBytes.length);
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4);
  return message;
}

/** A PayloadChunk event carrying bytes the function wrote. */
export function payloadChunk(bytes: Buffer): Buffer {
  return encodeEventMessage(
    { ':event-type': 'PayloadChunk', ':content-type': 'application/octet-stream', ':message-type': 'event' },
    bytes,
  );
}

/** The InvokeComplete event that ends every stream; ErrorCode/ErrorDetails when the function failed. */
export function invokeComplete(fields: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string }): Buffer {
  return encodeEventMessage(
    { ':event-type': 'InvokeComplete', ':content-type': 'application/json', ':message-type': 'event' },
    Buffer.from(JSON.stringify(fields)),
  );
}
