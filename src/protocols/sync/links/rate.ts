/**
 * A token bucket per link and traffic kind: `rate` tokens a second up to `burst`. What exceeds it is
 * dropped and counted; a link that keeps exceeding it (`strikes` within a window) is flooding us.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;
  /** Refusals in the current window, and when it started. */
  strikes = 0;
  private windowAt: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
    private readonly windowMs = 10_000,
  ) {
    this.tokens = burst;
    this.at = now;
    this.windowAt = now;
  }

  /** Takes one token; false (and a strike) if there is none. */
  take(now: number): boolean {
    if (now > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.rate) / 1000);
      this.at = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    if (now - this.windowAt > this.windowMs) {
      this.windowAt = now;
      this.strikes = 0;
    }
    this.strikes++;
    return false;
  }
}
