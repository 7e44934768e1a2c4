// A Debug Adapter Protocol client over one TCP connection (Content-Length framed JSON): the
// session's side of a conversation with the debugpy adapter inside a Python environment.
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import type { DebugProtocol } from '@vscode/debugprotocol';

interface Pending {
  command: string;
  resolve(body: unknown): void;
  reject(error: Error): void;
}

/** A request debugpy answered with success: false. */
export class DapRequestError extends Error {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
  }
}

type EventMap = { event: [DebugProtocol.Event]; close: [] };

const HEADER_END = Buffer.from('\r\n\r\n');

export class DapConnection {
  private nextSeq = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly events = new EventEmitter<EventMap>();
  private buffer: Buffer = Buffer.alloc(0);
  private closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.receive(chunk));
    socket.on('close', () => this.onClosed());
    socket.on('error', () => undefined);
  }

  static connect(host: string, port: number, timeoutMs = 10_000): Promise<DapConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`debugpy at ${host}:${port} did not accept a connection within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new DapConnection(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`Cannot connect to debugpy at ${host}:${port}: ${err.message}`));
      });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  request<T = unknown>(command: string, args?: unknown): Promise<T> {
    if (this.closed) return Promise.reject(new DapRequestError(command, `${command}: the debugpy connection is closed`));
    const seq = this.nextSeq++;
    const body = Buffer.from(JSON.stringify({ seq, type: 'request', command, arguments: args }));
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { command, resolve: resolve as (b: unknown) => void, reject });
      this.socket.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
    });
  }

  onEvent(listener: (event: DebugProtocol.Event) => void): void {
    this.events.on('event', listener);
  }

  /** Resolves with the first event of this name (and body test) that arrives from now on. */
  nextEvent<E extends DebugProtocol.Event>(name: string, test: (e: E) => boolean = () => true): Promise<E> {
    return new Promise((resolve, reject) => {
      const listener = (e: DebugProtocol.Event) => {
        if (e.event !== name || !test(e as E)) return;
        this.events.off('event', listener);
        this.events.off('close', onClose);
        resolve(e as E);
      };
      const onClose = () => {
        this.events.off('event', listener);
        reject(new Error(`the debugpy connection closed before its ${name} event`));
      };
      this.events.on('event', listener);
      this.events.once('close', onClose);
    });
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.events.once('close', listener);
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const end = this.buffer.indexOf(HEADER_END);
      if (end < 0) return;
      const length = Number(/Content-Length:\s*(\d+)/i.exec(this.buffer.subarray(0, end).toString('ascii'))?.[1]);
      if (!Number.isFinite(length)) {
        this.socket.destroy();
        return;
      }
      const start = end + HEADER_END.length;
      if (this.buffer.length < start + length) return;
      const message = JSON.parse(this.buffer.subarray(start, start + length).toString('utf8')) as DebugProtocol.ProtocolMessage;
      this.buffer = this.buffer.subarray(start + length);
      this.dispatch(message);
    }
  }

  private dispatch(message: DebugProtocol.ProtocolMessage): void {
    if (message.type === 'response') {
      const response = message as DebugProtocol.Response;
      const pending = this.pending.get(response.request_seq);
      if (!pending) return;
      this.pending.delete(response.request_seq);
      if (response.success) pending.resolve(response.body);
      else pending.reject(new DapRequestError(pending.command, response.message ?? `${pending.command} failed`));
    } else if (message.type === 'event') {
      this.events.emit('event', message as DebugProtocol.Event);
    }
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new DapRequestError(p.command, `${p.command}: the debugpy connection closed`));
    this.pending.clear();
    this.events.emit('close');
  }
}
