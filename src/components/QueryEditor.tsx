import { type QueryEditorProps } from '@grafana/data';
import { Field, InlineField, InlineSwitch, RadioButtonGroup, Stack } from '@grafana/ui';
import React, { type ChangeEvent, type ReactNode } from 'react';

import type { DataSource } from '../datasource/DataSource';
import type { EsTracesOptions, EsTracesQuery, QueryType } from '../types';
import { TraceIdField, traceIdProblem } from './fields';
import { ImportEditor } from './ImportEditor';
import { LogsEditor } from './LogsEditor';
import { MetricsEditor } from './MetricsEditor';
import { SearchEditor } from './SearchEditor';
import { TraceStatsEditor } from './TraceStatsEditor';

/** Kept here too: tests and older imports name the trace id check of this editor. */
export { traceIdProblem };

export type QueryEditorPropsType = QueryEditorProps<DataSource, EsTracesQuery, EsTracesOptions>;

/** What each query type's editor receives: the query, and ways to change and run it. */
interface QueryTypeEditorProps {
  query: EsTracesQuery;
  onChange: (query: EsTracesQuery) => void;
  onRunQuery: () => void;
  datasource: DataSource;
}

function TraceIdEditor({ query, onChange, onRunQuery }: QueryTypeEditorProps) {
  const onUseTimeRange = (event: ChangeEvent<HTMLInputElement>) => {
    onChange({ ...query, useTimeRange: event.currentTarget.checked });
    onRunQuery();
  };

  return (
    <Stack direction="row" gap={2} alignItems="flex-start" wrap="wrap">
      <TraceIdField
        query={query}
        onChange={(traceId) => onChange({ ...query, query: traceId })}
        onRunQuery={onRunQuery}
        id={`estraces-trace-id-${query.refId}`}
        placeholder="16 or 32 hex digits, or $variable"
      />
      <InlineField
        label="Limit to time range"
        tooltip="By default a trace id is looked up over all time. Switch this on to search only the dashboard's time range, which is faster on large indices."
      >
        <InlineSwitch
          id={`estraces-use-time-range-${query.refId}`}
          value={query.useTimeRange ?? false}
          onChange={onUseTimeRange}
        />
      </InlineField>
    </Stack>
  );
}

/** Trace statistics take their trace exactly as the Trace ID editor does, then a grouping. */
function TraceStatsQueryEditor(props: QueryTypeEditorProps) {
  return (
    <TraceStatsEditor {...props}>
      <TraceIdEditor {...props} />
    </TraceStatsEditor>
  );
}

/** The service map takes the dashboard's time range and nothing else; the data source settings say how many spans it joins. */
function ServiceMapEditor() {
  return <div>Services and the peers they call over the dashboard&apos;s time range, for the Node graph panel. Click a node or an edge to search its traces.</div>;
}

/**
 * The query types the editor offers, each with its own editor. Search, scatter and histogram share
 * one filter form. Later kinds are added here, and nowhere else.
 */
const QUERY_TYPES: Array<{
  label: string;
  value: QueryType;
  description: string;
  editor: (props: QueryTypeEditorProps) => ReactNode;
}> = [
  { label: 'Trace ID', value: 'traceId', description: 'Show one trace by its id', editor: TraceIdEditor },
  {
    label: 'Trace statistics',
    value: 'traceStats',
    description: "One trace's spans by service and operation (or attribute): count, durations and self time, as a table",
    editor: TraceStatsQueryEditor,
  },
  {
    label: 'Search',
    value: 'search',
    description: 'Find traces by service, operation, attributes, duration and status',
    editor: SearchEditor,
  },
  {
    label: 'Scatter',
    value: 'scatter',
    description: 'One point per trace (or span): start time against duration',
    editor: SearchEditor,
  },
  { label: 'Histogram', value: 'histogram', description: 'Distribution of trace durations', editor: SearchEditor },
  {
    label: 'Metrics',
    value: 'metrics',
    description: 'Rate, errors and duration of spans over time, or per service and operation',
    editor: MetricsEditor,
  },
  {
    label: 'Service map',
    value: 'serviceMap',
    description: 'Services, the peers they call and the calls between them over the time range, for the node graph panel',
    editor: ServiceMapEditor,
  },
  {
    label: 'Logs',
    value: 'logs',
    description: 'Log lines by trace, span, service, severity or text',
    editor: LogsEditor,
  },
  {
    label: 'Import',
    value: 'upload',
    description: 'Show a trace from a JSON file (OTLP, Jaeger or Zipkin), with no engine behind it',
    editor: ImportEditor,
  },
];

export function QueryEditor({ query, onChange, onRunQuery, datasource }: QueryEditorPropsType) {
  const queryType = query.queryType ?? 'traceId';
  const current = QUERY_TYPES.find((type) => type.value === queryType);
  // Keep queryType explicit in what is stored, so a saved query says what it is.
  const withType: EsTracesQuery = { ...query, queryType };
  const Editor = current?.editor;

  return (
    <Stack direction="column" gap={1}>
      <Field label="Query type" noMargin>
        <RadioButtonGroup<QueryType>
          options={QUERY_TYPES.map(({ label, value, description }) => ({ label, value, description }))}
          value={queryType}
          onChange={(value) => onChange({ ...query, queryType: value })}
          size="sm"
        />
      </Field>
      {Editor ? (
        <Editor query={withType} onChange={onChange} onRunQuery={onRunQuery} datasource={datasource} />
      ) : (
        <div>{`Query type '${queryType}' is not supported by this version of the plugin.`}</div>
      )}
    </Stack>
  );
}
