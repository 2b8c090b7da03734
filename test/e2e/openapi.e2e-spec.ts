import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { ErrorAnswer, bodyOf } from '../support/answers';
import { ROOT, runNodeTool } from '../support/node-tools';
import { admin, bearer, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

interface Operation {
  readonly operationId?: string;
  readonly parameters?: { name: string; in: string }[];
  readonly responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

const SERVED_DOCUMENT = join('dist', 'openapi.json');
const CONTRACT_DIR = join('dist', 'contract');

function operationsOf(document: Document): { path: string; method: string; op: Operation }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );
}

describe('The OpenAPI document and the API reference', () => {
  const suite = usePlatform({ workers: 0 });
  let document: Document;

  beforeAll(async () => {
    const response = await request(suite.platform.url).get('/openapi.json').expect(200);
    document = response.body as Document;
    mkdirSync(join(ROOT, CONTRACT_DIR), { recursive: true });
    writeFileSync(join(ROOT, SERVED_DOCUMENT), JSON.stringify(document, null, 2));
  });

  it('should give every operation a unique operationId, its path parameters and error bodies', () => {
    const operations = operationsOf(document);

    const ids = operations.map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, op } of operations) {
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect({ path, declared: declared.sort() }).toEqual({ path, declared: inPath.sort() });
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) {
          continue;
        }
        expect(response.content?.['application/json']?.schema).toEqual({
          $ref: '#/components/schemas/Error',
        });
      }
    }
  });

  it("should pass Redocly's recommended rules with no finding beyond the committed ignores", async () => {
    const lint = await runNodeTool('node_modules/@redocly/cli/bin/cli.js', [
      'lint',
      SERVED_DOCUMENT,
      '--format',
      'json',
    ]);

    const report = JSON.parse(lint.stdout) as {
      totals: { errors: number; warnings: number; ignored: number };
      problems: unknown[];
    };
    expect({ problems: report.problems, code: lint.code }).toEqual({ problems: [], code: 0 });
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('should route every documented operation to a handler of its own', async () => {
    const tenant = await createTenant(suite.platform.url, 'openapi');

    for (const { path, method, op } of operationsOf(document)) {
      const url = path.replace('{id}', path.includes('/admin/') ? tenant.id : 'run_missing');
      const credentials = path.includes('/admin/') ? admin : bearer(tenant.key);
      const response = await request(suite.platform.url)
        [method as 'get' | 'post' | 'patch' | 'delete'](url.replace('{keyId}', 'key_missing'))
        .set(credentials)
        .send(method === 'get' || method === 'delete' ? undefined : {});

      const answer = bodyOf<Partial<ErrorAnswer> | undefined>(response);
      expect({ operation: op.operationId, code: answer?.code }).not.toEqual({
        operation: op.operationId,
        code: 'not_found',
      });
    }
  });

  it('should serve an interactive reference at /docs whose scripts and styles come from this server', async () => {
    const page = await request(suite.platform.url).get('/docs/').expect(200);

    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThan(2);
    expect(assets.filter((asset) => /^(https?:)?\/\//.test(asset))).toEqual([]);
    for (const asset of assets) {
      await request(suite.platform.url)
        .get(new URL(asset, `${suite.platform.url}/docs/`).pathname)
        .expect(200);
    }
    const initializer = await request(suite.platform.url)
      .get('/docs/static/swagger-initializer.js')
      .expect(200);
    expect(initializer.text).toContain('"validatorUrl":null');
  });

  it("should match the client SDK's types: openapi-typescript output type-checks against @bulkhead/client", async () => {
    const generated = await runNodeTool('node_modules/openapi-typescript/bin/cli.js', [
      SERVED_DOCUMENT,
      '--output',
      join(CONTRACT_DIR, 'openapi.d.ts'),
    ]);
    expect(generated.code).toBe(0);

    const checked = await runNodeTool('node_modules/typescript/bin/tsc', [
      '-p',
      join('test', 'contract', 'tsconfig.json'),
    ]);

    expect({ code: checked.code, errors: checked.stdout }).toEqual({ code: 0, errors: '' });
  });
});
