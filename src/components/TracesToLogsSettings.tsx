import { type DataSourceInstanceSettings } from '@grafana/data';
import { DataSourcePicker, getDataSourceSrv } from '@grafana/runtime';
import { Button, Field, FieldSet, IconButton, InlineField, InlineSwitch, Input, Stack } from '@grafana/ui';
import React, { type ChangeEvent, useState } from 'react';

import { isLogsTargetType, LOGS_TARGET_NAMES, logsTargetProblem } from '../datasource/logsTarget';
import type { TracesToLogsOptions } from '../types';

/** The logs data sources Grafana's trace view can build a query for, and this plugin. */
export function isLogsTarget(ds: Pick<DataSourceInstanceSettings, 'type'>): boolean {
  return isLogsTargetType(ds.type);
}

/** A Grafana interval such as `-2s`, `500ms`, `5m`. */
const TIME_SHIFT = /^-?\d+(ms|s|m|h|d)$/;
export const TIME_SHIFT_ERROR = 'Enter a whole number with a unit (ms, s, m, h or d), e.g. -2s, 500ms or 5m';

/** A span time shift: empty (no shift: the key is removed), or a Grafana interval. */
export function checkTimeShift(text: string): { value: string | undefined } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') {
    return { value: undefined };
  }
  return TIME_SHIFT.test(trimmed) ? { value: trimmed } : { error: TIME_SHIFT_ERROR };
}

type ShiftKey = 'spanStartTimeShift' | 'spanEndTimeShift';
type TagRow = { key: string; value: string };

const LABEL_WIDTH = 26;

/** The rows worth saving: those with a key; `value` only when it renames the field. */
function toTags(rows: TagRow[]): TracesToLogsOptions['tags'] {
  const tags = rows
    .map(({ key, value }) => ({ key: key.trim(), value: value.trim() }))
    .filter(({ key }) => key !== '')
    .map(({ key, value }) => (value ? { key, value } : { key }));
  return tags.length > 0 ? tags : undefined;
}

/** A copy of `options` with `patch` applied, where an undefined value removes its key. */
function withPatch(options: TracesToLogsOptions, patch: Partial<TracesToLogsOptions>): TracesToLogsOptions {
  const next: TracesToLogsOptions = { ...options, ...patch };
  for (const key of Object.keys(patch) as Array<keyof TracesToLogsOptions>) {
    if (next[key] === undefined) {
      delete next[key];
    }
  }
  return next;
}

/**
 * A time shift input: keeps what is typed, stores it when the field is left and only if valid,
 * and says why an invalid entry was refused.
 */
function TimeShiftField({
  id,
  label,
  tooltip,
  placeholder,
  stored,
  onStore,
}: {
  id: string;
  label: string;
  tooltip: string;
  placeholder: string;
  stored: string | undefined;
  onStore: (value: string | undefined) => void;
}) {
  const [text, setText] = useState(stored ?? '');
  const [error, setError] = useState<string | undefined>();
  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const raw = event.currentTarget.value;
    setText(raw);
    // A refusal is shown once the field is left; fixing the entry clears it at once.
    if (error !== undefined && !('error' in checkTimeShift(raw))) {
      setError(undefined);
    }
  };
  const onBlur = () => {
    const checked = checkTimeShift(text);
    if ('error' in checked) {
      setError(checked.error);
      return;
    }
    setError(undefined);
    if (checked.value !== stored) {
      onStore(checked.value);
    }
  };
  return (
    <InlineField label={label} labelWidth={LABEL_WIDTH} tooltip={tooltip} invalid={error !== undefined} error={error}>
      <Input id={id} placeholder={placeholder} value={text} onChange={onChange} onBlur={onBlur} width={20} />
    </InlineField>
  );
}

/** Span or resource attributes to look for in the logs, each optionally under another field name. */
function TagsEditor({
  stored,
  onStore,
}: {
  stored: TracesToLogsOptions['tags'];
  onStore: (tags: TracesToLogsOptions['tags']) => void;
}) {
  // Rows live here so that a new, still empty row can be shown without being saved.
  const [rows, setRows] = useState<TagRow[]>(() =>
    (stored ?? []).map(({ key, value }) => ({ key, value: value ?? '' }))
  );
  const change = (next: TagRow[]) => {
    setRows(next);
    const tags = toTags(next);
    if (JSON.stringify(tags) !== JSON.stringify(stored)) {
      onStore(tags);
    }
  };
  const setRow = (index: number, patch: Partial<TagRow>) =>
    change(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));

  return (
    <Stack direction="column" gap={1}>
      {rows.map((row, index) => (
        <Stack key={index} direction="row" gap={1} alignItems="center">
          <Input
            aria-label={`Tag ${index + 1} key`}
            placeholder="Tag key, e.g. service.name"
            value={row.key}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setRow(index, { key: event.currentTarget.value })}
            width={30}
          />
          <span>as</span>
          <Input
            aria-label={`Tag ${index + 1} field`}
            placeholder="Log field (optional)"
            value={row.value}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setRow(index, { value: event.currentTarget.value })}
            width={30}
          />
          <IconButton
            name="trash-alt"
            tooltip={`Remove tag ${index + 1}`}
            aria-label={`Remove tag ${index + 1}`}
            onClick={() => change(rows.filter((_, i) => i !== index))}
          />
        </Stack>
      ))}
      <div>
        <Button variant="secondary" size="sm" icon="plus" onClick={() => setRows([...rows, { key: '', value: '' }])}>
          Add tag
        </Button>
      </div>
    </Stack>
  );
}

export interface TracesToLogsSettingsProps {
  value: TracesToLogsOptions | undefined;
  /** The whole new tracesToLogsV2 object, every other key kept. */
  onChange: (next: TracesToLogsOptions) => void;
}

/**
 * Grafana's trace-to-logs settings (the keys its trace view reads from `jsonData.tracesToLogsV2`),
 * limited to the logs data sources the trace view can query (Loki, Elasticsearch, OpenSearch, Splunk,
 * Falcon LogScale, Google Cloud Logging, VictoriaLogs) and this plugin.
 */
export function TracesToLogsSettings({ value, onChange }: TracesToLogsSettingsProps) {
  const options = value ?? {};
  const update = (patch: Partial<TracesToLogsOptions>) => onChange(withPatch(options, patch));
  const storeShift = (key: ShiftKey) => (shift: string | undefined) => update({ [key]: shift });
  const customQuery = options.customQuery ?? false;
  // A provisioned or since-changed target may be one Grafana cannot query for logs: say so here too.
  const target = options.datasourceUid ? getDataSourceSrv().getInstanceSettings(options.datasourceUid) : undefined;
  const targetProblem = options.datasourceUid ? logsTargetProblem({ uid: options.datasourceUid, type: target?.type, name: target?.name }) : undefined;

  return (
    <FieldSet label="Trace to logs">
      <Field
        label="Data source"
        description={`The logs to show for a span: a ${LOGS_TARGET_NAMES} data source, or empty for this data source (its logs index pattern and detected logs schema).`}
        invalid={targetProblem !== undefined}
        error={targetProblem}
      >
        <DataSourcePicker
          inputId="estraces-trace-to-logs-datasource"
          current={options.datasourceUid}
          filter={isLogsTarget}
          noDefault
          onChange={(ds: DataSourceInstanceSettings) => update({ datasourceUid: ds.uid })}
          onClear={() => update({ datasourceUid: undefined })}
          placeholder="This data source"
          width={40}
        />
      </Field>

      <TimeShiftField
        id="estraces-trace-to-logs-start-shift"
        label="Span start time shift"
        tooltip="Shifts the start of the logs search from the span start, e.g. -2s or -5m (default 0)"
        placeholder="-2s"
        stored={options.spanStartTimeShift}
        onStore={storeShift('spanStartTimeShift')}
      />
      <TimeShiftField
        id="estraces-trace-to-logs-end-shift"
        label="Span end time shift"
        tooltip="Shifts the end of the logs search from the span end, e.g. 2s or 5m (default 0)"
        placeholder="2s"
        stored={options.spanEndTimeShift}
        onStore={storeShift('spanEndTimeShift')}
      />

      <InlineField
        label="Filter by trace ID"
        labelWidth={LABEL_WIDTH}
        tooltip="Only the logs carrying the span's trace id"
        disabled={customQuery}
      >
        <InlineSwitch
          id="estraces-trace-to-logs-filter-trace"
          value={options.filterByTraceID ?? false}
          disabled={customQuery}
          onChange={(event: ChangeEvent<HTMLInputElement>) => update({ filterByTraceID: event.currentTarget.checked })}
        />
      </InlineField>
      <InlineField
        label="Filter by span ID"
        labelWidth={LABEL_WIDTH}
        tooltip="Only the logs carrying the span's id"
        disabled={customQuery}
      >
        <InlineSwitch
          id="estraces-trace-to-logs-filter-span"
          value={options.filterBySpanID ?? false}
          disabled={customQuery}
          onChange={(event: ChangeEvent<HTMLInputElement>) => update({ filterBySpanID: event.currentTarget.checked })}
        />
      </InlineField>

      <Field
        label="Tags"
        description="Span or resource attributes the logs must match. Name a log field after “as” when the logs keep the value under another name."
      >
        <TagsEditor stored={options.tags} onStore={(tags) => update({ tags })} />
      </Field>

      <InlineField
        label="Use custom query"
        labelWidth={LABEL_WIDTH}
        tooltip="Write the logs query yourself, with variables such as ${__span.traceId} and ${__span.spanId}"
      >
        <InlineSwitch
          id="estraces-trace-to-logs-custom-query"
          value={customQuery}
          onChange={(event: ChangeEvent<HTMLInputElement>) => update({ customQuery: event.currentTarget.checked })}
        />
      </InlineField>
      {customQuery && (
        <Field
          label="Query"
          description="The logs query; ${__span.traceId}, ${__span.spanId} and ${__tags} are replaced for each span."
        >
          <Input
            id="estraces-trace-to-logs-query"
            placeholder={'trace.id:"${__span.traceId}"'}
            value={options.query ?? ''}
            onChange={(event: ChangeEvent<HTMLInputElement>) =>
              update({ query: event.currentTarget.value || undefined })
            }
            width={60}
          />
        </Field>
      )}
    </FieldSet>
  );
}
