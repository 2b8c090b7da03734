import { Client } from '@langchain/langgraph-sdk';
import { Client as Client112 } from 'langgraph-sdk-1-12';

/**
 * The two SDK releases the suites drive: the current one, and one from before its reconnect rework.
 * Both are typed as 1.15.0's client: the calls the suites make have the same signatures in both,
 * and TypeScript cannot call an overloaded method on a union of the two classes.
 */
export const SDKS = Object.freeze([
  ['@langchain/langgraph-sdk 1.15.0', Client],
  ['@langchain/langgraph-sdk 1.12.8', Client112 as unknown as typeof Client],
] as const);

/** What a stream yielded, as a test compares it: the id (1.15.0 yields it), the event, its data. */
export interface StreamPart {
  readonly id?: string;
  readonly event: string;
  readonly data: unknown;
}

/** Every part of an SDK stream, until it ends; `onPart` sees each as it comes. */
export async function partsOf(
  stream: AsyncIterable<{ event: string; data: unknown; id?: string }>,
  onPart: (part: StreamPart, index: number) => void = () => {},
): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const { id, event, data } of stream) {
    const part = id === undefined ? { event, data } : { id, event, data };
    onPart(part, parts.length);
    parts.push(part);
  }
  return parts;
}

/** A raw SSE answer: its status and headers, and a reader of its text as it arrives. */
export interface RawStream {
  readonly status: number;
  readonly headers: Headers;
  /** Reads until `done` holds for the text so far, or the answer ends; returns the text so far. */
  readUntil(done: (text: string) => boolean): Promise<string>;
  /** Closes the connection, as a client that goes away does. */
  close(): Promise<void>;
}

export async function openStream(url: string, headers: Record<string, string>): Promise<RawStream> {
  const response = await fetch(url, { headers });
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    status: response.status,
    headers: response.headers,
    async readUntil(done) {
      while (!done(text)) {
        const { value, done: ended } = await reader.read();
        if (ended) {
          break;
        }
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
    close: () => reader.cancel(),
  };
}

export function countOf(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
