/**
 * The production bundle asks the oldest supported Grafana for nothing it lacks: every export it
 * reads from @grafana/data, ui and runtime is one Grafana 11.6.0's packages have (levitate's check,
 * on the built code). Grafana 11 and 12
 * run React 18; what React 19 added (`use`, actions and their hooks, resource preloading) is read
 * here from the two React builds themselves, never from a list kept by hand, and looked for in
 * dist/module.js as webpack left it: the exports read from the `react` and `react-dom` the bundle
 * takes from Grafana. A ref passed as a plain prop is a matter of rendering, not of an export: the
 * editors are rendered on React 18 in floorEditors.test.ts, where React reports it.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import * as ts from 'typescript';

import { DIST } from '../bundle/loadBundle';

const ROOT = path.resolve(__dirname, '../..');
const FLOOR = path.join(__dirname, 'floor');

/**
 * What every Grafana from 11.6.0 gives a plugin to import (`module` is the AMD loader's own).
 * `react/jsx-runtime` is not among them: Grafana shares it from 12.3.0 and from the patch releases
 * 11.6.11, 12.0.10, 12.1.7 and 12.2.5 only (grafana/grafana#108478 and its backports), so a bundle
 * that imports it (JSX compiled with the automatic runtime, or a bundled library that was) does not
 * load on 11.6.0 to 11.6.10.
 */
const SHARED_BY_FLOOR = [
  '@emotion/css',
  '@grafana/data',
  '@grafana/runtime',
  '@grafana/ui',
  'lodash',
  'module',
  'moment',
  'react',
  'react-dom',
  'rxjs',
];

/** The export names of `name` as installed for the project (cwd ROOT) or for the floor (cwd FLOOR). */
function exportsOf(name: string, cwd: string): string[] {
  return JSON.parse(
    execFileSync(process.execPath, ['-p', `JSON.stringify(Object.keys(require(${JSON.stringify(name)})))`], {
      cwd,
      encoding: 'utf8',
    })
  );
}

/** Exports of React 19's `name` that React 18's lacks. */
function react19Only(name: string): string[] {
  const floor = new Set(exportsOf(name, FLOOR));
  return exportsOf(name, ROOT).filter((key) => !floor.has(key));
}

interface Bundle {
  deps: string[];
  /** Per external (react, react-dom): the export names the bundle reads from it. */
  reads: Map<string, Set<string>>;
  /** Props given to a `createElement` call that React 19 reads as actions: `action` or `formAction` not a string. */
  actions: string[];
}

/**
 * Reads dist/module.js: `define([deps], (a, b, ...) => ...)` hands each external to a parameter; a
 * webpack module `id(e) { e.exports = param }` wraps it; the code binds it with `x = require(id)`
 * and reaches its default export through `y = require.n(x)`, `y()`. Names are resolved with
 * TypeScript's checker, so a minified name reused for another value elsewhere is not mistaken.
 */
function readBundle(): Bundle {
  const file = path.join(DIST, 'module.js');
  const program = ts.createProgram([file], { allowJs: true, noLib: true, noResolve: true, types: [] });
  const source = program.getSourceFile(file)!;
  const checker = program.getTypeChecker();
  const nodes: ts.Node[] = [];
  const visit = (node: ts.Node) => {
    nodes.push(node);
    ts.forEachChild(node, visit);
  };
  visit(source);

  const define = nodes.find(
    (node): node is ts.CallExpression =>
      ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'define'
  )!;
  const [depList, factory] = define.arguments as unknown as [ts.ArrayLiteralExpression, ts.ArrowFunction];
  const deps = depList.elements.map((element) => (element as ts.StringLiteral).text);
  const paramOf = new Map(deps.map((dep, index) => [checker.getSymbolAtLocation(factory.parameters[index].name), dep]));

  const moduleOf = new Map<string, string>(); // webpack module id -> external
  for (const node of nodes) {
    if (ts.isMethodDeclaration(node) && node.body?.statements.length === 1) {
      const statement = node.body.statements[0];
      const assigned =
        ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression)
          ? statement.expression
          : undefined;
      const external =
        assigned && ts.isIdentifier(assigned.right)
          ? paramOf.get(checker.getSymbolAtLocation(assigned.right))
          : undefined;
      if (external && assigned!.left.getText().endsWith('.exports')) {
        moduleOf.set(node.name.getText(), external);
      }
    }
  }

  const bound = new Map<ts.Symbol, string>(); // x = require(id)
  const defaults = new Map<ts.Symbol, string>(); // y = require.n(x)
  const symbolOf = (node: ts.Node) => checker.getSymbolAtLocation(node);
  for (const node of nodes) {
    if (
      ts.isVariableDeclaration(node) &&
      node.initializer &&
      ts.isCallExpression(node.initializer) &&
      node.initializer.arguments.length === 1
    ) {
      const [argument] = node.initializer.arguments;
      const external = ts.isNumericLiteral(argument)
        ? moduleOf.get(argument.text)
        : ts.isIdentifier(argument)
          ? bound.get(symbolOf(argument)!)
          : undefined;
      const target = ts.isNumericLiteral(argument) ? bound : defaults;
      if (external) {
        target.set(symbolOf(node.name)!, external);
      }
    }
  }

  const externalRead = (expression: ts.Expression): string | undefined => {
    if (ts.isIdentifier(expression)) {
      return bound.get(symbolOf(expression)!);
    }
    if (
      ts.isCallExpression(expression) &&
      ts.isIdentifier(expression.expression) &&
      expression.arguments.length === 0
    ) {
      return defaults.get(symbolOf(expression.expression)!);
    }
    return undefined;
  };
  const reads = new Map<string, Set<string>>();
  const actions: string[] = [];
  for (const node of nodes) {
    if (ts.isPropertyAccessExpression(node)) {
      const external = externalRead(node.expression);
      if (external) {
        reads.set(external, (reads.get(external) ?? new Set()).add(node.name.text));
      }
    }
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'createElement' &&
      externalRead(node.expression.expression)
    ) {
      const props = node.arguments[1];
      for (const prop of props && ts.isObjectLiteralExpression(props) ? props.properties : []) {
        const name = prop.name?.getText();
        if (
          (name === 'action' || name === 'formAction') &&
          !(ts.isPropertyAssignment(prop) && ts.isStringLiteral(prop.initializer))
        ) {
          actions.push(prop.getText());
        }
      }
    }
  }
  return { deps, reads, actions };
}

describe('dist/module.js on Grafana 11.6 and 12 (React 18)', () => {
  const bundle = readBundle();

  it('imports only modules Grafana 11.6.0 shares with plugins: not react/jsx-runtime', () => {
    expect(bundle.deps.filter((dep) => !SHARED_BY_FLOOR.includes(dep))).toEqual([]);
  });

  it('reads React from Grafana and uses its createElement, as the reading of the bundle finds', () => {
    // A reading that found nothing would pass every check below.
    expect([...(bundle.reads.get('react') ?? [])]).toEqual(expect.arrayContaining(['createElement', 'useState']));
  });

  it.each(['@grafana/data', '@grafana/ui', '@grafana/runtime', 'rxjs'])(
    'reads only exports that %s of Grafana 11.6.0 has',
    (name) => {
      // jest.compat.config.js maps the name to the floor's copy.
      const floor = require(name);
      const reads = [...(bundle.reads.get(name) ?? [])];
      expect(reads.length).toBeGreaterThan(0);
      expect(reads.filter((read) => !(read in floor))).toEqual([]);
    }
  );

  it.each(['react', 'react-dom'])('reads no export of %s that React 19 added', (name) => {
    const added = react19Only(name);
    expect(added).toEqual(
      expect.arrayContaining(
        name === 'react' ? ['use', 'useActionState', 'useOptimistic'] : ['useFormStatus', 'preload']
      )
    );
    expect([...(bundle.reads.get(name) ?? [])].filter((read) => added.includes(read))).toEqual([]);
  });

  it('gives no element a function as its form action', () => {
    expect(bundle.actions).toEqual([]);
  });
});
