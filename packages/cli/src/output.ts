/** The streams one invocation writes to; tests and the follower pass their own. */
export interface CliStreams {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
}

/**
 * Where a command's results go. Results (records, tables, JSON, events) go to stdout so they can
 * be piped; notes and hints go to stderr so they never corrupt `--json` output.
 */
export class Output {
  constructor(
    private readonly streams: CliStreams,
    readonly json: boolean,
  ) {}

  /** Whether a person is watching: only then is a progress bar drawn. */
  get isTTY(): boolean {
    return this.streams.stdout.isTTY === true;
  }

  get stdout(): NodeJS.WritableStream {
    return this.streams.stdout;
  }

  /** A command's result: the JSON document with --json, else the view people read. */
  result<T>(value: T, view: (value: T) => string): void {
    if (this.json) {
      this.document(value);
    } else {
      this.line(view(value));
    }
  }

  line(text: string): void {
    this.streams.stdout.write(`${text}\n`);
  }

  /** One JSON document, indented for people who read it; it still parses as one value. */
  document(value: unknown): void {
    this.line(JSON.stringify(value, null, 2));
  }

  /** One JSON value on one line: NDJSON, for event streams a script reads line by line. */
  record(value: unknown): void {
    this.line(JSON.stringify(value));
  }

  note(text: string): void {
    this.streams.stderr.write(`${text}\n`);
  }
}
