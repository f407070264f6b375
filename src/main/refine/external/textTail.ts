/** The last maxChars characters of a stream of text (a trainer's stderr), for error messages. */
export class TextTail {
  private text = '';

  constructor(private readonly maxChars = 4000) {}

  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > 2 * this.maxChars) this.text = this.text.slice(-this.maxChars);
  }

  toString(): string {
    return this.text.slice(-this.maxChars).trim();
  }
}
