// Pure: a secret value that refuses to be printed. Bot tokens, webhook secrets and Postbox
// keys travel inside this box from the resolver to the adapter that uses them, so an
// accidental log field, JSON.stringify, template string or util.inspect shows a marker
// instead of the value. Only `reveal()` hands it out, at the point of use.
const MARK = '[secret]';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return MARK;
  }
  toJSON(): string {
    return MARK;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return MARK;
  }
}
