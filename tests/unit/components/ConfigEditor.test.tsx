import type { DataSourceInstanceSettings, DataSourceSettings } from '@grafana/data';
import type { DataSourcePickerProps } from '@grafana/runtime';
import { render, screen } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import React, { useState } from 'react';

import {
  checkMaxSpans,
  checkTimeoutSeconds,
  ConfigEditor,
  LOGS_SCHEMA_OPTIONS,
  SCHEMA_OPTIONS,
} from '../../../src/components/ConfigEditor';
import { type EsTracesOptions, LOG_SCHEMA_NAMES, SCHEMA_NAMES } from '../../../src/types';
import { labelled, setupUser } from './harness';

// The real picker needs Grafana's data source service; this one offers a single logs data source.
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  // Grafana's registry of data sources: a Loki one, and Elasticsearch for any other uid.
  getDataSourceSrv: () => ({
    getInstanceSettings: (uid: string) => (uid === 'loki-uid' ? { uid, type: 'loki', name: 'Loki' } : uid === 'gone-uid' ? undefined : { uid, type: 'elasticsearch', name: 'Logs' }),
  }),
  DataSourcePicker: (props: DataSourcePickerProps) => (
    <div>
      <span data-testid="picker-current">{typeof props.current === 'string' ? props.current : ''}</span>
      <button
        type="button"
        onClick={() => props.onChange({ uid: 'logs-uid', type: 'elasticsearch' } as DataSourceInstanceSettings)}
      >
        Pick logs
      </button>
      <button type="button" onClick={() => props.onClear?.()}>
        Clear data source
      </button>
    </div>
  ),
}));

type Settings = DataSourceSettings<EsTracesOptions>;

function settings(jsonData: EsTracesOptions = {}, extra: Partial<Settings> = {}): Settings {
  return {
    id: 1,
    uid: 'es',
    orgId: 1,
    name: 'ES Traces',
    type: 'estraces-otel-datasource',
    typeName: 'ES Traces (OpenTelemetry)',
    typeLogoUrl: '',
    access: 'proxy',
    url: 'http://localhost:9200',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData,
    secureJsonFields: {},
    readOnly: false,
    withCredentials: false,
    ...extra,
  } as Settings;
}

/**
 * Renders the editor the way Grafana does: each onOptionsChange becomes the next `options`, so
 * controlled inputs keep what is typed. `onOptionsChange` records every payload.
 */
function setup(jsonData: EsTracesOptions = {}, extra: Partial<Settings> = {}) {
  const initial = settings(jsonData, extra);
  const onOptionsChange = jest.fn();
  function Harness() {
    const [options, setOptions] = useState(initial);
    return (
      <ConfigEditor
        options={options}
        onOptionsChange={(next) => {
          onOptionsChange(next);
          setOptions(next);
        }}
      />
    );
  }
  render(<Harness />);
  return { onOptionsChange, initial };
}

let user: UserEvent;
beforeEach(() => {
  user = setupUser();
});

describe('ConfigEditor connection', () => {
  it("shows Grafana's standard HTTP settings with http://localhost:9200 as the default URL", () => {
    setup({}, { url: '' });
    expect(screen.getByText('HTTP')).toBeInTheDocument();
    expect(screen.getByPlaceholderText('http://localhost:9200')).toBeInTheDocument();
  });

  it('offers basic auth, TLS and custom headers through the HTTP settings', () => {
    setup();
    expect(screen.getByText('Basic auth')).toBeInTheDocument();
    expect(screen.getByText('TLS Client Auth')).toBeInTheDocument();
    expect(screen.getByText('Custom HTTP Headers')).toBeInTheDocument();
  });
});

describe('ConfigEditor indices', () => {
  it('stores the typed span index pattern, trimmed, in jsonData.spanIndex', async () => {
    const { onOptionsChange, initial } = setup();
    const input = labelled('textbox', /Span index pattern/);
    expect(input).toHaveAttribute('placeholder', 'traces-*');
    await user.type(input, ' traces-* ');
    expect(onOptionsChange).toHaveBeenLastCalledWith({ ...initial, jsonData: { spanIndex: 'traces-*' } });
  });

  it('says the span index pattern is required while it is empty, and stops once it is set', async () => {
    setup();
    expect(screen.getByText('The span index pattern is required')).toBeInTheDocument();
    await user.type(labelled('textbox', /Span index pattern/), 'spans');
    expect(screen.queryByText('The span index pattern is required')).not.toBeInTheDocument();
  });

  it('stores the optional logs index pattern beside the other settings', async () => {
    const { onOptionsChange, initial } = setup({ spanIndex: 'traces-*' });
    const input = labelled('textbox', /Logs index pattern/);
    expect(input).toHaveAttribute('placeholder', 'logs-*');
    await user.type(input, 'logs-*');
    expect(onOptionsChange).toHaveBeenLastCalledWith({
      ...initial,
      jsonData: { spanIndex: 'traces-*', logsIndex: 'logs-*' },
    });
  });
});

describe('ConfigEditor schema', () => {
  it('shows auto (detect from the mapping) when no schema is set', () => {
    setup();
    expect(labelled('combobox', /Schema/)).toHaveValue('auto');
  });

  it('offers auto, every schema name with a description, and custom', () => {
    expect(SCHEMA_OPTIONS.map((option) => option.value)).toEqual(['auto', ...SCHEMA_NAMES, 'custom']);
    expect(SCHEMA_OPTIONS.find((option) => option.value === 'auto')?.description).toMatch(/^Detect from the mapping/);
    expect(SCHEMA_OPTIONS.find((option) => option.value === 'otel')?.description).toBe(
      'OpenTelemetry Collector elasticsearch exporter, otel mode'
    );
    expect(SCHEMA_OPTIONS.find((option) => option.value === 'bklog')?.description).toBe('BlueKing OTLP');
    for (const option of SCHEMA_OPTIONS) {
      expect(option.description).toBeTruthy();
    }
  });

  it('stores a chosen schema in jsonData.schema', async () => {
    const { onOptionsChange, initial } = setup({ spanIndex: 'traces-*' });
    // The menu is virtualised (no rows render in jsdom), so choose with the keyboard as a user can.
    await user.type(labelled('combobox', /Schema/), 'jaeger{ArrowDown}{Enter}');
    expect(onOptionsChange).toHaveBeenLastCalledWith({
      ...initial,
      jsonData: { spanIndex: 'traces-*', schema: 'jaeger' },
    });
  });
});

describe('ConfigEditor logs schema', () => {
  it('shows auto (detect from the mapping) when no logs schema is set', () => {
    setup();
    expect(labelled('combobox', /Logs schema/)).toHaveValue('auto');
  });

  it('offers auto and every logs schema name, each with a description', () => {
    expect(LOGS_SCHEMA_OPTIONS.map((option) => option.value)).toEqual(['auto', ...LOG_SCHEMA_NAMES]);
    expect(LOGS_SCHEMA_OPTIONS.find((option) => option.value === 'auto')?.description).toMatch(
      /^Detect from the mapping/
    );
    for (const option of LOGS_SCHEMA_OPTIONS) {
      expect(option.description).toBeTruthy();
    }
  });

  it('writes a chosen logs schema to jsonData.logsSchema', async () => {
    const { onOptionsChange, initial } = setup({ spanIndex: 'traces-*', logsIndex: 'logs-*' });
    await user.type(labelled('combobox', /Logs schema/), 'elastic-apm{ArrowDown}{Enter}');
    expect(onOptionsChange).toHaveBeenLastCalledWith({
      ...initial,
      jsonData: { spanIndex: 'traces-*', logsIndex: 'logs-*', logsSchema: 'elastic-apm' },
    });
  });
});

describe('ConfigEditor trace to logs', () => {
  it('writes the picked data source uid to jsonData.tracesToLogsV2.datasourceUid, keeping the rest', async () => {
    const { onOptionsChange, initial } = setup({ spanIndex: 'traces-*', tracesToLogsV2: { filterByTraceID: true } });
    expect(screen.getByText('Trace to logs')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Pick logs' }));
    expect(onOptionsChange).toHaveBeenLastCalledWith({
      ...initial,
      jsonData: { spanIndex: 'traces-*', tracesToLogsV2: { filterByTraceID: true, datasourceUid: 'logs-uid' } },
    });
  });

  it('removes datasourceUid when the picker is cleared', async () => {
    const { onOptionsChange, initial } = setup({
      spanIndex: 'traces-*',
      tracesToLogsV2: { datasourceUid: 'logs-uid', spanEndTimeShift: '2s' },
    });
    await user.click(screen.getByRole('button', { name: 'Clear data source' }));
    expect(onOptionsChange).toHaveBeenLastCalledWith({
      ...initial,
      jsonData: { spanIndex: 'traces-*', tracesToLogsV2: { spanEndTimeShift: '2s' } },
    });
  });

  it('saves a valid span start shift on blur and refuses "5 minutes" with a message', async () => {
    const { onOptionsChange, initial } = setup({ spanIndex: 'traces-*' });
    const input = labelled('textbox', /Span start time shift/);
    await user.type(input, '5 minutes');
    await user.tab();
    expect(screen.getByText(/Enter a whole number with a unit/)).toBeInTheDocument();
    expect(onOptionsChange).not.toHaveBeenCalled();
    await user.clear(input);
    await user.type(input, '-2s');
    await user.tab();
    expect(onOptionsChange).toHaveBeenCalledTimes(1);
    expect(onOptionsChange).toHaveBeenLastCalledWith({
      ...initial,
      jsonData: { spanIndex: 'traces-*', tracesToLogsV2: { spanStartTimeShift: '-2s' } },
    });
  });

  it('keeps the existing tracesToLogsV2 keys and the rest of jsonData when a switch is turned on', async () => {
    const tracesToLogsV2 = {
      datasourceUid: 'logs-uid',
      spanStartTimeShift: '-2s',
      tags: [{ key: 'service.name', value: 'service' }, { key: 'namespace' }],
    };
    const { onOptionsChange, initial } = setup({ spanIndex: 'traces-*', logsSchema: 'ecs', tracesToLogsV2 });
    await user.click(screen.getByLabelText('Filter by span ID'));
    expect(onOptionsChange).toHaveBeenLastCalledWith({
      ...initial,
      jsonData: {
        spanIndex: 'traces-*',
        logsSchema: 'ecs',
        tracesToLogsV2: { ...tracesToLogsV2, filterBySpanID: true },
      },
    });
  });
});

describe('ConfigEditor node graph', () => {
  it('is off by default and turns on nodeGraph.enabled, keeping the rest of the settings', async () => {
    const { onOptionsChange } = setup({ spanIndex: 'traces-*' });
    const toggle = labelled('switch', 'Enable node graph');
    expect(toggle).not.toBeChecked();
    await user.click(toggle);
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { spanIndex: 'traces-*', nodeGraph: { enabled: true } } }));
    expect(toggle).toBeChecked();
  });
});

describe('ConfigEditor limits', () => {
  it('shows the default of 100,000 max spans and 60 seconds', () => {
    setup();
    expect(labelled('spinbutton', /Max spans per trace/)).toHaveValue(100000);
    expect(labelled('spinbutton', /Request timeout/)).toHaveValue(60);
  });

  it('refuses an invalid max spans value with a message and does not store it', async () => {
    const { onOptionsChange } = setup({ spanIndex: 'traces-*' });
    const input = labelled('spinbutton', /Max spans per trace/);
    await user.clear(input);
    await user.type(input, '0');
    expect(screen.getByText('Enter a whole number of spans from 1 to 1,000,000')).toBeInTheDocument();
    await user.tab();
    expect(onOptionsChange).not.toHaveBeenCalled();
    // Above the limit: not even its valid prefix (200000) is stored.
    await user.clear(input);
    await user.type(input, '2000000');
    await user.tab();
    expect(screen.getByText('Enter a whole number of spans from 1 to 1,000,000')).toBeInTheDocument();
    expect(input).toHaveValue(2000000);
    expect(onOptionsChange).not.toHaveBeenCalled();
  });

  it('stores a valid max spans value when the field is left, and clears the message', async () => {
    const { onOptionsChange, initial } = setup({ spanIndex: 'traces-*' });
    const input = labelled('spinbutton', /Max spans per trace/);
    await user.clear(input);
    expect(screen.getByText('Enter a whole number of spans from 1 to 1,000,000')).toBeInTheDocument();
    await user.type(input, '5000');
    expect(screen.queryByText(/Enter a whole number of spans/)).not.toBeInTheDocument();
    await user.tab();
    expect(onOptionsChange).toHaveBeenCalledTimes(1);
    expect(onOptionsChange).toHaveBeenLastCalledWith({
      ...initial,
      jsonData: { spanIndex: 'traces-*', maxTraceSpans: 5000 },
    });
  });

  it('checks max spans as a whole number from 1 to 1,000,000', () => {
    expect(checkMaxSpans('100000')).toEqual({ value: 100000 });
    expect(checkMaxSpans('1000000')).toEqual({ value: 1000000 });
    expect(checkMaxSpans('1')).toEqual({ value: 1 });
    for (const bad of ['', '0', '-5', '1.5', '1000001', 'abc']) {
      expect(checkMaxSpans(bad)).toEqual({ error: 'Enter a whole number of spans from 1 to 1,000,000' });
    }
  });

  it('stores a valid request timeout and refuses a non-positive one', async () => {
    const { onOptionsChange, initial } = setup({ spanIndex: 'traces-*' });
    const input = labelled('spinbutton', /Request timeout/);
    await user.clear(input);
    await user.type(input, '-1');
    await user.tab();
    expect(screen.getByText('Enter a whole number of seconds from 1 to 3,600')).toBeInTheDocument();
    expect(onOptionsChange).not.toHaveBeenCalled();
    await user.clear(input);
    await user.type(input, '120');
    await user.tab();
    expect(onOptionsChange).toHaveBeenLastCalledWith({
      ...initial,
      jsonData: { spanIndex: 'traces-*', timeoutSeconds: 120 },
    });
    expect(checkTimeoutSeconds('0')).toEqual({ error: 'Enter a whole number of seconds from 1 to 3,600' });
    expect(checkTimeoutSeconds('3601')).toEqual({ error: 'Enter a whole number of seconds from 1 to 3,600' });
    expect(checkTimeoutSeconds('3600')).toEqual({ value: 3600 });
  });
});

describe('ConfigEditor custom layout', () => {
  it('appears only for the custom schema and stores each field path', async () => {
    const { onOptionsChange, initial } = setup({
      spanIndex: 'spans',
      schema: 'custom',
      fieldOverrides: { traceId: 'tid' },
    });
    expect(screen.getByText('The span id field is required for a custom layout')).toBeInTheDocument();
    await user.type(labelled('textbox', /Span id field/), 'sid');
    expect(onOptionsChange).toHaveBeenLastCalledWith({
      ...initial,
      jsonData: { spanIndex: 'spans', schema: 'custom', fieldOverrides: { traceId: 'tid', spanId: 'sid' } },
    });
    expect(screen.queryByText('The span id field is required for a custom layout')).not.toBeInTheDocument();
  });

  it('is hidden for producer schemas', () => {
    setup({ spanIndex: 'spans', schema: 'jaeger' });
    expect(screen.queryByText('Custom layout')).not.toBeInTheDocument();
  });
});
