/**
 * The plugin's source type-checked against the oldest supported Grafana: src/module.ts (and all it
 * imports) plus floorApi.ts, compiled with tests/compat/tsconfig.json, whose paths point
 * @grafana/data, ui, runtime, schema, rxjs and React's types at the copies of Grafana 11.6.0 in
 * tests/compat/floor/. Levitate compares the exports the plugin imports; this also sees the props,
 * option fields and trace frame fields the plugin uses. Each gap the floor has is listed below with
 * what it means on that Grafana; any other error fails, and so does a listed gap that is gone.
 */
import * as path from 'path';
import * as ts from 'typescript';

const TSCONFIG = path.join(__dirname, 'tsconfig.json');

/** Type.member the floor lacks (and the release that added it) -> what a user of an older Grafana sees. */
const FLOOR_GAPS: Record<string, string> = {
  // @grafana/ui 12.1. Field spreads unknown props onto its <div>, where React drops this one.
  'FieldProps.noMargin': 'the fields of the editors keep their bottom margin',
  // @grafana/ui 13.1; Combobox ignores the prop.
  'ComboboxBaseProps.onIsOpenChange': 'a picker fetches its list once per editor, not at each opening',
  // @grafana/ui 12.3; FileDropzone ignores the prop.
  'FileDropzoneProps.id': "the Import editor's file input has no id of its own",
  // @grafana/data 12.2: Grafana sends the context window from then on.
  'LogRowContextOptions.timeWindowMs': 'the log context search looks within its default window',
  // @grafana/data 13.0: the trace view reads the frame's fields by name and skips this one.
  'TraceSpanRow.serviceNamespace':
    "the trace view shows no namespace beside the service name (it stays among the span's resource attributes)",
};

/** The innermost message of a diagnostic: the one that names the property. */
function innermost(message: string | ts.DiagnosticMessageChain): string {
  let chain = message;
  while (typeof chain !== 'string' && chain.next?.length) {
    chain = chain.next[0];
  }
  return typeof chain === 'string' ? chain : chain.messageText;
}

/** "Type.member" for a diagnostic about a member the floor's type lacks, else the whole message. */
function gapOf(diagnostic: ts.Diagnostic): string {
  const text = innermost(diagnostic.messageText);
  const match =
    /^Property '(\w+)' does not exist on type '(.*)'\.$/.exec(text) ??
    /^Object literal may only specify known properties, but '(\w+)' does not exist in type '(.*)'\./.exec(text) ??
    /^Type '"(\w+)"' is not assignable to type 'keyof (.*)'\./.exec(text);
  const typeName = match && /\b(\w+(?:Props|Options|Row))\b/.exec(match[2]);
  if (!match || !typeName) {
    const file = diagnostic.file ? `${path.relative(process.cwd(), diagnostic.file.fileName)}: ` : '';
    return file + ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
  }
  return `${typeName[1]}.${match[1]}`;
}

it("type-checks against Grafana 11.6.0's packages with only the known gaps", () => {
  const config = ts.getParsedCommandLineOfConfigFile(
    TSCONFIG,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, ' ')) }
  );
  expect(config?.errors).toEqual([]);
  const program = ts.createProgram({ rootNames: config!.fileNames, options: config!.options });
  // The paths reach the floor: @grafana/data resolves to the copy of 11.6.0.
  const resolved = ts.resolveModuleName(
    '@grafana/data',
    path.join(__dirname, 'floorApi.ts'),
    config!.options,
    ts.sys
  ).resolvedModule;
  expect(path.relative(__dirname, resolved!.resolvedFileName)).toMatch(/^floor\/node_modules\/@grafana\/data\//);

  const gaps = [...new Set(ts.getPreEmitDiagnostics(program).map(gapOf))].sort();
  expect(gaps).toEqual(Object.keys(FLOOR_GAPS).sort());
});
