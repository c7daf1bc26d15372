import { screen } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';

import {
  checkLogsLimit,
  LOGS_LIMIT_PROBLEM,
  logsTraceIdProblem,
  spanIdProblem,
} from '../../../src/components/LogsEditor';
import { validateTraceId } from '../../../src/proto/ids';
import type { EsTracesQuery } from '../../../src/types';
import { findOption, getOption, giveElementsASize, labelled, renderQueryEditor, setupUser } from './harness';

giveElementsASize();

function fakeDatasource() {
  return { listServices: jest.fn().mockResolvedValue(['checkout', 'frontend']) };
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

/**
 * Renders the editor the way Grafana does: each onChange becomes the next `query`, so controlled
 * fields keep what is chosen. The spies record every call.
 */
function setup(query: Partial<EsTracesQuery> = {}, datasource = fakeDatasource()) {
  return { ...renderQueryEditor({ refId: 'A', queryType: 'logs', ...query }, datasource), datasource };
}

/** validateTraceId's message for a malformed id. */
function traceIdMessage(raw: string): string {
  const check = validateTraceId(raw);
  if (check.ok) {
    throw new Error(`expected '${raw}' to be refused`);
  }
  return check.message;
}

const picker = (name: string) => labelled('combobox', name);
const textbox = (name: string | RegExp) => labelled('textbox', name);
const limitInput = () => labelled('spinbutton', 'Limit');
const spanWindow = () => labelled('switch', 'Span time window');

/** Opens a picker and chooses the option with this text, as a user does. */
async function choose(name: string, option: string) {
  await user.click(picker(name));
  await user.click(await findOption(picker(name), option));
}

let user: UserEvent;
beforeEach(() => {
  user = setupUser();
});

describe('LogsEditor query type', () => {
  it('is offered as Logs, and shows the logs fields when chosen', async () => {
    const { onChange, onRunQuery } = setup({ queryType: 'traceId' });
    await user.click(labelled('radio', 'Logs'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs' });
    expect(onRunQuery).not.toHaveBeenCalled();
    expect(textbox('Trace ID')).toHaveValue('');
    expect(textbox('Span ID')).toHaveValue('');
    expect(picker('Service')).toBeInTheDocument();
    expect(picker('Severity')).toBeInTheDocument();
    expect(textbox(/^Text/)).toBeInTheDocument();
    expect(limitInput()).toHaveValue(1000);
    expect(spanWindow()).not.toBeChecked();
  });

  it('describes the Logs query type', async () => {
    setup();
    await user.hover(labelled('radio', 'Logs'));
    expect(await screen.findByText('Log lines by trace, span, service, severity or text')).toBeInTheDocument();
  });
});

describe('LogsEditor trace id', () => {
  it('saves the trimmed trace id on blur and runs the query', async () => {
    const { onChange, onRunQuery } = setup();
    await user.type(textbox('Trace ID'), ` ${TRACE_ID} `);
    expect(onChange).not.toHaveBeenCalled();
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs', traceId: TRACE_ID });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(textbox('Trace ID')).toHaveValue(TRACE_ID);
  });

  it('saves on Enter as well', async () => {
    const { onChange, onRunQuery } = setup();
    await user.type(textbox('Trace ID'), `${TRACE_ID}{Enter}`);
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs', traceId: TRACE_ID });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows the validateTraceId message for a malformed id and does not save it', async () => {
    const { onChange, onRunQuery } = setup();
    const input = textbox('Trace ID');
    await user.type(input, 'xyz');
    expect(screen.getByText(traceIdMessage('xyz'))).toBeInTheDocument();
    expect(input).toHaveAttribute('aria-invalid', 'true');
    await user.tab();
    await user.type(input, '{Enter}');
    expect(onChange).not.toHaveBeenCalled();
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('accepts a template variable such as $traceId without validating it', async () => {
    const { onChange } = setup();
    const input = textbox('Trace ID');
    await user.type(input, '$traceId');
    expect(input).not.toHaveAttribute('aria-invalid', 'true');
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs', traceId: '$traceId' });
  });
});

describe('LogsEditor span id', () => {
  it('saves a span id of 16 hex digits on blur and runs the query', async () => {
    const { onChange, onRunQuery } = setup();
    await user.type(textbox('Span ID'), SPAN_ID);
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs', spanId: SPAN_ID });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it.each(['abc', `${SPAN_ID}0`, 'zzzzzzzzzzzzzzzz'])('refuses %s with a message and does not save it', async (typed) => {
    const { onChange, onRunQuery } = setup();
    const input = textbox('Span ID');
    await user.type(input, `${typed}{Enter}`);
    expect(screen.getByText(`'${typed}' is not a span id: use 16 hexadecimal digits`)).toBeInTheDocument();
    expect(input).toHaveAttribute('aria-invalid', 'true');
    await user.tab();
    expect(onChange).not.toHaveBeenCalled();
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('accepts a template variable such as $spanId', async () => {
    const { onChange } = setup();
    await user.type(textbox('Span ID'), '$spanId');
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs', spanId: '$spanId' });
  });
});

describe('LogsEditor service', () => {
  it('offers the services listServices returns, and saves the chosen one and runs the query', async () => {
    const { onChange, onRunQuery, datasource } = setup();
    await user.click(picker('Service'));
    expect(await findOption(picker('Service'), 'checkout')).toBeInTheDocument();
    expect(getOption(picker('Service'), 'frontend')).toBeInTheDocument();
    expect(datasource.listServices).toHaveBeenCalled();
    await user.click(getOption(picker('Service'), 'frontend'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs', service: 'frontend' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(picker('Service')).toHaveValue('frontend');
  });

  it('accepts a typed value such as $service', async () => {
    const { onChange } = setup();
    await user.type(picker('Service'), '$service');
    await user.click(await findOption(picker('Service'), /\$service/));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs', service: '$service' });
  });

  it('removes the service when it is cleared', async () => {
    const { onChange, onRunQuery } = setup({ service: 'checkout' });
    // Escape on a closed menu clears the choice, as the clear (x) button does.
    await user.click(picker('Service'));
    await user.keyboard('{Escape}{Escape}');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows the message of a listServices failure beside the picker', async () => {
    const datasource = fakeDatasource();
    datasource.listServices.mockRejectedValue(new Error('Elasticsearch answered 403: no read access to traces-*'));
    setup({}, datasource);
    await user.click(picker('Service'));
    expect(await screen.findByText('Elasticsearch answered 403: no read access to traces-*')).toBeInTheDocument();
    expect(picker('Service')).toHaveAttribute('aria-invalid', 'true');
  });
});

describe('LogsEditor severity', () => {
  it('offers error, warn, info and debug', async () => {
    setup();
    await user.click(picker('Severity'));
    for (const severity of ['error', 'warn', 'info', 'debug']) {
      expect(await findOption(picker('Severity'), severity)).toBeInTheDocument();
    }
  });

  it('saves the chosen severity and runs the query, and removes it when cleared', async () => {
    const { onChange, onRunQuery } = setup();
    await choose('Severity', 'warn');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs', severity: 'warn' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(picker('Severity')).toHaveValue('warn');
    await user.click(picker('Severity'));
    await user.keyboard('{Escape}{Escape}');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs' });
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('accepts a custom severity such as fatal', async () => {
    const { onChange } = setup();
    await user.type(picker('Severity'), 'fatal');
    await user.click(await findOption(picker('Severity'), /fatal/));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs', severity: 'fatal' });
  });
});

describe('LogsEditor text', () => {
  it('describes the field and saves the text on Enter, running the query', async () => {
    const { onChange, onRunQuery } = setup();
    expect(screen.getByText('Text the log body contains, taken literally')).toBeInTheDocument();
    await user.type(textbox(/^Text/), 'connection refused (retry){Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs', text: 'connection refused (retry)' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });
});

describe('LogsEditor limit', () => {
  it('shows the default limit of 1000', () => {
    setup();
    expect(limitInput()).toHaveValue(1000);
  });

  it('saves a limit within 1..10000 on blur and runs the query', async () => {
    const { onChange, onRunQuery } = setup();
    await user.clear(limitInput());
    await user.type(limitInput(), '10000');
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs', limit: 10000 });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it.each(['0', '10001', '2.5'])('refuses %s with a message and does not save it', async (typed) => {
    const { onChange, onRunQuery } = setup();
    await user.clear(limitInput());
    await user.type(limitInput(), `${typed}{Enter}`);
    expect(screen.getByText('Enter a whole number of lines from 1 to 10,000')).toBeInTheDocument();
    await user.tab();
    expect(onChange).not.toHaveBeenCalled();
    expect(onRunQuery).not.toHaveBeenCalled();
  });
});

describe('LogsEditor span time window', () => {
  it('is disabled without a trace id', () => {
    setup({ spanId: SPAN_ID });
    expect(spanWindow()).toBeDisabled();
  });

  it('is enabled with a trace id, saves spanWindow true when on and runs the query; off removes it', async () => {
    const { onChange, onRunQuery } = setup({ traceId: TRACE_ID });
    expect(spanWindow()).toBeEnabled();
    await user.click(spanWindow());
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs', traceId: TRACE_ID, spanWindow: true });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(spanWindow()).toBeChecked();
    await user.click(spanWindow());
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs', traceId: TRACE_ID });
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('becomes enabled once a trace id is saved', async () => {
    setup();
    expect(spanWindow()).toBeDisabled();
    await user.type(textbox('Trace ID'), `${TRACE_ID}{Enter}`);
    expect(spanWindow()).toBeEnabled();
  });
});

describe('LogsEditor empty fields', () => {
  it('removes emptied text fields from the saved query, and the span window with the trace id', async () => {
    const { onChange, onRunQuery } = setup({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      text: 'timeout',
      spanWindow: true,
    });
    await user.clear(textbox(/^Text/));
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'logs',
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      spanWindow: true,
    });
    await user.clear(textbox('Span ID'));
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs', traceId: TRACE_ID, spanWindow: true });
    await user.clear(textbox('Trace ID'));
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'logs' });
    expect(Object.keys(onChange.mock.lastCall[0])).toEqual(['refId', 'queryType']);
    expect(onRunQuery).toHaveBeenCalledTimes(3);
    expect(spanWindow()).toBeDisabled();
  });

  it('does not save or run an unchanged field on blur', async () => {
    const { onChange, onRunQuery } = setup({ traceId: TRACE_ID });
    await user.click(textbox('Trace ID'));
    await user.tab();
    expect(onChange).not.toHaveBeenCalled();
    expect(onRunQuery).not.toHaveBeenCalled();
  });
});

describe('LogsEditor helpers', () => {
  it('validates trace and span ids but not empty fields or template variables', () => {
    expect(logsTraceIdProblem('')).toBeUndefined();
    expect(logsTraceIdProblem('${traceId}')).toBeUndefined();
    expect(logsTraceIdProblem(TRACE_ID)).toBeUndefined();
    expect(logsTraceIdProblem('xyz')).toBe(traceIdMessage('xyz'));
    expect(spanIdProblem('  ')).toBeUndefined();
    expect(spanIdProblem('$spanId')).toBeUndefined();
    expect(spanIdProblem(SPAN_ID.toUpperCase())).toBeUndefined();
    expect(spanIdProblem('abc')).toBe("'abc' is not a span id: use 16 hexadecimal digits");
  });

  it('accepts whole-number limits from 1 to 10000 only', () => {
    expect(checkLogsLimit('1')).toEqual({ value: 1 });
    expect(checkLogsLimit('10000')).toEqual({ value: 10000 });
    for (const text of ['', ' ', '0', '-1', '10001', '2.5', 'abc']) {
      expect(checkLogsLimit(text)).toEqual({ error: LOGS_LIMIT_PROBLEM });
    }
  });
});
