import { screen } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';

import {
  appendTag,
  checkLimit,
  durationProblem,
  durationRangeProblem,
  LIMIT_PROBLEM,
  tagsProblem,
} from '../../../src/components/SearchEditor';
import { logfmtPair, parseDuration, parseLogfmt } from '../../../src/query/filters';
import type { EsTracesQuery } from '../../../src/types';
import {
  findOption,
  getOption,
  giveElementsASize,
  labelled,
  queryLabelled,
  renderQueryEditor,
  setupUser,
} from './harness';

giveElementsASize();

function fakeDatasource() {
  return {
    listServices: jest.fn().mockResolvedValue(['checkout', 'frontend']),
    listOperations: jest.fn().mockResolvedValue(['GET /cart', 'POST /pay']),
    listTagKeys: jest.fn().mockResolvedValue(['http.request.method', 'user.name']),
    listTagValues: jest.fn().mockResolvedValue(['GET', 'Ada "the" Lovelace']),
  };
}

/**
 * Renders the editor the way Grafana does: each onChange becomes the next `query`, so controlled
 * fields keep what is chosen. The spies record every call.
 */
function setup(query: Partial<EsTracesQuery> = {}, datasource = fakeDatasource()) {
  return { ...renderQueryEditor({ refId: 'A', queryType: 'search', ...query }, datasource), datasource };
}

/** The message a parser throws for `text`. */
function thrown(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the parser to throw');
}

const picker = (name: string) => labelled('combobox', name);
const textbox = (name: RegExp) => labelled('textbox', name);
const limitInput = () => labelled('spinbutton', 'Limit');

/** Opens a picker and chooses the option with this text, as a user does. */
async function choose(name: string, option: string) {
  await user.click(picker(name));
  await user.click(await findOption(picker(name), option));
}

let user: UserEvent;
beforeEach(() => {
  user = setupUser();
});

describe('SearchEditor service and operation', () => {
  it('offers the services listServices returns, and saves the chosen one and runs the query', async () => {
    const { onChange, onRunQuery, datasource } = setup();
    await user.click(picker('Service'));
    expect(await findOption(picker('Service'), 'checkout')).toBeInTheDocument();
    expect(getOption(picker('Service'), 'frontend')).toBeInTheDocument();
    expect(datasource.listServices).toHaveBeenCalled();
    await user.click(getOption(picker('Service'), 'frontend'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'search', service: 'frontend' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(picker('Service')).toHaveValue('frontend');
  });

  it('keeps the operation disabled until a service is chosen, then offers listOperations(service)', async () => {
    const { onChange, onRunQuery, datasource } = setup();
    expect(picker('Operation')).toBeDisabled();
    await choose('Service', 'checkout');
    expect(picker('Operation')).toBeEnabled();
    await choose('Operation', 'POST /pay');
    expect(datasource.listOperations).toHaveBeenCalledWith('checkout');
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'search',
      service: 'checkout',
      operation: 'POST /pay',
    });
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('drops the operation when another service is chosen', async () => {
    const { onChange } = setup({ service: 'checkout', operation: 'POST /pay' });
    await choose('Service', 'frontend');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'search', service: 'frontend' });
  });

  it('accepts a typed template variable such as $service', async () => {
    const { onChange } = setup();
    await user.type(picker('Service'), '$service');
    await user.click(await findOption(picker('Service'), /\$service/));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'search', service: '$service' });
  });

  it('removes service and operation when the service is cleared', async () => {
    const { onChange, onRunQuery } = setup({ service: 'checkout', operation: 'POST /pay' });
    // Escape on a closed menu clears the choice, as the clear (x) button does.
    await user.click(picker('Service'));
    await user.keyboard('{Escape}{Escape}');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'search' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(picker('Operation')).toBeDisabled();
  });

  it('shows the message of a listServices failure beside the picker instead of throwing', async () => {
    const datasource = fakeDatasource();
    datasource.listServices.mockRejectedValue(new Error('Elasticsearch answered 403: no read access to traces-*'));
    setup({}, datasource);
    await user.click(picker('Service'));
    expect(await screen.findByText('Elasticsearch answered 403: no read access to traces-*')).toBeInTheDocument();
    expect(picker('Service')).toHaveAttribute('aria-invalid', 'true');
  });

  it('shows the message of a listOperations failure beside the operation picker', async () => {
    const datasource = fakeDatasource();
    datasource.listOperations.mockRejectedValue(new Error('Request timed out after 60 s'));
    setup({ service: 'checkout' }, datasource);
    await user.click(picker('Operation'));
    expect(await screen.findByText('Request timed out after 60 s')).toBeInTheDocument();
  });
});

describe('SearchEditor attributes', () => {
  it('shows the logfmt placeholder', () => {
    setup();
    expect(textbox(/^Attributes/)).toHaveAttribute('placeholder', 'http.response.status_code=500 app.user.vip=true');
  });

  it('saves valid logfmt on blur and runs the query', async () => {
    const { onChange, onRunQuery } = setup();
    await user.type(textbox(/^Attributes/), 'http.response.status_code=500 name="a b"');
    expect(onChange).not.toHaveBeenCalled();
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'search',
      tags: 'http.response.status_code=500 name="a b"',
    });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('saves on Enter as well', async () => {
    const { onChange, onRunQuery } = setup();
    await user.type(textbox(/^Attributes/), 'app.user.vip=true{Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'search', tags: 'app.user.vip=true' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows the parser message for invalid logfmt and does not save it', async () => {
    const { onChange, onRunQuery } = setup({ tags: 'a=1' });
    const input = textbox(/^Attributes/);
    await user.clear(input);
    await user.type(input, 'name="unclosed');
    expect(screen.getByText(thrown(() => parseLogfmt('name="unclosed')))).toBeInTheDocument();
    expect(input).toHaveAttribute('aria-invalid', 'true');
    await user.tab();
    await user.type(input, '{Enter}');
    expect(onChange).not.toHaveBeenCalled();
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('removes the tags when the field is emptied', async () => {
    const { onChange } = setup({ tags: 'a=1' });
    await user.clear(textbox(/^Attributes/));
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'search' });
  });

  it('adds a key=value pair chosen from listTagKeys and listTagValues(key), quoting when needed', async () => {
    const { onChange, onRunQuery, datasource } = setup({ tags: 'a=1' });
    expect(screen.getByRole('button', { name: 'Add' })).toBeDisabled();
    expect(picker('Attribute value')).toBeDisabled();
    await choose('Attribute key', 'user.name');
    expect(datasource.listTagKeys).toHaveBeenCalled();
    await choose('Attribute value', 'Ada "the" Lovelace');
    expect(datasource.listTagValues).toHaveBeenCalledWith('user.name');
    expect(onChange).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Add' }));
    const tags = 'a=1 user.name="Ada \\"the\\" Lovelace"';
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'search', tags });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(textbox(/^Attributes/)).toHaveValue(tags);
  });
});

describe('SearchEditor durations', () => {
  it('saves a valid min duration on blur and runs the query', async () => {
    const { onChange, onRunQuery } = setup();
    await user.type(textbox(/Min duration/), '1.2s');
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'search', minDuration: '1.2s' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows the parser message for an invalid max duration and does not save it', async () => {
    const { onChange, onRunQuery } = setup();
    const input = textbox(/Max duration/);
    await user.type(input, '5 seconds{Enter}');
    expect(screen.getByText(thrown(() => parseDuration('5 seconds', 'max duration')))).toBeInTheDocument();
    expect(input).toHaveAttribute('aria-invalid', 'true');
    await user.tab();
    expect(onChange).not.toHaveBeenCalled();
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('refuses a max duration shorter than the min duration', async () => {
    const { onChange } = setup({ minDuration: '1s' });
    await user.type(textbox(/Max duration/), '100ms');
    await user.tab();
    expect(screen.getByText('min duration 1s is longer than max duration 100ms')).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
  });

  it('accepts template variables such as $minDuration without validating them', async () => {
    const { onChange } = setup();
    const input = textbox(/Min duration/);
    await user.type(input, '$minDuration');
    expect(input).not.toHaveAttribute('aria-invalid', 'true');
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'search', minDuration: '$minDuration' });
  });
});

describe('SearchEditor status', () => {
  it('shows Any when no status is set', () => {
    setup();
    expect(labelled('radio', 'Any')).toBeChecked();
  });

  it('saves the chosen status and runs the query; Any removes it', async () => {
    const { onChange, onRunQuery } = setup();
    await user.click(labelled('radio', 'Error'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'search', status: 'error' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    await user.click(labelled('radio', 'Any'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'search' });
    expect(Object.keys(onChange.mock.lastCall[0])).not.toContain('status');
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });
});

describe('SearchEditor limit', () => {
  it('shows the default limit of 20', () => {
    setup();
    expect(limitInput()).toHaveValue(20);
  });

  it('saves a limit within 1..1000 on blur and runs the query', async () => {
    const { onChange, onRunQuery } = setup();
    await user.clear(limitInput());
    await user.type(limitInput(), '1000');
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'search', limit: 1000 });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it.each(['0', '1001', '2.5'])('refuses %s with a message and does not save it', async (typed) => {
    const { onChange, onRunQuery } = setup();
    await user.clear(limitInput());
    await user.type(limitInput(), `${typed}{Enter}`);
    expect(screen.getByText(LIMIT_PROBLEM)).toBeInTheDocument();
    await user.tab();
    expect(onChange).not.toHaveBeenCalled();
    expect(onRunQuery).not.toHaveBeenCalled();
  });
});

describe('SearchEditor per query type', () => {
  it('offers Sort only for Search, and saves the choice', async () => {
    const { onChange, onRunQuery } = setup();
    expect(labelled('radio', 'Recent')).toBeChecked();
    expect(queryLabelled('switch', 'Per span')).not.toBeInTheDocument();
    await user.click(labelled('radio', 'Slowest'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'search', sort: 'slowest' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('offers Per span only for Scatter, and saves it', async () => {
    const { onChange, onRunQuery } = setup({ queryType: 'scatter' });
    expect(queryLabelled('radio', 'Recent')).not.toBeInTheDocument();
    await user.click(labelled('switch', 'Per span'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'scatter', perSpan: true });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('offers neither Sort nor Per span for Histogram, but the shared filters', () => {
    setup({ queryType: 'histogram' });
    expect(queryLabelled('radio', 'Recent')).not.toBeInTheDocument();
    expect(queryLabelled('switch', 'Per span')).not.toBeInTheDocument();
    expect(picker('Service')).toBeInTheDocument();
    expect(textbox(/Min duration/)).toBeInTheDocument();
  });

  it('keeps the filters when switching between Search, Scatter and Histogram', async () => {
    const { onChange } = setup({ service: 'checkout', minDuration: '1s' });
    await user.click(labelled('radio', 'Scatter'));
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'scatter',
      service: 'checkout',
      minDuration: '1s',
    });
    expect(picker('Service')).toHaveValue('checkout');
    expect(textbox(/Min duration/)).toHaveValue('1s');
  });
});

describe('SearchEditor helpers', () => {
  it('quotes attribute values only when logfmt needs it, and the parser reads them back', () => {
    expect(logfmtPair('k', 'plain')).toBe('k=plain');
    expect(logfmtPair('k', 'a b')).toBe('k="a b"');
    expect(logfmtPair('k', 'say "hi"')).toBe('k="say \\"hi\\""');
    expect(logfmtPair('k', 'C:\\dir')).toBe('k="C:\\\\dir"');
    expect(logfmtPair('k', '')).toBe('k=""');
    for (const value of ['plain', 'a b', 'say "hi"', 'C:\\dir', '', 'a=b', 'end\\']) {
      expect(parseLogfmt(appendTag('x=1', 'k', value))).toEqual([
        { key: 'x', value: '1', quoted: false },
        { key: 'k', value, quoted: expect.any(Boolean) },
      ]);
    }
    expect(appendTag('  ', 'k', 'v')).toBe('k=v');
  });

  it('validates durations and tags but not empty fields or template variables', () => {
    expect(durationProblem('', 'min duration')).toBeUndefined();
    expect(durationProblem('${max}', 'max duration')).toBeUndefined();
    expect(durationProblem('100ms', 'min duration')).toBeUndefined();
    expect(durationProblem('100', 'min duration')).toBe(thrown(() => parseDuration('100', 'min duration')));
    expect(durationRangeProblem('1s', '1000ms')).toBeUndefined();
    expect(durationRangeProblem('1s', '$max')).toBeUndefined();
    expect(durationRangeProblem('1s', undefined)).toBeUndefined();
    expect(durationRangeProblem('2s', '1s')).toBe('min duration 2s is longer than max duration 1s');
    expect(tagsProblem('')).toBeUndefined();
    expect(tagsProblem('a=1 b="c d"')).toBeUndefined();
    expect(tagsProblem('=1')).toBe(thrown(() => parseLogfmt('=1')));
  });

  it('accepts whole-number limits from 1 to 1000 only', () => {
    expect(checkLimit('1')).toEqual({ value: 1 });
    expect(checkLimit('1000')).toEqual({ value: 1000 });
    for (const text of ['', ' ', '0', '-1', '1001', '2.5', 'abc']) {
      expect(checkLimit(text)).toEqual({ error: LIMIT_PROBLEM });
    }
  });
});
