import type { DataSourceSettings } from '@grafana/data';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import { checkMaxSpans, ConfigEditor } from '../../../src/components/ConfigEditor';
import type { EsTracesOptions } from '../../../src/types';

function settings(jsonData: EsTracesOptions = {}): DataSourceSettings<EsTracesOptions> {
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
  } as DataSourceSettings<EsTracesOptions>;
}

function setup(jsonData: EsTracesOptions = {}) {
  const onOptionsChange = jest.fn();
  render(<ConfigEditor options={settings(jsonData)} onOptionsChange={onOptionsChange} />);
  return { onOptionsChange };
}

describe('ConfigEditor', () => {
  it("shows Grafana's standard HTTP settings for the URL", () => {
    setup();
    expect(screen.getByText('HTTP')).toBeInTheDocument();
    expect(screen.getByDisplayValue('http://localhost:9200')).toBeInTheDocument();
  });

  it('stores the span index pattern, trimmed, in jsonData.spanIndex', async () => {
    const { onOptionsChange } = setup();
    await userEvent.type(screen.getByRole('textbox', { name: /Span index pattern/ }), ' traces-* ');
    await userEvent.tab();
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { spanIndex: 'traces-*' } }));
  });

  it('says the span index pattern is required when it is empty', () => {
    setup();
    expect(screen.getByText('The span index pattern is required')).toBeInTheDocument();
  });

  it('stores the logs index pattern beside the other settings', async () => {
    const { onOptionsChange } = setup({ spanIndex: 'traces-*' });
    await userEvent.type(screen.getByRole('textbox', { name: /Logs index pattern/ }), 'logs-*');
    await userEvent.tab();
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { spanIndex: 'traces-*', logsIndex: 'logs-*' } }));
  });

  it('stores a chosen schema', async () => {
    const { onOptionsChange } = setup({ spanIndex: 'traces-*' });
    // The menu is virtualised (no rows render in jsdom), so choose with the keyboard as a user can.
    await userEvent.type(screen.getByRole('combobox', { name: /Schema/ }), 'jaeger{ArrowDown}{Enter}');
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { spanIndex: 'traces-*', schema: 'jaeger' } }));
  });

  it('refuses an invalid max spans value with a message and does not store it', async () => {
    const { onOptionsChange } = setup({ spanIndex: 'traces-*' });
    const input = screen.getByRole('spinbutton', { name: /Max spans per trace/ });
    await userEvent.clear(input);
    await userEvent.type(input, '0');
    expect(screen.getByText('Enter a whole number of spans from 1 to 1,000,000')).toBeInTheDocument();
    expect(onOptionsChange).not.toHaveBeenCalled();
    await userEvent.clear(input);
    await userEvent.type(input, '5000');
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { spanIndex: 'traces-*', maxTraceSpans: 5000 } }));
  });

  it('checks max spans as a whole number from 1 to 1,000,000', () => {
    expect(checkMaxSpans('100000')).toEqual({ value: 100000 });
    expect(checkMaxSpans('1.5')).toEqual({ error: 'Enter a whole number of spans from 1 to 1,000,000' });
    expect(checkMaxSpans('2000000')).toEqual({ error: 'Enter a whole number of spans from 1 to 1,000,000' });
  });
});

describe('ConfigEditor custom layout', () => {
  it('appears only for the custom schema and stores each field path', async () => {
    const { onOptionsChange } = setup({ spanIndex: 'spans', schema: 'custom', fieldOverrides: { traceId: 'tid' } });
    expect(screen.getByText('The span id field is required for a custom layout')).toBeInTheDocument();
    await userEvent.type(screen.getByRole('textbox', { name: /Span id field/ }), 'sid');
    await userEvent.tab();
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { spanIndex: 'spans', schema: 'custom', fieldOverrides: { traceId: 'tid', spanId: 'sid' } } }));
  });

  it('is hidden for producer schemas', () => {
    setup({ spanIndex: 'spans', schema: 'jaeger' });
    expect(screen.queryByText('Custom layout')).not.toBeInTheDocument();
  });
});
