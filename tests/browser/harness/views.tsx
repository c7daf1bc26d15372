/**
 * The plugin's editors as Grafana hosts them: each change becomes the next value the editor is
 * given (and is published for the tests), `onRunQuery` runs the data source on the dashboard's
 * range and cancels the run before it, as a panel does; a variable's values are previewed after
 * each change, as Grafana's variable editor previews them.
 */
import {
  applyFieldOverrides,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceSettings,
  dateTime,
  FieldColorModeId,
  FieldType,
  type GrafanaTheme2,
  type InterpolateFunction,
  type TimeRange,
} from '@grafana/data';
import { GraphDrawStyle, LegendDisplayMode, VisibilityMode } from '@grafana/schema';
import { Alert, Button, Field, InlineLabel, Stack, Table, TimeSeries, useTheme2 } from '@grafana/ui';
import React, { type ComponentType, type ReactNode, useEffect, useRef, useState } from 'react';
import { reduce, type Subscription } from 'rxjs';

import type { DataSource } from '../../../src/datasource/DataSource';
import type { EsTracesVariableSupport } from '../../../src/datasource/variables';
import type { EsTracesOptions, EsTracesQuery, EsTracesVariableQuery } from '../../../src/types';
import type { HarnessSettings } from './contract';
import { previewEnded, runAnswered, runEnded, saveStored, startPreview, startRun } from './store';
import { summariseFrame } from './summary';

const EDITOR_WIDTH = 1200;
const CONFIG_WIDTH = 720;
const GRAPH_HEIGHT = 300;
/** What a panel shows as a table here: Grafana's logs panel is part of Grafana itself, not of @grafana/ui. */
const TABLE_VISUALISATIONS = new Set(['table', 'logs']);

export function timeRange({ fromMs, toMs }: HarnessSettings['range']): TimeRange {
  const from = dateTime(fromMs);
  const to = dateTime(toMs);
  return { from, to, raw: { from, to } };
}

function request<Q extends { refId: string }>(targets: Q[], range: TimeRange, app: string): DataQueryRequest<Q> {
  return {
    requestId: `harness-${Date.now()}`,
    app,
    targets,
    range,
    interval: '1m',
    intervalMs: 60_000,
    scopedVars: {},
    timezone: 'utc',
    startTime: Date.now(),
  };
}

/** The frames as a panel has them: display processors and data links applied. */
function panelFrames(frames: DataFrame[], theme: GrafanaTheme2, replace: InterpolateFunction): DataFrame[] {
  return applyFieldOverrides({ data: frames, fieldConfig: { defaults: {}, overrides: [] }, replaceVariables: replace, theme, timeZone: 'utc' });
}

/** Column widths a dashboard author would set, so ids and times show whole; other columns share the rest. */
const COLUMN_WIDTHS: Record<string, number> = { traceID: 280, spanID: 170, startTime: 180, timestamp: 180, severity: 90 };
/** Below @grafana/ui's default of 150 px, so that the other columns fit the panel's width. */
const COLUMN_MIN_WIDTH = 70;
/** A logs frame's columns that only Grafana's logs panel reads. */
const LOGS_ONLY_COLUMNS = new Set(['id', 'labels']);

/** A frame as a table panel with those widths shows it. */
function tableLayout(frame: DataFrame): DataFrame {
  const isLogs = frame.meta?.preferredVisualisationType === 'logs';
  return {
    ...frame,
    fields: frame.fields.map((field) => ({
      ...field,
      config: { ...field.config, custom: { ...field.config.custom, width: COLUMN_WIDTHS[field.name], minWidth: COLUMN_MIN_WIDTH, hidden: isLogs && LOGS_ONLY_COLUMNS.has(field.name) } },
    })),
  };
}

/**
 * A time-series frame as a time series panel draws it (@grafana/ui's TimeSeries): lines, or points
 * for a scatter, as a dashboard author sets that panel's draw style.
 */
function graphLayout(frame: DataFrame, drawStyle: GraphDrawStyle): DataFrame {
  const style = drawStyle === GraphDrawStyle.Points ? { drawStyle, pointSize: 7, showPoints: VisibilityMode.Always } : { drawStyle, lineWidth: 1, showPoints: VisibilityMode.Never };
  return {
    ...frame,
    fields: frame.fields.map((field) => ({ ...field, config: { ...field.config, color: { mode: FieldColorModeId.PaletteClassic }, custom: { ...field.config.custom, ...style } } })),
  };
}

const hasTimeField = (frame: DataFrame) => frame.fields.some((field) => field.type === FieldType.time);

function Graph({ frames, drawStyle, range }: { frames: DataFrame[]; drawStyle: GraphDrawStyle; range: TimeRange }) {
  return (
    <div data-testid="graph" style={{ width: EDITOR_WIDTH }}>
      <TimeSeries
        frames={frames.map((frame) => graphLayout(frame, drawStyle))}
        width={EDITOR_WIDTH}
        height={GRAPH_HEIGHT}
        timeRange={range}
        timeZone="utc"
        legend={{ showLegend: true, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] }}
      />
    </div>
  );
}

/** The boxed area an editor sits in, like a query row or a settings page in Grafana. */
function EditorBox({ children, width = EDITOR_WIDTH }: { children: ReactNode; width?: number }) {
  const theme = useTheme2();
  return (
    <section
      data-testid="editor"
      style={{ width, padding: theme.spacing(2), background: theme.colors.background.primary, border: `1px solid ${theme.colors.border.weak}`, borderRadius: theme.shape.radius.default }}
    >
      {children}
    </section>
  );
}

function Stored({ value }: { value: unknown }) {
  return <pre data-testid="stored">{JSON.stringify(value, null, 2)}</pre>;
}

export interface ConfigViewProps {
  Editor: ComponentType<{ options: DataSourceSettings<EsTracesOptions>; onOptionsChange: (options: DataSourceSettings<EsTracesOptions>) => void }>;
  initial: DataSourceSettings<EsTracesOptions>;
}

export function ConfigView({ Editor, initial }: ConfigViewProps) {
  const [options, setOptions] = useState(initial);
  const onOptionsChange = (next: DataSourceSettings<EsTracesOptions>) => {
    saveStored(next);
    setOptions(next);
  };
  return (
    <Stack direction="column" gap={2}>
      {/* Grafana's settings page keeps its fields in a column on the left. */}
      <EditorBox width={CONFIG_WIDTH}>
        <Editor options={options} onOptionsChange={onOptionsChange} />
      </EditorBox>
      <Stored value={options} />
    </Stack>
  );
}

/** What the page shows of a run. */
interface Shown {
  state: 'idle' | 'running' | 'done';
  frames: DataFrame[];
  errors: string[];
  /** How the panel draws the run's time series: points for a scatter. */
  drawStyle?: GraphDrawStyle;
}

/**
 * What a run returned, shown as panels would show it: time series in @grafana/ui's TimeSeries,
 * traces, logs and other tables in its Table, and a line naming every frame and its fields.
 */
function Results({ shown, range }: { shown: Shown; range: TimeRange }) {
  const { frames, errors } = shown;
  const series = frames.filter((frame) => frame.meta?.preferredVisualisationType === 'graph' && hasTimeField(frame));
  return (
    <section data-testid="results" data-state={shown.state}>
      <Stack direction="column" gap={1}>
        {errors.map((error) => (
          <Alert key={error} severity="error" title={error} />
        ))}
        {series.length > 0 && <Graph frames={series} drawStyle={shown.drawStyle ?? GraphDrawStyle.Line} range={range} />}
        {frames.map((frame, index) => (
          <div key={index} data-testid="frame">
            <div>{`${frame.name ?? 'Frame'} (${frame.meta?.preferredVisualisationType ?? 'no visualisation'}): ${frame.length} rows; ${frame.fields.map((field) => field.name).join(', ')}`}</div>
            {frame.meta?.notices?.map((notice) => (
              <Alert key={notice.text} severity="warning" title={notice.text} />
            ))}
            {TABLE_VISUALISATIONS.has(frame.meta?.preferredVisualisationType ?? '') && (
              <div data-testid="table" style={{ width: EDITOR_WIDTH }}>
                <Table data={tableLayout(frame)} width={EDITOR_WIDTH} height={Math.min(480, 36 * (frame.length + 1) + 4)} />
              </div>
            )}
          </div>
        ))}
      </Stack>
    </section>
  );
}

export interface QueryViewProps {
  Editor: ComponentType<{ query: EsTracesQuery; onChange: (query: EsTracesQuery) => void; onRunQuery: () => void; datasource: DataSource }>;
  datasource: DataSource;
  initial: EsTracesQuery;
  range: TimeRange;
  replace: InterpolateFunction;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function QueryView({ Editor, datasource, initial, range, replace }: QueryViewProps) {
  const theme = useTheme2();
  const [query, setQuery] = useState(initial);
  const [shown, setShown] = useState<Shown>({ state: 'idle', frames: [], errors: [] });
  // Grafana reads the query it runs from its state, which onChange has already updated.
  const latest = useRef(initial);
  const running = useRef<Subscription | undefined>(undefined);

  const onChange = (next: EsTracesQuery) => {
    latest.current = next;
    saveStored(next);
    setQuery(next);
  };
  const show = (run: number, state: Shown['state'], frames: DataFrame[], errors: string[], drawStyle: GraphDrawStyle) => {
    runAnswered(run, frames.map(summariseFrame), errors);
    setShown({ state, frames, errors, drawStyle });
  };
  const onRunQuery = () => {
    // A panel cancels its run in flight when it runs again.
    running.current?.unsubscribe();
    const target = latest.current;
    const run = startRun(target);
    const drawStyle = target.queryType === 'scatter' ? GraphDrawStyle.Points : GraphDrawStyle.Line;
    setShown({ state: 'running', frames: [], errors: [] });
    if (!datasource.filterQuery(target)) {
      // Grafana does not send a query the data source filters out.
      runEnded(run);
      setShown({ state: 'done', frames: [], errors: [] });
      return;
    }
    running.current = datasource
      .query(request([target], range, 'dashboard'))
      .pipe(reduce((_previous: DataQueryResponse | undefined, response: DataQueryResponse) => response, undefined))
      .subscribe({
        next: (response) => {
          const frames = panelFrames((response?.data ?? []) as DataFrame[], theme, replace);
          show(run, 'done', frames, (response?.errors ?? []).map((error) => error.message ?? JSON.stringify(error)), drawStyle);
          runEnded(run);
        },
        error: (error: unknown) => {
          show(run, 'done', [], [errorText(error)], drawStyle);
          runEnded(run);
        },
      });
  };

  return (
    <Stack direction="column" gap={2}>
      <EditorBox>
        <Editor query={query} onChange={onChange} onRunQuery={onRunQuery} datasource={datasource} />
      </EditorBox>
      <div>
        <Button icon="sync" onClick={onRunQuery}>
          Run query
        </Button>
      </div>
      <Results shown={shown} range={range} />
      <Stored value={query} />
    </Stack>
  );
}

type StoredVariableQuery = EsTracesVariableQuery & { refId: string };

export interface VariableViewProps {
  datasource: DataSource;
  initial: unknown;
  range: TimeRange;
}

/** Grafana's preview of a variable's values: one label each. */
function Preview({ values, error }: { values: string[]; error?: string }) {
  return (
    <section data-testid="preview">
      <Field label="Preview of values" noMargin>
        <Stack direction="row" gap={1} wrap="wrap">
          {error && <Alert severity="error" title={error} />}
          {values.map((value) => (
            <InlineLabel key={value} width="auto">
              {value}
            </InlineLabel>
          ))}
        </Stack>
      </Field>
    </section>
  );
}

export function VariableView({ datasource, initial, range }: VariableViewProps) {
  const support = datasource.variables as EsTracesVariableSupport;
  const Editor = support.editor as unknown as ComponentType<{ query: unknown; onChange: (query: EsTracesVariableQuery, definition?: string) => void; datasource: DataSource; onRunQuery: () => void }>;
  const [query, setQuery] = useState(initial);
  const [preview, setPreview] = useState<{ values: string[]; error?: string }>({ values: [] });
  const running = useRef<Subscription | undefined>(undefined);

  // The values stay on show until the new ones come, as in Grafana's variable editor.
  const runPreview = (next: unknown) => {
    running.current?.unsubscribe();
    const preview = startPreview(next);
    const target = { refId: 'variable', ...(typeof next === 'object' ? next : {}) } as StoredVariableQuery;
    running.current = support
      .query(request([target], range, 'dashboard'))
      .pipe(reduce((all: string[], response: DataQueryResponse) => [...all, ...(response.data as Array<{ text: string }>).map((value) => value.text)], []))
      .subscribe({
        next: (values) => {
          previewEnded(preview, values);
          setPreview({ values });
        },
        error: (error: unknown) => {
          previewEnded(preview, [], errorText(error));
          setPreview({ values: [], error: errorText(error) });
        },
      });
  };
  // A variable being edited shows its values at once, before any change.
  useEffect(() => runPreview(initial), []); // eslint-disable-line react-hooks/exhaustive-deps

  const onChange = (next: EsTracesVariableQuery, definition?: string) => {
    saveStored(next, definition);
    setQuery(next);
    runPreview(next);
  };

  return (
    <Stack direction="column" gap={2}>
      <EditorBox>
        <Stack direction="column" gap={2}>
          <Editor query={query} onChange={onChange} datasource={datasource} onRunQuery={() => undefined} />
          <Preview values={preview.values} error={preview.error} />
        </Stack>
      </EditorBox>
      <Stored value={query} />
    </Stack>
  );
}
