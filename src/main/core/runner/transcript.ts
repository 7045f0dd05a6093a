/**
 * A bounded transcript: the first `headLimit` characters and the last
 * `tailLimit`, with a count of what was dropped in between. Memory stays
 * bounded whatever a command prints.
 */
export class BoundedTranscript {
  private head = '';
  private tail: string[] = [];
  private tailLength = 0;
  private omitted = 0;

  constructor(
    private readonly headLimit = 64 * 1024,
    private readonly tailLimit = 1024 * 1024,
  ) {}

  append(text: string): void {
    if (this.head.length < this.headLimit) {
      const take = text.slice(0, this.headLimit - this.head.length);
      this.head += take;
      text = text.slice(take.length);
      if (!text) return;
    }
    this.tail.push(text);
    this.tailLength += text.length;
    while (this.tailLength > this.tailLimit && this.tail.length) {
      const over = this.tailLength - this.tailLimit;
      const first = this.tail[0]!;
      if (first.length <= over) {
        this.tail.shift();
        this.tailLength -= first.length;
        this.omitted += first.length;
      } else {
        this.tail[0] = first.slice(over);
        this.tailLength -= over;
        this.omitted += over;
      }
    }
  }

  /** Characters dropped from the middle. */
  get omittedChars(): number {
    return this.omitted;
  }

  /** Characters held now (bounded by headLimit + tailLimit). */
  get heldChars(): number {
    return this.head.length + this.tailLength;
  }

  toString(): string {
    if (!this.omitted) return this.head + this.tail.join('');
    return `${this.head}\n[… ${this.omitted} characters omitted: the transcript keeps the first ${this.headLimit} and the last ${this.tailLimit} …]\n${this.tail.join('')}`;
  }
}
