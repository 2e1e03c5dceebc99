/**
 * The bottom lines of a terminal, redrawn in place under the run's ordinary output. Everything else written to the
 * same stream (the console reporter's lines, notices) goes through here while the screen is open, so those lines
 * scroll above the panel instead of being drawn over it.
 */

/** The stream a Screen draws on (process.stderr). */
export type ScreenStream = Pick<NodeJS.WriteStream, 'write' | 'columns' | 'rows'>;

export class Screen {
  private panel: readonly string[] = [];
  private drawn = 0;
  private atLineStart = true;
  private readonly original: NodeJS.WriteStream['write'];
  private closed = false;

  constructor(private readonly stream: ScreenStream) {
    this.original = stream.write;
    const through = (...args: unknown[]): boolean => {
      this.erase();
      const written = Reflect.apply(this.original, this.stream, args) as boolean;
      const [chunk] = args;
      const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : '';
      if (text.length > 0) this.atLineStart = text.endsWith('\n');
      this.draw();
      return written;
    };
    stream.write = through;
  }

  /** Shows `lines` as the panel from now on. */
  show(lines: readonly string[]): void {
    if (this.closed) return;
    if (lines.length === this.panel.length && lines.every((line, i) => line === this.panel[i])) return;
    this.erase();
    this.panel = lines;
    this.draw();
  }

  /** Removes the panel and gives the stream back. */
  close(): void {
    if (this.closed) return;
    this.erase();
    this.panel = [];
    this.closed = true;
    this.stream.write = this.original;
  }

  private raw(text: string): void {
    Reflect.apply(this.original, this.stream, [text]);
  }

  private erase(): void {
    if (this.drawn === 0) return;
    // Back to the first column of the panel's first line, then clear to the end of the screen.
    this.raw(`\r${this.drawn > 1 ? `\x1b[${this.drawn - 1}A` : ''}\x1b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    if (this.closed || this.panel.length === 0) return;
    // A line that does not fit would wrap and throw the count of lines to move up off.
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    const lines = this.panel.slice(-Math.max(1, (this.stream.rows ?? 24) - 1)).map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line));
    this.raw(`${this.atLineStart ? '' : '\n'}${lines.join('\n')}`);
    this.atLineStart = true;
    this.drawn = lines.length;
  }
}
