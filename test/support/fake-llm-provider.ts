import { IncomingMessage, ServerResponse, createServer } from 'node:http';

/**
 * A fake OpenAI-compatible provider, run as its own process by the suites: POST /v1/chat/completions,
 * streaming (SSE) and not. What it does is chosen by the caller's API key, so each test's provider
 * behaves its own way without a control channel:
 *
 *   fake-ok-…            answers "You said: <last user message>", word by word when streaming
 *   fake-429-<s>-…       429 with Retry-After: <s>
 *   fake-500-…           500
 *   fake-401-…           401
 *   fake-hang-…          accepts the request and never answers
 *   fake-slow-<ms>-…     streams one word every <ms> ms
 *
 * GET /calls answers how many requests each key made and how many of them the caller aborted.
 * It listens on 127.0.0.1 and prints {"msg":"fake-llm.listening","port":…}.
 */
const calls = new Map<string, { requests: number; aborted: number }>();

const server = createServer((request, response) => {
  void handle(request, response).catch((error: unknown) => {
    response.statusCode = 500;
    response.end(JSON.stringify({ error: { message: String(error) } }));
  });
});

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method === 'GET' && request.url === '/calls') {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(Object.fromEntries(calls)));
    return;
  }
  if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
    response.statusCode = 404;
    response.end();
    return;
  }
  const key = (request.headers.authorization ?? '').replace(/^Bearer /, '');
  const tally = calls.get(key) ?? { requests: 0, aborted: 0 };
  tally.requests += 1;
  calls.set(key, tally);
  response.on('close', () => {
    if (!response.writableFinished) {
      tally.aborted += 1;
    }
  });
  const body = JSON.parse(await textOf(request)) as ChatRequest;
  await answer(key, body, response);
}

interface ChatRequest {
  readonly model?: string;
  readonly stream?: boolean;
  readonly messages?: readonly { role: string; content: unknown }[];
}

async function answer(key: string, body: ChatRequest, response: ServerResponse): Promise<void> {
  const [, behaviour, argument] = /^fake-([a-z0-9]+)(?:-(\d+))?/.exec(key) ?? [];
  switch (behaviour) {
    case '429':
      return fail(response, 429, 'rate limited', { 'retry-after': argument ?? '1' });
    case '500':
      return fail(response, 500, 'provider broke');
    case '401':
      return fail(response, 401, 'bad key');
    case 'hang':
      return;
    case 'ok':
    case 'slow':
      return reply(body, response, behaviour === 'slow' ? Number(argument ?? 100) : 0);
    case undefined:
    default:
      return fail(response, 401, 'unknown key');
  }
}

function fail(
  response: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify({ error: { message, type: 'fake', code: String(status) } }));
}

async function reply(body: ChatRequest, response: ServerResponse, everyMs: number): Promise<void> {
  const said = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user')?.content;
  const words = `You said: ${typeof said === 'string' ? said : ''}`.split(' ');
  const usage = {
    prompt_tokens: 7,
    completion_tokens: words.length,
    total_tokens: 7 + words.length,
  };
  const model = body.model ?? 'fake-model';
  if (!body.stream) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: 'chatcmpl-fake',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: words.join(' ') },
            finish_reason: 'stop',
          },
        ],
        usage,
      }),
    );
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = (delta: object, finish: string | null, extra: object = {}) =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...extra,
    })}\n\n`;
  response.write(chunk({ role: 'assistant', content: '' }, null));
  for (const [i, word] of words.entries()) {
    if (response.destroyed) {
      return;
    }
    if (everyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    response.write(chunk({ content: i === 0 ? word : ` ${word}` }, null));
  }
  response.write(chunk({}, 'stop', { usage }));
  response.end('data: [DONE]\n\n');
}

async function textOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ msg: 'fake-llm.listening', port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
