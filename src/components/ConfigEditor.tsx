import { type DataSourcePluginOptionsEditorProps, type SelectableValue } from '@grafana/data';
import { Combobox, type ComboboxOption, DataSourceHttpSettings, Field, FieldSet, InlineField, InlineSwitch, Input } from '@grafana/ui';
import React, { type ChangeEvent, useState } from 'react';

import { TracesToLogsSettings } from './TracesToLogsSettings';

import {
  DEFAULT_MAX_TRACE_SPANS,
  DEFAULT_SERVICE_MAP_SPANS,
  type EsTracesOptions,
  type FieldOverrides,
  LOG_SCHEMA_NAMES,
  type LogSchemaName,
  SCHEMA_NAMES,
  type SchemaSetting,
} from '../types';

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
  'bklog-log': 'BlueKing LOG protocol',
  ss4o: 'OpenTelemetry Collector opensearch exporter (ss4o)',
};

/** `auto` first, then every producer preset, then a layout of the user's own. */
export const SCHEMA_OPTIONS: Array<ComboboxOption<SchemaSetting>> = (
  ['auto', ...SCHEMA_NAMES, 'custom'] as SchemaSetting[]
).map((value) => ({
  value,
  label: value,
  description: SCHEMA_DESCRIPTIONS[value],
}));

export type LogsSchemaSetting = 'auto' | LogSchemaName;

const LOGS_SCHEMA_DESCRIPTIONS: Record<LogsSchemaSetting, string> = {
  auto: 'Detect from the mapping of the logs indices',
  otel: 'OpenTelemetry Collector elasticsearch exporter, otel mode',
  'otel-raw': 'OpenTelemetry Collector elasticsearch exporter, none/raw modes',
  ecs: 'OpenTelemetry Collector elasticsearch exporter, ecs mode',
  'elastic-apm': 'Elastic APM',
  'data-prepper': 'OpenSearch Data Prepper',
  bklog: 'BlueKing OTLP',
  'bklog-log': 'BlueKing LOG protocol',
  ss4o: 'OpenTelemetry Collector opensearch exporter (ss4o)',
};

/** `auto` first, then every logs producer the plugin reads. */
export const LOGS_SCHEMA_OPTIONS: Array<ComboboxOption<LogsSchemaSetting>> = (
  ['auto', ...LOG_SCHEMA_NAMES] as LogsSchemaSetting[]
).map((value) => ({
  value,
  label: value,
  description: LOGS_SCHEMA_DESCRIPTIONS[value],
}));

export const MAX_SPANS_LIMIT = 1_000_000;
export const DEFAULT_TIMEOUT_SECONDS = 60;
/** An hour: longer than any single engine call should take. */
export const MAX_TIMEOUT_SECONDS = 3600;

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

function CustomLayout({
  overrides,
  onChange,
}: {
  overrides: FieldOverrides;
  onChange: (next: FieldOverrides) => void;
}) {
  return (
    // Where the documents keep each span field (paths as in the mapping); Save & test checks them.
    <FieldSet label="Custom layout">
      {OVERRIDE_FIELDS.map(({ key, label, placeholder, required }) => (
        <Field
          key={key}
          label={label}
          required={required}
          invalid={required && !overrides[key]}
          error={`The ${label.toLowerCase()} is required for a custom layout`}
        >
          <Input
            id={`estraces-field-${key}`}
            placeholder={placeholder}
            value={overrides[key] ?? ''}
            onChange={(event: ChangeEvent<HTMLInputElement>) =>
              onChange({ ...overrides, [key]: event.currentTarget.value.trim() || undefined })
            }
            width={40}
          />
        </Field>
      ))}
      <Field label="Duration unit">
        <Combobox<'ns' | 'us' | 'ms'>
          id="estraces-duration-unit"
          options={DURATION_UNITS}
          value={overrides.durationUnit ?? 'ns'}
          onChange={(option: SelectableValue<'ns' | 'us' | 'ms'>) =>
            onChange({ ...overrides, durationUnit: option.value ?? 'ns' })
          }
          width={40}
        />
      </Field>
    </FieldSet>
  );
}

/** A whole number from 1 to `max`, or a message saying what is wrong. */
function checkWholeNumber(text: string, max: number, unit: string): { value: number } | { error: string } {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 1 || value > max) {
    return { error: `Enter a whole number of ${unit} from 1 to ${max.toLocaleString('en-US')}` };
  }
  return { value };
}

/** Max spans per trace: a positive whole number up to 1,000,000. */
export function checkMaxSpans(text: string): { value: number } | { error: string } {
  return checkWholeNumber(text, MAX_SPANS_LIMIT, 'spans');
}

/** Request timeout: a positive whole number of seconds up to an hour. */
export function checkTimeoutSeconds(text: string): { value: number } | { error: string } {
  return checkWholeNumber(text, MAX_TIMEOUT_SECONDS, 'seconds');
}

/**
 * A number input that keeps what the user typed and says at once why it is wrong. The value is
 * stored when the field loses focus, and only if it is valid: an invalid entry never reaches
 * jsonData (nor does a valid prefix of it, as storing on every keystroke would do for 2000000).
 */
function useCheckedNumber(
  stored: number,
  check: (text: string) => { value: number } | { error: string },
  store: (value: number) => void
) {
  const [text, setText] = useState(String(stored));
  const [error, setError] = useState<string | undefined>();
  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const raw = event.currentTarget.value;
    setText(raw);
    const checked = check(raw);
    setError('error' in checked ? checked.error : undefined);
  };
  const onBlur = () => {
    const checked = check(text);
    if ('value' in checked && checked.value !== stored) {
      store(checked.value);
    }
  };
  return { text, error, onChange, onBlur };
}

/** A whole-number setting whose message shows while typing and whose value is stored when valid. */
function NumberField({
  id,
  label,
  description,
  max,
  checked,
}: {
  id: string;
  label: string;
  description: string;
  max: number;
  checked: ReturnType<typeof useCheckedNumber>;
}) {
  return (
    <Field label={label} description={description} invalid={checked.error !== undefined} error={checked.error}>
      <Input
        id={id}
        type="number"
        min={1}
        max={max}
        step={1}
        value={checked.text}
        onChange={checked.onChange}
        onBlur={checked.onBlur}
        width={20}
      />
    </Field>
  );
}

/**
 * Connection and authentication use Grafana's standard HTTP settings, so credentials (basic auth,
 * TLS client certificates, custom headers) are kept in secureJsonData and added by Grafana's data
 * source proxy; an Elasticsearch API key is a custom header `Authorization: ApiKey <key>`. The rest
 * says where the spans are and how they are stored.
 */
export function ConfigEditor(props: ConfigEditorProps) {
  const { options, onOptionsChange } = props;
  const jsonData = options.jsonData ?? {};

  const update = (patch: Partial<EsTracesOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });
  const onText = (key: 'spanIndex' | 'logsIndex') => (event: ChangeEvent<HTMLInputElement>) =>
    update({ [key]: event.currentTarget.value.trim() });

  const maxSpans = useCheckedNumber(jsonData.maxTraceSpans ?? DEFAULT_MAX_TRACE_SPANS, checkMaxSpans, (maxTraceSpans) =>
    update({ maxTraceSpans })
  );
  const mapSpans = useCheckedNumber(jsonData.serviceMap?.maxSpans ?? DEFAULT_SERVICE_MAP_SPANS, checkMaxSpans, (maxSpans) =>
    update({ serviceMap: { ...jsonData.serviceMap, maxSpans } })
  );
  const timeout = useCheckedNumber(
    jsonData.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    checkTimeoutSeconds,
    (timeoutSeconds) => update({ timeoutSeconds })
  );

  const spanIndexMissing = !jsonData.spanIndex;

  return (
    <>
      {/* Deprecated for @grafana/plugin-ui's ConnectionSettings/Auth, which is not a dependency of this plugin. */}
      {/* eslint-disable-next-line @typescript-eslint/no-deprecated */}
      <DataSourceHttpSettings
        defaultUrl="http://localhost:9200"
        dataSourceConfig={options}
        onChange={onOptionsChange}
        showAccessOptions={false}
      />

      <FieldSet label="Indices and schema">
        <Field
          label="Span index pattern"
          description="Indices holding spans, and span events where the schema keeps them apart, e.g. traces-* or estraces-demo*"
          invalid={spanIndexMissing}
          error="The span index pattern is required"
          required
        >
          <Input
            id="estraces-span-index"
            placeholder="traces-*"
            value={jsonData.spanIndex ?? ''}
            onChange={onText('spanIndex')}
            width={40}
          />
        </Field>
        <Field label="Logs index pattern" description="Indices holding the logs that go with the spans (optional)">
          <Input
            id="estraces-logs-index"
            placeholder="logs-*"
            value={jsonData.logsIndex ?? ''}
            onChange={onText('logsIndex')}
            width={40}
          />
        </Field>
        <Field
          label="Logs schema"
          description="How the logs are stored: detect it from the mapping, or name the producer"
        >
          <Combobox<LogsSchemaSetting>
            id="estraces-logs-schema"
            options={LOGS_SCHEMA_OPTIONS}
            value={jsonData.logsSchema ?? 'auto'}
            onChange={(option: SelectableValue<LogsSchemaSetting>) => update({ logsSchema: option.value ?? 'auto' })}
            width={40}
          />
        </Field>
        <Field label="Schema" description="How the spans are stored: detect it from the mapping, or name the producer">
          <Combobox<SchemaSetting>
            id="estraces-schema"
            options={SCHEMA_OPTIONS}
            value={jsonData.schema ?? 'auto'}
            onChange={(option: SelectableValue<SchemaSetting>) => update({ schema: option.value ?? 'auto' })}
            width={40}
          />
        </Field>
        {jsonData.schema === 'custom' && (
          <CustomLayout
            overrides={jsonData.fieldOverrides ?? {}}
            onChange={(fieldOverrides) => update({ fieldOverrides })}
          />
        )}
        <NumberField
          id="estraces-max-spans"
          label="Max spans per trace"
          description={`Larger traces are truncated with a warning (default ${DEFAULT_MAX_TRACE_SPANS.toLocaleString('en-US')})`}
          max={MAX_SPANS_LIMIT}
          checked={maxSpans}
        />
        <NumberField
          id="estraces-timeout"
          label="Request timeout (seconds)"
          description={`For each request to the engine (default ${DEFAULT_TIMEOUT_SECONDS}). Grafana's data source proxy applies its own timeout as well: the HTTP Timeout above, or the server's [dataproxy] timeout.`}
          max={MAX_TIMEOUT_SECONDS}
          checked={timeout}
        />
      </FieldSet>

      <TracesToLogsSettings value={jsonData.tracesToLogsV2} onChange={(tracesToLogsV2) => update({ tracesToLogsV2 })} />

      <FieldSet label="Node graph">
        <InlineField label="Enable node graph" labelWidth={24} tooltip="Beside each trace, its spans as a graph of calls with each span's total and self time, as Grafana's Jaeger and Tempo data sources show it">
          <InlineSwitch
            id="estraces-node-graph"
            value={jsonData.nodeGraph?.enabled ?? false}
            onChange={(event: ChangeEvent<HTMLInputElement>) => update({ nodeGraph: { ...jsonData.nodeGraph, enabled: event.currentTarget.checked } })}
          />
        </InlineField>
      </FieldSet>

      <FieldSet label="Service map">
        <NumberField
          id="estraces-service-map-spans"
          label="Service map spans"
          description={`The service map pairs each span of the range with its parent for its edges, up to this many spans (default ${DEFAULT_SERVICE_MAP_SPANS.toLocaleString('en-US')}); beyond it, edges come from a sample of whole traces and the map says so. Services' requests, errors and percentiles are always exact.`}
          max={MAX_SPANS_LIMIT}
          checked={mapSpans}
        />
      </FieldSet>
    </>
  );
}
