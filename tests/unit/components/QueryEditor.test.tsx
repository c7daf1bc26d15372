import { screen } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';

import { traceIdProblem } from '../../../src/components/QueryEditor';
import type { EsTracesQuery } from '../../../src/types';
import { labelled, queryLabelled, renderQueryEditor, setupUser } from './harness';

/**
 * Renders the editor the way Grafana does: each onChange becomes the next `query`, so the
 * controlled input keeps what is typed. The spies record every call.
 */
function setup(query: Partial<EsTracesQuery> = {}) {
  return renderQueryEditor({ refId: 'A', queryType: 'traceId', ...query });
}

const traceIdInput = () => labelled('textbox', 'Trace ID');

let user: UserEvent;
beforeEach(() => {
  user = setupUser();
});

describe('QueryEditor query type', () => {
  it('offers the Trace ID query type, selected', () => {
    setup();
    expect(labelled('radio', 'Trace ID')).toBeChecked();
  });

  it('offers nine query types: Trace ID, Trace statistics, Search, Scatter, Histogram, Metrics, Service map, Logs and Import', () => {
    setup();
    expect(screen.getAllByRole('radio').map((radio) => radio.getAttribute('title'))).toEqual([
      'Trace ID',
      'Trace statistics',
      'Search',
      'Scatter',
      'Histogram',
      'Metrics',
      'Service map',
      'Logs',
      'Import',
    ]);
  });

  it('describes each query type', async () => {
    setup();
    await user.hover(labelled('radio', 'Search'));
    expect(
      await screen.findByText('Find traces by service, operation, attributes, duration and status')
    ).toBeInTheDocument();
  });

  it('shows the search form, and saves queryType search, when Search is chosen', async () => {
    const { onChange, onRunQuery } = setup({ query: 'abc' });
    await user.click(labelled('radio', 'Search'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'search', query: 'abc' });
    expect(onRunQuery).not.toHaveBeenCalled();
    expect(queryLabelled('textbox', 'Trace ID')).not.toBeInTheDocument();
    expect(labelled('combobox', 'Service')).toBeInTheDocument();
    expect(labelled('combobox', 'Operation')).toBeDisabled();
    expect(labelled('textbox', /^Attributes/)).toBeInTheDocument();
    expect(labelled('textbox', 'Min duration')).toBeInTheDocument();
    expect(labelled('textbox', 'Max duration')).toBeInTheDocument();
    expect(labelled('radio', 'Any')).toBeChecked();
    expect(labelled('spinbutton', 'Limit')).toHaveValue(20);
    expect(labelled('radio', 'Recent')).toBeChecked();
  });

  it.each([
    ['Scatter', 'scatter'],
    ['Histogram', 'histogram'],
  ])('shows the same filter form for %s', async (label, queryType) => {
    const { onChange } = setup();
    await user.click(labelled('radio', label));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType });
    expect(labelled('combobox', 'Service')).toBeInTheDocument();
    expect(labelled('spinbutton', 'Limit')).toBeInTheDocument();
  });

  it('treats a query without a type as a trace id query', () => {
    setup({ queryType: undefined });
    expect(labelled('radio', 'Trace ID')).toBeChecked();
    expect(traceIdInput()).toBeInTheDocument();
  });
});

describe('QueryEditor trace id', () => {
  it('writes the trimmed trace id into query', async () => {
    const { onChange } = setup();
    await user.type(traceIdInput(), '  4BF92F3577B34DA6A3CE929D0E0E4736 ');
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'traceId',
      query: '4BF92F3577B34DA6A3CE929D0E0E4736',
    });
    expect(traceIdInput()).toHaveValue('4BF92F3577B34DA6A3CE929D0E0E4736');
  });

  it('writes queryType traceId with the id when the query had no type', async () => {
    const { onChange } = setup({ queryType: undefined });
    await user.type(traceIdInput(), 'abc');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'traceId', query: 'abc' });
  });

  it('runs the query when the field loses focus', async () => {
    const { onRunQuery } = setup({ query: '4bf92f3577b34da6a3ce929d0e0e4736' });
    await user.click(traceIdInput());
    expect(onRunQuery).not.toHaveBeenCalled();
    await user.tab();
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('runs the query on Enter', async () => {
    const { onRunQuery } = setup({ query: '4bf92f3577b34da6a3ce929d0e0e4736' });
    await user.type(traceIdInput(), '{Enter}');
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows why a malformed id such as xyz is wrong, under the field', () => {
    setup({ query: 'xyz' });
    expect(screen.getByText("'xyz' is not a trace id: use hexadecimal digits 0-9 and a-f only.")).toBeInTheDocument();
    expect(traceIdInput()).toHaveAttribute('aria-invalid', 'true');
  });

  it('shows the message as soon as a malformed id is typed', async () => {
    setup();
    await user.type(traceIdInput(), 'xyz');
    expect(screen.getByText("'xyz' is not a trace id: use hexadecimal digits 0-9 and a-f only.")).toBeInTheDocument();
  });

  it('shows no message for an empty id', () => {
    setup({ query: '' });
    expect(screen.queryByText(/trace id/)).not.toBeInTheDocument();
    expect(traceIdInput()).not.toHaveAttribute('aria-invalid', 'true');
  });

  it('shows no message for a template variable such as $traceId', () => {
    setup({ query: '$traceId' });
    expect(screen.queryByText(/is not a trace id/)).not.toBeInTheDocument();
    expect(traceIdInput()).not.toHaveAttribute('aria-invalid', 'true');
  });

  it('shows no message for a valid id', () => {
    setup({ query: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(screen.queryByText(/is not a trace id/)).not.toBeInTheDocument();
  });

  it('validates only ids that are neither empty nor template variables', () => {
    expect(traceIdProblem('')).toBeUndefined();
    expect(traceIdProblem('   ')).toBeUndefined();
    expect(traceIdProblem('$traceId')).toBeUndefined();
    expect(traceIdProblem('${traceId}')).toBeUndefined();
    expect(traceIdProblem('4bf92f3577b34da6')).toBeUndefined();
    expect(traceIdProblem('xyz')).toBe("'xyz' is not a trace id: use hexadecimal digits 0-9 and a-f only.");
  });
});

describe('QueryEditor time range switch', () => {
  it('is off by default: a trace id is looked up over all time', () => {
    setup({ query: 'abc' });
    expect(labelled('switch', 'Limit to time range')).not.toBeChecked();
  });

  it('writes useTimeRange when toggled on and off, and runs the query', async () => {
    const { onChange, onRunQuery } = setup({ query: 'abc' });
    const toggle = labelled('switch', 'Limit to time range');
    await user.click(toggle);
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'traceId', query: 'abc', useTimeRange: true });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(toggle).toBeChecked();
    await user.click(toggle);
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'traceId', query: 'abc', useTimeRange: false });
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });
});
