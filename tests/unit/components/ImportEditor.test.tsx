import { screen } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';

import type { EsTracesQuery } from '../../../src/types';
import { labelled, renderQueryEditor, setupUser } from './harness';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const ZIPKIN = JSON.stringify([{ traceId: TRACE_ID, id: '00f067aa0ba902b7', name: 'get /', timestamp: 1715678467123456, duration: 10, localEndpoint: { serviceName: 'web' } }]);

/** The part of the data source the Import editor uses: where the chosen file is kept. */
interface Instance {
  uploadedJson?: string;
  uploadedFileName?: string;
}

function setup(query: Partial<EsTracesQuery> = {}, datasource: Instance = {}) {
  return { ...renderQueryEditor({ refId: 'A', queryType: 'upload', ...query }, datasource), datasource };
}

/** The dropzone's file input (react-dropzone hides it; a user drops a file or picks one). */
const fileInput = () => document.getElementById('estraces-import-file-A') as HTMLInputElement;
const traceIdInput = () => labelled('textbox', /^Trace ID/);

let user: UserEvent;
beforeEach(() => {
  user = setupUser();
});

describe('ImportEditor query type', () => {
  it('is offered as Import, and shows the dropzone and the formats it reads when chosen', async () => {
    const { onChange, onRunQuery } = setup({ queryType: 'traceId' });
    await user.click(labelled('radio', 'Import'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'upload' });
    expect(onRunQuery).not.toHaveBeenCalled();
    expect(fileInput()).toHaveAttribute('accept', 'application/json,.json');
    expect(screen.getByText(/^OTLP\/JSON: \{"resourceSpans": \[\.\.\.\]\}/)).toBeInTheDocument();
    expect(screen.getByText(/^Jaeger JSON: \{"data": \[\.\.\.\]\} as Jaeger's \/api\/traces\/ID/)).toBeInTheDocument();
    expect(screen.getByText(/^Zipkin v2 JSON: a list of spans/)).toBeInTheDocument();
  });

  it('describes the Import query type', async () => {
    setup();
    await user.hover(labelled('radio', 'Import'));
    expect(await screen.findByText('Show a trace from a JSON file (OTLP, Jaeger or Zipkin), with no engine behind it')).toBeInTheDocument();
  });
});

describe('ImportEditor file', () => {
  it("keeps the chosen file's text on the data source, not in the query, names the file and runs the query", async () => {
    const { onChange, onRunQuery, datasource } = setup();
    await user.upload(fileInput(), new File([ZIPKIN], 'trace.json', { type: 'application/json' }));
    expect(await screen.findByText('trace.json')).toBeInTheDocument();
    expect(datasource).toEqual({ uploadedJson: ZIPKIN, uploadedFileName: 'trace.json' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(onChange).not.toHaveBeenCalled();
  });

  it('replaces the file when another is chosen', async () => {
    const { onRunQuery, datasource } = setup({}, { uploadedJson: '{}', uploadedFileName: 'old.json' });
    await user.upload(fileInput(), new File([ZIPKIN], 'new.json', { type: 'application/json' }));
    expect(await screen.findByText('new.json')).toBeInTheDocument();
    expect(screen.queryByText('old.json')).not.toBeInTheDocument();
    expect(datasource).toEqual({ uploadedJson: ZIPKIN, uploadedFileName: 'new.json' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('clears the file: the data source forgets it and the query runs again, showing nothing', async () => {
    const { onRunQuery, datasource } = setup({}, { uploadedJson: ZIPKIN, uploadedFileName: 'trace.json' });
    expect(screen.getByText('trace.json')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Clear' }));
    expect(datasource).toEqual({ uploadedJson: undefined, uploadedFileName: undefined });
    expect(screen.queryByText('trace.json')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Clear' })).not.toBeInTheDocument();
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows the file the data source already holds when the editor opens again', () => {
    setup({}, { uploadedJson: ZIPKIN, uploadedFileName: 'kept.json' });
    expect(screen.getByText('kept.json')).toBeInTheDocument();
  });

  it('takes no file of another type', async () => {
    const { onRunQuery, datasource } = setup();
    await user.upload(fileInput(), new File(['not json'], 'notes.txt', { type: 'text/plain' }));
    expect(datasource).toEqual({});
    expect(onRunQuery).not.toHaveBeenCalled();
    expect(screen.queryByRole('button', { name: 'Clear' })).not.toBeInTheDocument();
  });
});

describe('ImportEditor trace id', () => {
  it('saves the trimmed trace id that picks a trace of the file and runs the query on blur', async () => {
    const { onChange, onRunQuery } = setup();
    await user.type(traceIdInput(), ` ${TRACE_ID}`);
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'upload', query: TRACE_ID });
    expect(onRunQuery).not.toHaveBeenCalled();
    await user.tab();
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('names a malformed trace id under the field', async () => {
    setup({ query: 'xyz' });
    expect(screen.getByText("'xyz' is not a trace id: use hexadecimal digits 0-9 and a-f only.")).toBeInTheDocument();
  });
});
