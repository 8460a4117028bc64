/** A clock that stands still until a test moves it: services take `now` as a constructor argument. */
export class FixedClock {
  private ms: number;

  constructor(start = '2026-03-02T10:00:00Z') {
    this.ms = Date.parse(start);
  }

  /** For services that take `() => Date`. */
  readonly now = (): Date => new Date(this.ms);

  /** For services that take `() => number` (epoch ms). */
  readonly nowMs = (): number => this.ms;

  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}
