// One WebSocket session with a Node inspector: request/response correlation and typed events.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { CdpCommands, CdpEventName, CdpEvents, CdpMethod } from './cdpProtocol';

interface Pending {
  method: string;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/** A protocol error the inspector returned for a command. */
export class CdpError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`${method}: ${message}`);
  }
}

/** Long enough for the server's delayed write to go out; steps that run longer are not delayed by it. */
const NUDGE_WINDOW_MS = 60;

type EventMap = { [E in CdpEventName]: [CdpEvents[E]] } & { close: [] };

export class CdpConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly events = new EventEmitter<EventMap>();
  private closed = false;
  private nudgeTimer: NodeJS.Timeout | undefined;
  private nudgeDeadline = 0;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.receive(String(data)));
    socket.on('close', () => this.onClosed());
    // A process dying mid-frame surfaces as an error then close; close does the cleanup.
    socket.on('error', () => undefined);
  }

  static connect(url: string, timeoutMs = 10_000): Promise<CdpConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      socket.once('open', () => resolve(new CdpConnection(socket)));
      socket.once('error', (err) => reject(new Error(`Cannot connect to the inspector at ${url}: ${err.message}`)));
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send<M extends CdpMethod>(
    method: M,
    ...args: CdpCommands[M]['params'] extends Record<string, never> ? [] : [CdpCommands[M]['params']]
  ): Promise<CdpCommands[M]['result']> {
    if (this.closed) return Promise.reject(new CdpError(method, -1, 'the inspector connection is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (r: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params: args[0] ?? {} }));
    });
  }

  on<E extends keyof EventMap>(event: E, listener: (...args: EventMap[E]) => void): void {
    this.events.on(event, listener as never);
  }

  /**
   * Node's inspector server writes without TCP_NODELAY, so after answering a command its next
   * small write (the next reply, Debugger.resumed, then paused) can wait ~40 ms for our delayed
   * ACK. Sending a cheap command every millisecond carries that ACK at once. Called before
   * bursts of commands (startup) and commands that let the process run (resume, steps); stops at
   * the next pause or after NUDGE_WINDOW_MS.
   */
  nudgeUntilPaused(): void {
    if (this.closed) return;
    this.nudgeDeadline = Date.now() + NUDGE_WINDOW_MS;
    this.nudgeTimer ??= setInterval(() => {
      if (this.closed || Date.now() > this.nudgeDeadline) this.stopNudging();
      else void this.send('Runtime.getIsolateId').catch(() => undefined);
    }, 1);
  }

  private stopNudging(): void {
    clearInterval(this.nudgeTimer);
    this.nudgeTimer = undefined;
  }

  close(): void {
    this.socket.close();
  }

  private receive(text: string): void {
    const msg = JSON.parse(text) as {
      id?: number;
      result?: unknown;
      error?: { code: number; message: string };
      method?: string;
      params?: unknown;
    };
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new CdpError(p.method, msg.error.code, msg.error.message));
      else p.resolve(msg.result ?? {});
    } else if (msg.method) {
      if (msg.method === 'Debugger.paused') this.stopNudging();
      this.events.emit(msg.method as CdpEventName, msg.params as never);
    }
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopNudging();
    for (const p of this.pending.values()) p.reject(new CdpError(p.method, -1, 'the inspector connection closed'));
    this.pending.clear();
    this.events.emit('close');
  }
}
