import { type DataSourcePluginOptionsEditorProps, type SelectableValue } from '@grafana/data';
import { Combobox, type ComboboxOption, DataSourceHttpSettings, Field, FieldSet, Input } from '@grafana/ui';
import React, { type ChangeEvent, useState } from 'react';

import { DEFAULT_MAX_TRACE_SPANS, type EsTracesOptions, type FieldOverrides, SCHEMA_NAMES, type SchemaSetting } from '../types';

export type ConfigEditorProps = DataSourcePluginOptionsEditorProps<EsTracesOptions>;

const SCHEMA_DESCRIPTIONS: Record<SchemaSetting, string> = {
  auto: 'Detect from the mapping of each index',
  custom: 'A layout of your own: name the fields below',
  otel: 'OpenTelemetry Collector elasticsearch exporter, otel mode',
  'otel-raw': 'OpenTelemetry Collector elasticsearch exporter, none/raw modes',
  ecs: 'OpenTelemetry Collector elasticsearch exporter, ecs mode',
  jaeger: 'Jaeger',
  'data-prepper': 'OpenSearch Data Prepper',
  'elastic-apm': 'Elastic APM',
  zipkin: 'Zipkin',
  bklog: 'BlueKing OTLP',
};

const SCHEMA_OPTIONS: Array<ComboboxOption<SchemaSetting>> = (['auto', ...SCHEMA_NAMES, 'custom'] as SchemaSetting[]).map((value) => ({
  value,
  label: value === 'auto' ? 'auto' : value,
  description: SCHEMA_DESCRIPTIONS[value],
}));

const MAX_SPANS_LIMIT = 1_000_000;

type OverridePath = Exclude<keyof FieldOverrides, 'durationUnit'>;

/** The custom layout's fields: label, placeholder, and whether the layout needs it. */
const OVERRIDE_FIELDS: Array<{ key: OverridePath; label: string; placeholder: string; required?: boolean }> = [
  { key: 'traceId', label: 'Trace id field', placeholder: 'trace.id', required: true },
  { key: 'spanId', label: 'Span id field', placeholder: 'span.id', required: true },
  { key: 'parentSpanId', label: 'Parent span id field', placeholder: 'parent.id' },
  { key: 'start', label: 'Start time field', placeholder: '@timestamp', required: true },
  { key: 'duration', label: 'Duration field', placeholder: 'duration_us' },
  { key: 'serviceName', label: 'Service name field', placeholder: 'service.name' },
  { key: 'name', label: 'Span name field', placeholder: 'span.name' },
  { key: 'statusCode', label: 'Status field', placeholder: 'status.code' },
  { key: 'attributesPrefix', label: 'Attributes prefix', placeholder: 'attributes' },
];

const DURATION_UNITS: Array<ComboboxOption<'ns' | 'us' | 'ms'>> = [
  { value: 'ns', label: 'nanoseconds' },
  { value: 'us', label: 'microseconds' },
  { value: 'ms', label: 'milliseconds' },
];

function CustomLayout({ overrides, onChange }: { overrides: FieldOverrides; onChange: (next: FieldOverrides) => void }) {
  return (
    // Where the documents keep each span field (paths as in the mapping); Save & test checks them.
    <FieldSet label="Custom layout">
      {OVERRIDE_FIELDS.map(({ key, label, placeholder, required }) => (
        <Field key={key} label={label} required={required} invalid={required && !overrides[key]} error={`The ${label.toLowerCase()} is required for a custom layout`}>
          <Input id={`estraces-field-${key}`} placeholder={placeholder} defaultValue={overrides[key] ?? ''} onBlur={(event) => onChange({ ...overrides, [key]: event.currentTarget.value.trim() || undefined })} width={40} />
        </Field>
      ))}
      <Field label="Duration unit">
        <Combobox<'ns' | 'us' | 'ms'> id="estraces-duration-unit" options={DURATION_UNITS} value={overrides.durationUnit ?? 'ns'} onChange={(option: SelectableValue<'ns' | 'us' | 'ms'>) => onChange({ ...overrides, durationUnit: option.value ?? 'ns' })} width={40} />
      </Field>
    </FieldSet>
  );
}

/** A positive whole number within the limit, or a message saying what is wrong. */
export function checkMaxSpans(text: string): { value: number } | { error: string } {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 1 || value > MAX_SPANS_LIMIT) {
    return { error: `Enter a whole number of spans from 1 to ${MAX_SPANS_LIMIT.toLocaleString('en-US')}` };
  }
  return { value };
}

/**
 * Connection and authentication use Grafana's standard HTTP settings, so credentials (basic auth,
 * custom headers such as `Authorization: ApiKey ...`) are kept in secureJsonData and added by
 * Grafana's data source proxy; the rest says where the spans are and how they are stored.
 */
export function ConfigEditor({ options, onOptionsChange }: ConfigEditorProps) {
  const jsonData = options.jsonData ?? {};
  const [maxSpansText, setMaxSpansText] = useState(String(jsonData.maxTraceSpans ?? DEFAULT_MAX_TRACE_SPANS));
  const [maxSpansError, setMaxSpansError] = useState<string | undefined>();

  const update = (patch: Partial<EsTracesOptions>) => onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });
  const text = (key: 'spanIndex' | 'logsIndex') => (event: ChangeEvent<HTMLInputElement>) => update({ [key]: event.currentTarget.value.trim() });

  const onMaxSpans = (event: ChangeEvent<HTMLInputElement>) => {
    const raw = event.currentTarget.value;
    setMaxSpansText(raw);
    const checked = checkMaxSpans(raw);
    if ('error' in checked) {
      setMaxSpansError(checked.error);
      return;
    }
    setMaxSpansError(undefined);
    update({ maxTraceSpans: checked.value });
  };

  const onTimeout = (event: ChangeEvent<HTMLInputElement>) => {
    const seconds = Number(event.currentTarget.value);
    if (Number.isInteger(seconds) && seconds > 0) {
      update({ timeoutSeconds: seconds });
    }
  };

  const spanIndexMissing = !jsonData.spanIndex;

  return (
    <>
      <DataSourceHttpSettings defaultUrl="http://localhost:9200" dataSourceConfig={options} onChange={onOptionsChange} showAccessOptions={false} />
      <FieldSet label="Indices and schema">
        <Field label="Span index pattern" description="Indices holding spans, and span events where the schema keeps them apart, e.g. traces-* or estraces-demo*" invalid={spanIndexMissing} error="The span index pattern is required" required>
          <Input id="estraces-span-index" placeholder="traces-*" defaultValue={jsonData.spanIndex ?? ''} onBlur={text('spanIndex')} width={40} />
        </Field>
        <Field label="Logs index pattern" description="Indices holding the logs that go with the spans (optional)">
          <Input id="estraces-logs-index" placeholder="logs-*" defaultValue={jsonData.logsIndex ?? ''} onBlur={text('logsIndex')} width={40} />
        </Field>
        <Field label="Schema" description="How the spans are stored: detect it, or name the producer">
          <Combobox<SchemaSetting> id="estraces-schema" options={SCHEMA_OPTIONS} value={jsonData.schema ?? 'auto'} onChange={(option: SelectableValue<SchemaSetting>) => update({ schema: option.value ?? 'auto' })} width={40} />
        </Field>
        {jsonData.schema === 'custom' && <CustomLayout overrides={jsonData.fieldOverrides ?? {}} onChange={(fieldOverrides) => update({ fieldOverrides })} />}
        <Field label="Max spans per trace" description="Larger traces are truncated with a warning" invalid={maxSpansError !== undefined} error={maxSpansError}>
          <Input id="estraces-max-spans" type="number" value={maxSpansText} onChange={onMaxSpans} width={20} />
        </Field>
        <Field label="Request timeout (seconds)" description="For each request to the engine">
          <Input id="estraces-timeout" type="number" defaultValue={String(jsonData.timeoutSeconds ?? 60)} onBlur={onTimeout} width={20} />
        </Field>
      </FieldSet>
    </>
  );
}
