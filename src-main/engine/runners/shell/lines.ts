import { StringDecoder } from 'node:string_decoder';

/** Longest line kept as one; longer output without a newline is split into pieces of this size. */
export const MAX_LINE_CHARS = 16_384;

/**
 * Splits a byte stream into text lines (LF or CRLF), decoding UTF-8 across chunk borders.
 * A line longer than `maxLineChars` is emitted in pieces so one runaway line cannot grow memory.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineChars = MAX_LINE_CHARS,
  ) {}

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let rest = this.partial + text;
    let newline = rest.indexOf('\n');
    while (newline !== -1) {
      this.emit(rest.slice(0, newline));
      rest = rest.slice(newline + 1);
      newline = rest.indexOf('\n');
    }
    while (rest.length > this.maxLineChars) {
      this.onLine(rest.slice(0, this.maxLineChars));
      rest = rest.slice(this.maxLineChars);
    }
    this.partial = rest;
  }

  /** Emits what is left after the stream ended (a last line without a newline). */
  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest.length > 0) this.emit(rest);
  }

  private emit(line: string): void {
    const clean = line.endsWith('\r') ? line.slice(0, -1) : line;
    for (let i = 0; i < clean.length; i += this.maxLineChars) {
      this.onLine(clean.slice(i, i + this.maxLineChars));
    }
    if (clean.length === 0) this.onLine('');
  }
}

/** Keeps the last `maxLines` lines, and at most `maxChars` characters in total. */
export class TailBuffer {
  private readonly lines: string[] = [];
  private chars = 0;
  private dropped = 0;

  constructor(
    private readonly maxLines: number,
    private readonly maxChars: number,
  ) {}

  push(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
    while (
      this.lines.length > this.maxLines ||
      (this.chars > this.maxChars && this.lines.length > 1)
    ) {
      const first = this.lines.shift() ?? '';
      this.chars -= first.length;
      this.dropped += 1;
    }
  }

  /** How many earlier lines were dropped to stay within bounds. */
  get droppedLines(): number {
    return this.dropped;
  }

  text(): string {
    const joined = this.lines.join('\n');
    return joined.length > this.maxChars ? joined.slice(joined.length - this.maxChars) : joined;
  }
}
