import { Button, FileDropzone, Stack, Text } from '@grafana/ui';
import React, { useRef, useState } from 'react';

import type { DataSource } from '../datasource/DataSource';
import type { EsTracesQuery } from '../types';
import { TraceIdField } from './fields';

export interface ImportEditorProps {
  query: EsTracesQuery;
  onChange: (query: EsTracesQuery) => void;
  onRunQuery: () => void;
  datasource: DataSource;
}

/** What the dropzone takes: JSON files, one at a time. */
const DROPZONE_OPTIONS = { accept: { 'application/json': ['.json'] }, multiple: false };

export const IMPORT_FORMATS = [
  'OTLP/JSON: {"resourceSpans": [...]} as OpenTelemetry exporters and the Collector\'s file exporter write it, or Jaeger\'s api/v3 answer',
  'Jaeger JSON: {"data": [...]} as Jaeger\'s /api/traces/ID and its "Download JSON" give it',
  'Zipkin v2 JSON: a list of spans, as Zipkin\'s /api/v2/trace/ID gives it (or a list of such lists)',
];

/** The chosen file goes to the data source instance, where its query() reads it; none clears it. */
function keepOnInstance(datasource: DataSource, file?: { name?: string; text: string }): void {
  datasource.uploadedJson = file?.text;
  datasource.uploadedFileName = file?.name;
}

/**
 * A trace from a JSON file, with no engine: the file's text stays on the data source instance (as
 * Grafana's Jaeger, Zipkin and Tempo data sources keep theirs), never in the saved query. The
 * optional trace id picks one trace of a file that holds several.
 */
export function ImportEditor({ query, onChange, onRunQuery, datasource }: ImportEditorProps) {
  // The instance outlives this editor (switching query types remounts it): start from what it holds.
  const [fileName, setFileName] = useState(datasource.uploadedJson === undefined ? undefined : datasource.uploadedFileName ?? 'a trace file');
  // The dropzone reads the file it was given and hands over only the text: its name comes first, from the drop.
  const dropped = useRef<string | undefined>(undefined);

  const onLoad = (result: string | ArrayBuffer | null) => {
    keepOnInstance(datasource, { name: dropped.current, text: typeof result === 'string' ? result : '' });
    setFileName(dropped.current ?? 'a trace file');
    onRunQuery();
  };
  const onClear = () => {
    keepOnInstance(datasource);
    setFileName(undefined);
    onRunQuery();
  };

  return (
    <Stack direction="column" gap={1}>
      <Text element="p" color="secondary">
        Show a trace from a JSON file, read in the browser with no engine behind it. The file is not saved with the query. Accepted:
      </Text>
      <ul>
        {IMPORT_FORMATS.map((format) => (
          <li key={format}>
            <Text color="secondary">{format}</Text>
          </li>
        ))}
      </ul>
      <FileDropzone
        id={`estraces-import-file-${query.refId}`}
        options={{ ...DROPZONE_OPTIONS, onDropAccepted: (files: File[]) => (dropped.current = files[0]?.name) }}
        readAs="readAsText"
        onLoad={onLoad}
        fileListRenderer={() => null}
      />
      {fileName !== undefined && (
        <Stack direction="row" gap={1} alignItems="center">
          <Text>
            Showing <strong>{fileName}</strong>
          </Text>
          <Button variant="secondary" size="sm" icon="times" onClick={onClear}>
            Clear
          </Button>
        </Stack>
      )}
      <TraceIdField
        query={query}
        onChange={(traceId) => onChange({ ...query, query: traceId })}
        onRunQuery={onRunQuery}
        id={`estraces-import-trace-id-${query.refId}`}
        placeholder="the file's first trace"
        description="Optional: which trace of a file that holds several (else the first)"
      />
    </Stack>
  );
}
