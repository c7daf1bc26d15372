/**
 * Template variables: services, operations of a service, attribute keys, or values of an
 * attribute, over the dashboard's time range, edited with VariableQueryEditor.
 */
import { CustomVariableSupport, type DataQueryRequest, type DataQueryResponse } from '@grafana/data';
import { from, type Observable } from 'rxjs';

import { normalizeVariableQuery, VariableQueryEditor } from '../components/VariableQueryEditor';
import type { EsTracesVariableQuery } from '../types';
import type { DataSource } from './DataSource';

type StoredVariableQuery = EsTracesVariableQuery & { refId: string };

export class EsTracesVariableSupport extends CustomVariableSupport<DataSource, StoredVariableQuery> {
  // Grafana passes the editor the variable's query and an onChange taking the new one.
  editor = VariableQueryEditor as unknown as CustomVariableSupport<DataSource, StoredVariableQuery>['editor'];

  constructor(private readonly datasource: DataSource) {
    super();
  }

  query(request: DataQueryRequest<StoredVariableQuery>): Observable<DataQueryResponse> {
    const query = normalizeVariableQuery(request.targets[0]);
    return from(
      this.datasource
        .listForVariable(query, request.range)
        .then((values): DataQueryResponse => ({ data: values.map((text) => ({ text, value: text })) }))
    );
  }
}
