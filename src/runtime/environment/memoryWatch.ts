// An environment's memory, as Lambda measures its sandbox: polled while the process runs code
// (init, invocations) to enforce MemorySize, and the peak reported in REPORT — the last value
// measured when the process is already gone (a crash), never 0 once anything was measured.

/** What the watch reads; HandlerProcess provides it. */
export interface MemoryReadings {
  residentMB(): number | undefined;
  peakResidentMB(): number | undefined;
}

const POLL_MS = 100;
/** VmHWM is re-read at most this often: back-to-back warm invokes need not each pay for /proc. */
const PEAK_CACHE_MS = 100;

export class MemoryWatch {
  private timer: NodeJS.Timeout | undefined;
  private lastMB = 0;
  private peakReadAt = -Infinity;
  private peakCachedMB = 0;
  private ended = false;

  constructor(
    private readonly process: MemoryReadings,
    private readonly limitMB: number,
    /** True while the environment runs no code: the poll stops itself then. */
    private readonly idle: () => boolean,
    private readonly onOverLimit: () => void,
  ) {}

  /**
   * Polls RSS every 100 ms while the process runs code. Started on delivery if not already
   * running, it stops itself at a tick that finds the environment idle, so back-to-back invokes
   * pay nothing for it.
   */
  start(): void {
    if (this.timer || this.ended) return;
    this.timer = setInterval(() => {
      if (this.idle()) return this.stop();
      const rss = this.sample();
      if (rss !== undefined && rss > this.limitMB) this.onOverLimit();
    }, POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** No more polling: the environment is ending (its last figures stay readable). */
  end(): void {
    this.ended = true;
    this.stop();
  }

  /** One reading now; kept as the last measured value. */
  sample(): number | undefined {
    const rss = this.process.residentMB();
    if (rss !== undefined) this.lastMB = Math.max(this.lastMB, rss);
    return rss;
  }

  /** Peak use so far in MB, capped at the limit as Lambda reports it. */
  maxUsedMB(): number {
    const now = performance.now();
    if (now - this.peakReadAt > PEAK_CACHE_MS) {
      this.peakCachedMB = this.process.peakResidentMB() ?? this.peakCachedMB;
      this.peakReadAt = now;
    }
    return Math.min(Math.ceil(Math.max(this.peakCachedMB, this.lastMB)), this.limitMB);
  }
}
