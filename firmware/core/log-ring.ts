/** The last lines the log wrote, kept in memory for the debug console's `log` command. */
export class LogRing {
  private readonly lines: string[] = [];
  constructor(private readonly capacity = 500) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  tail(n: number): readonly string[] {
    return this.lines.slice(-n);
  }
}
