/**
 * No shell is ever built from scenario strings: every process rebound starts is started without a shell, from a
 * program and an argument list. This reads the harness source (TypeScript's own parser) and fails when someone adds
 * a shell (`exec`, `execSync`, `shell: true`, `sh -c`) or starts a program whose name is not a fixed binary and not
 * one of the known, reviewed places below.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { REPO } from '../../support/cli.js';

/** child_process functions that start a program; `exec`, `execSync` and `fork` are refused outright. */
const CHILD_PROCESS_LAUNCHERS = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync']);
const CHILD_PROCESS_FORBIDDEN = new Set(['exec', 'execSync', 'fork']);

/**
 * Where the program started is not a literal, with where it comes from. A new entry needs the same review: the
 * program must never be taken from a scenario string that a shell would read.
 */
const REVIEWED: Readonly<Record<string, string>> = {
  'harness/run/processes.ts: program': "spec.processes[].command[0], the scenario's own program, started with its argument list and no shell",
  'harness/load/k6-session.ts: options.k6': 'the k6 binary: --k6 or k6 found on PATH',
  'harness/cluster/local/process.ts: spec.binary': "a cluster component binary built into rebound's cache (~/.rebound/bin)",
  'harness/cluster/kind/cluster.ts: kind': 'the kind binary rebound installed or found (ensureKindBinary)',
  'harness/cluster/kind/engine.ts: this.runtime': 'docker or podman, as detected',
  'harness/cluster/doctor.ts: k6': 'the k6 binary rebound found, asked for its version',
};

interface Launch {
  readonly file: string;
  readonly line: number;
  readonly callee: string;
  readonly program: string;
  readonly node: ts.CallExpression;
  readonly programArgument: ts.Expression | undefined;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function parsed(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
}

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

/** The parameters of the function around `node`, with that function's name. */
function enclosingFunction(node: ts.Node): { name: string; parameters: string[] } | undefined {
  for (let at: ts.Node | undefined = node.parent; at !== undefined; at = at.parent) {
    if (ts.isFunctionDeclaration(at) || ts.isMethodDeclaration(at) || ts.isFunctionExpression(at) || ts.isArrowFunction(at)) {
      const parameters = at.parameters.map((parameter) => parameter.name.getText());
      let name: string | undefined;
      if ((ts.isFunctionDeclaration(at) || ts.isMethodDeclaration(at)) && at.name !== undefined) name = at.name.getText();
      else if (ts.isVariableDeclaration(at.parent)) name = at.parent.name.getText();
      if (name !== undefined) return { name, parameters };
    }
  }
  return undefined;
}

/** The file each name imported from a relative module comes from, as a path from the repository root. */
function importOrigins(file: string, source: ts.SourceFile): Map<string, string> {
  const origins = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || !statement.moduleSpecifier.text.startsWith('.')) continue;
    const origin = join(dirname(file), statement.moduleSpecifier.text).replace(/\.js$/, '.ts');
    const bindings = statement.importClause?.namedBindings;
    if (bindings !== undefined && ts.isNamedImports(bindings)) for (const element of bindings.elements) origins.set(element.name.text, origin);
  }
  return origins;
}

interface Scan {
  readonly launches: Launch[];
  readonly problems: string[];
}

function scan(root: string): Scan {
  const files = sourceFiles(join(root, 'harness')).map((file) => ({ file: relative(root, file), source: parsed(file) }));
  const problems: string[] = [];
  // Local names of child_process functions, per file (import { spawn as run } from 'node:child_process').
  const imported = new Map<string, Map<string, string>>();
  for (const { file, source } of files) {
    const names = new Map<string, string>();
    walk(source, (node) => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && /^(node:)?child_process$/.test(node.moduleSpecifier.text)) {
        const bindings = node.importClause?.namedBindings;
        if (node.importClause?.name !== undefined || (bindings !== undefined && !ts.isNamedImports(bindings))) {
          problems.push(`${file}: import child_process by name (import { spawn } from 'node:child_process'), so this check can follow it`);
        }
        if (bindings !== undefined && ts.isNamedImports(bindings)) {
          for (const element of bindings.elements) {
            const original = (element.propertyName ?? element.name).text;
            if (CHILD_PROCESS_FORBIDDEN.has(original)) problems.push(`${file}: imports ${original}, which runs its command through a shell`);
            if (CHILD_PROCESS_LAUNCHERS.has(original)) names.set(element.name.text, original);
          }
        }
      }
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [specifier] = node.arguments;
        if (specifier === undefined || !ts.isStringLiteral(specifier) || /child_process/.test(specifier.text)) problems.push(`${file}: imports child_process dynamically`);
      }
      // A shell option anywhere, even in an object built apart from the call.
      if ((ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) && node.name.getText() === 'shell') {
        problems.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: a \`shell\` option`);
      }
      if (ts.isStringLiteral(node) && /^(-c|\/c|\/bin\/sh|sh|cmd(\.exe)?|powershell)$/.test(node.text)) {
        problems.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: "${node.text}" looks like a shell command line`);
      }
    });
    imported.set(file, names);
  }

  // Launchers: the child_process functions, and every function that hands one of its parameters on as the program
  // of a launcher (runCommand, doctor's version, kind's probe...), to a fixed point. A wrapper is known by the file
  // that defines it and the position of that parameter; a call reaches it from the same file or through an import.
  const wrappers = new Map<string, number>();
  const launches: Launch[] = [];
  for (let grew = true; grew;) {
    grew = false;
    launches.length = 0;
    for (const { file, source } of files) {
      const names = imported.get(file) ?? new Map<string, string>();
      const origins = importOrigins(file, source);
      walk(source, (node) => {
        if (!ts.isCallExpression(node) || !ts.isIdentifier(node.expression)) return;
        const name = node.expression.text;
        const wrapper = wrappers.get(`${origins.get(name) ?? file}#${name}`);
        if (!names.has(name) && wrapper === undefined) return;
        const programArgument = node.arguments[wrapper ?? 0];
        const around = enclosingFunction(node);
        const handedOn = programArgument !== undefined && ts.isIdentifier(programArgument) && around !== undefined
          ? around.parameters.indexOf(programArgument.text)
          : -1;
        if (around !== undefined && handedOn >= 0) {
          if (!wrappers.has(`${file}#${around.name}`)) {
            wrappers.set(`${file}#${around.name}`, handedOn);
            grew = true;
          }
          return;
        }
        launches.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, callee: name, program: programArgument?.getText() ?? '', node, programArgument });
      });
    }
  }
  return { launches, problems };
}

describe('no shell is ever built from scenario strings', () => {
  const { launches, problems } = scan(REPO);

  it('finds the places that start processes (the scan works)', () => {
    // The known ones: the scenario's processes, k6, the cluster's components, openssl, kind, docker.
    expect(launches.length).to.be.greaterThan(8);
    expect(launches.map((launch) => launch.file)).to.include.members(['harness/run/processes.ts', 'harness/cluster/local/pki.ts', 'harness/load/k6-session.ts']);
  });

  it('no exec, execSync, fork, shell option or sh -c anywhere in harness/', () => {
    expect(problems).to.deep.equal([]);
  });

  it('every program started is a fixed binary or a reviewed place', () => {
    const unreviewed = launches
      .filter((launch) => launch.programArgument === undefined || (!ts.isStringLiteral(launch.programArgument) && launch.program !== 'process.execPath'))
      .map((launch) => `${launch.file}: ${launch.program}`)
      .filter((key) => REVIEWED[key] === undefined);
    expect(unreviewed, 'a process started from a name that is not a literal: make it one, or review it and add it to REVIEWED').to.deep.equal([]);
  });

  it('every reviewed place still exists (the list does not hide a change)', () => {
    const found = new Set(launches.map((launch) => `${launch.file}: ${launch.program}`));
    expect(Object.keys(REVIEWED).filter((key) => !found.has(key))).to.deep.equal([]);
  });

  it("the scenario's processes are started as an argument list, never through a shell", () => {
    const processes = launches.filter((launch) => launch.file === 'harness/run/processes.ts');
    expect(processes.map((launch) => `${launch.callee}(${launch.program}, ${launch.node.arguments[1]?.getText() ?? ''})`)).to.deep.equal(['spawn(program, args)']);
  });
});
