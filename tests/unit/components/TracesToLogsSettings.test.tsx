import type { DataSourceInstanceSettings } from '@grafana/data';
import type { DataSourcePickerProps } from '@grafana/runtime';
import { render, screen } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import React, { useState } from 'react';

import {
  checkTimeShift,
  isLogsTarget,
  TIME_SHIFT_ERROR,
  TracesToLogsSettings,
} from '../../../src/components/TracesToLogsSettings';
import type { TracesToLogsOptions } from '../../../src/types';
import { labelled, queryLabelled, setupUser } from './harness';

/** The props the fake picker last rendered with, so a test can call its filter. */
let pickerProps: DataSourcePickerProps | undefined;

// The real picker needs Grafana's data source service; this one offers a single logs data source.
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  // Grafana's registry of data sources: a Loki one, and Elasticsearch for any other uid.
  getDataSourceSrv: () => ({
    getInstanceSettings: (uid: string) => (uid === 'prom-uid' ? { uid, type: 'prometheus', name: 'Metrics' } : uid === 'loki-uid' ? { uid, type: 'loki', name: 'Loki' } : uid === 'gone-uid' ? undefined : { uid, type: 'elasticsearch', name: 'Logs' }),
  }),
  DataSourcePicker: (props: DataSourcePickerProps) => {
    pickerProps = props;
    const current = typeof props.current === 'string' ? props.current : (props.current?.uid ?? '');
    return (
      <div>
        <span data-testid="picker-current">{current}</span>
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
    );
  },
}));

/** Renders the settings the way the config editor does: each change becomes the next value. */
function setup(initial?: TracesToLogsOptions) {
  const onChange = jest.fn();
  function Harness() {
    const [value, setValue] = useState(initial);
    return (
      <TracesToLogsSettings
        value={value}
        onChange={(next) => {
          onChange(next);
          setValue(next);
        }}
      />
    );
  }
  render(<Harness />);
  return { onChange };
}

function ds(type: string) {
  return { type } as DataSourceInstanceSettings;
}

let user: UserEvent;
beforeEach(() => {
  user = setupUser();
});

describe('TracesToLogsSettings data source', () => {
  beforeEach(() => {
    pickerProps = undefined;
  });

  it('writes the picked data source uid to datasourceUid', async () => {
    const { onChange } = setup({ filterByTraceID: true });
    await user.click(screen.getByRole('button', { name: 'Pick logs' }));
    expect(onChange).toHaveBeenLastCalledWith({ filterByTraceID: true, datasourceUid: 'logs-uid' });
    expect(screen.getByTestId('picker-current')).toHaveTextContent('logs-uid');
  });

  it('removes datasourceUid when the picker is cleared', async () => {
    const { onChange } = setup({ datasourceUid: 'logs-uid', spanStartTimeShift: '-2s' });
    expect(screen.getByTestId('picker-current')).toHaveTextContent('logs-uid');
    await user.click(screen.getByRole('button', { name: 'Clear data source' }));
    expect(onChange).toHaveBeenLastCalledWith({ spanStartTimeShift: '-2s' });
    expect(onChange.mock.calls.at(-1)?.[0]).not.toHaveProperty('datasourceUid');
  });

  it('says that an empty choice means this data source, and offers no default', () => {
    setup();
    expect(screen.getByText(/or empty for this data source/)).toBeInTheDocument();
    expect(pickerProps?.noDefault).toBe(true);
    expect(pickerProps?.inputId).toBe('estraces-trace-to-logs-datasource');
  });

  it("lets the picker offer exactly the logs data sources Grafana's trace view links to, and this plugin", () => {
    setup();
    const filter = pickerProps?.filter;
    expect(filter).toBeDefined();
    for (const type of ['loki', 'elasticsearch', 'grafana-opensearch-datasource', 'grafana-splunk-datasource', 'grafana-falconlogscale-datasource', 'googlecloud-logging-datasource', 'victoriametrics-logs-datasource', 'estraces-otel-datasource']) {
      expect([type, filter?.(ds(type))]).toEqual([type, true]);
    }
    expect(filter?.(ds('tempo'))).toBe(false);
    expect(filter?.(ds('toString'))).toBe(false);
    expect(isLogsTarget(ds('prometheus'))).toBe(false);
  });
});

describe('TracesToLogsSettings time shifts', () => {
  it('saves a valid start shift when the field is left', async () => {
    const { onChange } = setup({ datasourceUid: 'logs-uid' });
    const input = labelled('textbox', /Span start time shift/);
    expect(input).toHaveAttribute('placeholder', '-2s');
    await user.type(input, '-5m');
    expect(onChange).not.toHaveBeenCalled();
    await user.tab();
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenLastCalledWith({ datasourceUid: 'logs-uid', spanStartTimeShift: '-5m' });
  });

  it('refuses an invalid end shift with a message and does not save it', async () => {
    const { onChange } = setup({ spanEndTimeShift: '2s' });
    const input = labelled('textbox', /Span end time shift/);
    expect(input).toHaveAttribute('placeholder', '2s');
    await user.clear(input);
    await user.type(input, '5 minutes');
    await user.tab();
    expect(screen.getByText(TIME_SHIFT_ERROR)).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
    // Corrected, the message goes and the value is saved.
    await user.clear(input);
    await user.type(input, '5m');
    expect(screen.queryByText(TIME_SHIFT_ERROR)).not.toBeInTheDocument();
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ spanEndTimeShift: '5m' });
  });

  it('removes a shift that is emptied', async () => {
    const { onChange } = setup({ spanStartTimeShift: '-2s', filterBySpanID: true });
    await user.clear(labelled('textbox', /Span start time shift/));
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ filterBySpanID: true });
  });

  it('accepts signed whole numbers with ms, s, m, h or d, and nothing else', () => {
    for (const good of ['-2s', '2s', '500ms', '-5m', '1h', '1d', '0s']) {
      expect(checkTimeShift(good)).toEqual({ value: good });
    }
    expect(checkTimeShift('  ')).toEqual({ value: undefined });
    for (const bad of ['5 minutes', '2', 's', '1.5s', '+2s', '2w', '2S', '--2s']) {
      expect(checkTimeShift(bad)).toEqual({ error: TIME_SHIFT_ERROR });
    }
  });
});

describe('TracesToLogsSettings filters', () => {
  it('writes filterByTraceID and filterBySpanID as booleans', async () => {
    const { onChange } = setup({ datasourceUid: 'logs-uid' });
    await user.click(screen.getByLabelText('Filter by trace ID'));
    expect(onChange).toHaveBeenLastCalledWith({ datasourceUid: 'logs-uid', filterByTraceID: true });
    await user.click(screen.getByLabelText('Filter by span ID'));
    expect(onChange).toHaveBeenLastCalledWith({
      datasourceUid: 'logs-uid',
      filterByTraceID: true,
      filterBySpanID: true,
    });
    await user.click(screen.getByLabelText('Filter by trace ID'));
    expect(onChange).toHaveBeenLastCalledWith({
      datasourceUid: 'logs-uid',
      filterByTraceID: false,
      filterBySpanID: true,
    });
  });

  it('disables the id filters while a custom query is used, and shows the query field', async () => {
    const { onChange } = setup({ filterByTraceID: true });
    expect(queryLabelled('textbox', /^Query/)).not.toBeInTheDocument();
    await user.click(screen.getByLabelText('Use custom query'));
    expect(onChange).toHaveBeenLastCalledWith({ filterByTraceID: true, customQuery: true });
    expect(screen.getByLabelText('Filter by trace ID')).toBeDisabled();
    expect(screen.getByLabelText('Filter by span ID')).toBeDisabled();
    await user.type(labelled('textbox', /^Query/), 'level:error');
    expect(onChange).toHaveBeenLastCalledWith({ filterByTraceID: true, customQuery: true, query: 'level:error' });
  });
});

describe('TracesToLogsSettings tags', () => {
  it('writes the tag rows as {key, value}, omitting an empty value and skipping empty rows', async () => {
    const { onChange } = setup({ datasourceUid: 'logs-uid' });
    const add = screen.getByRole('button', { name: /Add tag/ });
    await user.click(add);
    await user.click(add);
    await user.click(add);
    // Empty rows are shown but not saved.
    expect(onChange).not.toHaveBeenCalled();
    await user.type(labelled('textbox', 'Tag 1 key'), 'service.name');
    await user.type(labelled('textbox', 'Tag 1 field'), 'service');
    await user.type(labelled('textbox', 'Tag 2 key'), 'namespace');
    expect(onChange).toHaveBeenLastCalledWith({
      datasourceUid: 'logs-uid',
      tags: [{ key: 'service.name', value: 'service' }, { key: 'namespace' }],
    });
  });

  it('shows the stored tags and removes a row', async () => {
    const { onChange } = setup({ tags: [{ key: 'service.name', value: 'service' }, { key: 'namespace' }] });
    expect(labelled('textbox', 'Tag 1 key')).toHaveValue('service.name');
    expect(labelled('textbox', 'Tag 1 field')).toHaveValue('service');
    expect(labelled('textbox', 'Tag 2 key')).toHaveValue('namespace');
    await user.click(screen.getByRole('button', { name: 'Remove tag 1' }));
    expect(onChange).toHaveBeenLastCalledWith({ tags: [{ key: 'namespace' }] });
    await user.click(screen.getByRole('button', { name: 'Remove tag 1' }));
    expect(onChange).toHaveBeenLastCalledWith({});
  });
});

describe('TracesToLogsSettings keeps the other keys', () => {
  it('keeps every existing key when another one is edited', async () => {
    const existing: TracesToLogsOptions = {
      datasourceUid: 'logs-uid',
      spanStartTimeShift: '-2s',
      spanEndTimeShift: '2s',
      filterByTraceID: true,
      tags: [{ key: 'service.name', value: 'service' }],
      customQuery: false,
      query: 'old',
    };
    const { onChange } = setup(existing);
    await user.click(screen.getByLabelText('Filter by span ID'));
    expect(onChange).toHaveBeenLastCalledWith({ ...existing, filterBySpanID: true });
  });
});

describe('TracesToLogsSettings stored target', () => {
  it.each([
    ['prom-uid', "the trace-to-logs data source 'Metrics' is of type prometheus; Grafana's trace view builds logs queries only for Loki, Elasticsearch, OpenSearch, Splunk, Falcon LogScale, Google Cloud Logging and VictoriaLogs data sources (or this one): choose one of those"],
    ['gone-uid', "the trace-to-logs data source 'gone-uid' does not exist: choose another one in the Trace to logs settings, or clear it to use this data source"],
  ])('names a stored target %s that cannot receive logs links', (uid, message) => {
    render(<TracesToLogsSettings value={{ datasourceUid: uid }} onChange={jest.fn()} />);
    expect(screen.getByText(message)).toBeInTheDocument();
  });

  it.each(['es-logs', 'loki-uid'])('says nothing about a logs target the trace view links to (%s)', (uid) => {
    render(<TracesToLogsSettings value={{ datasourceUid: uid }} onChange={jest.fn()} />);
    expect(screen.queryByText(/trace-to-logs data source/)).not.toBeInTheDocument();
  });
});
