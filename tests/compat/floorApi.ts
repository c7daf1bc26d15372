/**
 * The optional members of Grafana's data source interfaces that the plugin implements, each of which
 * the floor's @grafana/data must declare (not merely allow) with a signature the plugin's method
 * satisfies. A class may carry methods an interface does not name, so `implements` alone would not
 * notice a member the floor lacks: Grafana would then never call it. Compiled against the floor's
 * types by floorTypes.test.ts, and against the current ones by `npm run typecheck`.
 */
import type { DataSourceWithLogsContextSupport, DataSourceWithSupplementaryQueriesSupport } from '@grafana/data';

import type { DataSource } from '../../src/datasource/DataSource';
import type { EsTracesQuery } from '../../src/types';

/** The members K of T, required, as a caller sees them. A K that T does not declare is an error. */
type Declared<T, K extends keyof T> = { [P in K]-?: NonNullable<T[P]> };

/** Explore's logs volume: it asks for a supplementary request only from a data source that has the method. */
export const supplementaryQueries = (
  ds: DataSource
): Declared<
  DataSourceWithSupplementaryQueriesSupport<EsTracesQuery>,
  'getSupportedSupplementaryQueryTypes' | 'getSupplementaryQuery' | 'getSupplementaryRequest'
> => ds;

/** "Show context" of a log line, its split-pane query and the switch above its lines. */
export const logsContext = (
  ds: DataSource
): Declared<
  DataSourceWithLogsContextSupport<EsTracesQuery>,
  'getLogRowContext' | 'getLogRowContextQuery' | 'getLogRowContextUi'
> => ds;
