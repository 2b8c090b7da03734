import ts from 'typescript';

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly name: string;
  readonly rule: 'module-let' | 'module-mutable-collection' | 'mutable-static' | 'get-instance';
  readonly text: string;
}

const COLLECTIONS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet']);
const MUTABLE_CONSTRUCTORS = new Set([...COLLECTIONS, 'Array']);
const MUTATING_METHODS = new Set([
  'set',
  'add',
  'delete',
  'clear',
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'sort',
  'reverse',
  'fill',
]);

/**
 * Finds module-level mutable state in one source file: the shapes of a hand-rolled singleton.
 *   module-let                 `let`/`var` at module scope
 *   module-mutable-collection  a module-level const Map/Set/WeakMap/WeakSet (always: it exists to be
 *                              written), or an array/object literal the file writes to or hands out
 *                              (an alias can be written anywhere)
 *   mutable-static             a static class field that is not readonly, or holds a Map/Set/array
 *   get-instance               a `getInstance` function or method
 */
export function scanSource(file: string, text: string): Finding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const report = (node: ts.Node, name: string, rule: Finding['rule']) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    findings.push({
      file,
      line: line + 1,
      name,
      rule,
      text: node.getText(source).split('\n')[0] ?? '',
    });
  };
  const moduleConsts = new Map<string, ts.Node>();
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      checkModuleVariables(statement, report, moduleConsts);
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyDeclaration(node)) {
      checkStatic(node, report);
    }
    if (isGetInstance(node)) {
      report(node, 'getInstance', 'get-instance');
    }
    const written = writtenIdentifier(node) ?? escapingIdentifier(node);
    const declaration = written ? moduleConsts.get(written) : undefined;
    if (written && declaration) {
      report(declaration, written, 'module-mutable-collection');
      moduleConsts.delete(written);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

type Report = (node: ts.Node, name: string, rule: Finding['rule']) => void;

function checkModuleVariables(
  statement: ts.VariableStatement,
  report: Report,
  consts: Map<string, ts.Node>,
): void {
  const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
  for (const declaration of statement.declarationList.declarations) {
    const name = declaration.name.getText();
    if (!isConst) {
      report(declaration, name, 'module-let');
      continue;
    }
    if (!declaration.initializer) {
      continue;
    }
    if (isCollection(declaration.initializer)) {
      report(declaration, name, 'module-mutable-collection');
    } else if (isMutableInitializer(declaration.initializer)) {
      consts.set(name, declaration);
    }
  }
}

function checkStatic(node: ts.PropertyDeclaration, report: Report): void {
  const modifiers = ts.getModifiers(node) ?? [];
  if (!modifiers.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) {
    return;
  }
  const readonly = modifiers.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword);
  if (readonly && !(node.initializer && isMutableInitializer(node.initializer))) {
    return;
  }
  report(node, node.name.getText(), 'mutable-static');
}

function isCollection(initializer: ts.Expression): boolean {
  const node = unwrapped(initializer);
  return ts.isNewExpression(node) && COLLECTIONS.has(node.expression.getText());
}

function isMutableInitializer(initializer: ts.Expression): boolean {
  const node = unwrapped(initializer);
  if (ts.isArrayLiteralExpression(node) || ts.isObjectLiteralExpression(node)) {
    return true;
  }
  return ts.isNewExpression(node) && MUTABLE_CONSTRUCTORS.has(node.expression.getText());
}

/** `(x)`, `x as T`, `x satisfies T`, `x!` and `<T>x` all hold the same value as `x`. */
function unwrapped(node: ts.Expression): ts.Expression {
  if (
    ts.isParenthesizedExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isSatisfiesExpression(node) ||
    ts.isNonNullExpression(node) ||
    ts.isTypeAssertionExpression(node)
  ) {
    return unwrapped(node.expression);
  }
  return node;
}

function isGetInstance(node: ts.Node): boolean {
  const named = ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node);
  return named && node.name?.getText() === 'getInstance';
}

/** The identifier a statement mutates: `x.set(…)`, `x.push(…)`, `x[k] = …`, `x.k = …`, `delete x.k`. */
function writtenIdentifier(node: ts.Node): string | undefined {
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
    const target = node.expression.expression;
    if (ts.isIdentifier(target) && MUTATING_METHODS.has(node.expression.name.text)) {
      return target.text;
    }
  }
  if (ts.isBinaryExpression(node) && isAssignment(node.operatorToken.kind)) {
    return rootOf(node.left);
  }
  if (ts.isDeleteExpression(node)) {
    return rootOf(node.expression);
  }
  return undefined;
}

/** An identifier handed out whole: assigned, stored in an object or array, passed, or returned. */
function escapingIdentifier(node: ts.Node): string | undefined {
  if (!ts.isIdentifier(node)) {
    return undefined;
  }
  const parent = node.parent;
  const handedOut =
    (ts.isBinaryExpression(parent) &&
      parent.right === node &&
      isAssignment(parent.operatorToken.kind)) ||
    (ts.isPropertyAssignment(parent) && parent.initializer === node) ||
    ts.isShorthandPropertyAssignment(parent) ||
    ts.isArrayLiteralExpression(parent) ||
    (ts.isCallExpression(parent) && parent.arguments.includes(node)) ||
    ts.isReturnStatement(parent) ||
    (ts.isVariableDeclaration(parent) && parent.initializer === node);
  return handedOut ? node.text : undefined;
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

function rootOf(node: ts.Expression): string | undefined {
  if (!ts.isPropertyAccessExpression(node) && !ts.isElementAccessExpression(node)) {
    return undefined;
  }
  return ts.isIdentifier(node.expression) ? node.expression.text : undefined;
}
