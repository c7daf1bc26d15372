/**
 * The service map as Grafana's node graph panel reads it (the frames Tempo's service graph
 * returns): a node per service or untraced peer with its request rate, p95 and the share of failed
 * requests as arcs; an edge per caller and callee with its call rate and p95. Clicking a node or an
 * edge offers a search of this data source for the traces behind it. Pure.
 */
import { createDataFrame, type DataFrame, type DataLink, FieldType, NodeGraphDataFrameFieldNames as Fields, type QueryResultMetaNotice } from '@grafana/data';

import type { ServiceMap } from '../query/serviceMap';
import type { LinkTarget } from './searchFrames';

/** Hidden fields the links read (`${__data.fields.searchService}`): what a search for the row filters on. */
const SEARCH_SERVICE = 'searchService';
const SEARCH_TAGS = 'searchTags';

function searchLink(target: LinkTarget, title: string): DataLink {
  return {
    title,
    url: '',
    internal: {
      datasourceUid: target.datasourceUid,
      datasourceName: target.datasourceName,
      query: { queryType: 'search', service: `\${__data.fields.${SEARCH_SERVICE}}`, tags: `\${__data.fields.${SEARCH_TAGS}}` },
    },
  };
}

const perSecond = (count: number, seconds: number) => count / seconds;

export function serviceMapFrames(map: ServiceMap, target: LinkTarget, refId?: string): [DataFrame, DataFrame] {
  const notices: QueryResultMetaNotice[] = map.warnings.map((text) => ({ severity: 'warning', text }));
  const meta = { preferredVisualisationType: 'nodeGraph' as const };
  const nodes = map.nodes;
  const virtual = new Map(nodes.filter((node) => node.kind === 'virtual').map((node) => [node.id, node]));
  const nodesFrame = createDataFrame({
    name: 'Nodes',
    refId,
    meta: { ...meta, notices },
    fields: [
      { name: Fields.id, type: FieldType.string, values: nodes.map((node) => node.id), config: { links: [searchLink(target, 'Search traces')] } },
      { name: Fields.title, type: FieldType.string, values: nodes.map((node) => node.name), config: { displayName: 'Name' } },
      { name: Fields.subTitle, type: FieldType.string, values: nodes.map((node) => (node.kind === 'virtual' ? 'not traced' : '')), config: { displayName: 'Kind' } },
      { name: Fields.mainStat, type: FieldType.number, values: nodes.map((node) => perSecond(node.requests, map.rangeSeconds)), config: { displayName: 'Requests', unit: 'reqps' } },
      { name: Fields.secondaryStat, type: FieldType.number, values: nodes.map((node) => node.p95Ms), config: { displayName: 'p95', unit: 'ms' } },
      { name: `${Fields.arc}success`, type: FieldType.number, values: nodes.map((node) => (node.requests > 0 ? 1 - node.errors / node.requests : 1)), config: { color: { mode: 'fixed', fixedColor: 'green' }, displayName: 'Success' } },
      { name: `${Fields.arc}failed`, type: FieldType.number, values: nodes.map((node) => (node.requests > 0 ? node.errors / node.requests : 0)), config: { color: { mode: 'fixed', fixedColor: 'red' }, displayName: 'Errors' } },
      { name: `${Fields.detail}requests`, type: FieldType.number, values: nodes.map((node) => node.requests), config: { displayName: 'Requests in range' } },
      { name: `${Fields.detail}errors`, type: FieldType.number, values: nodes.map((node) => node.errors), config: { displayName: 'Errors in range' } },
      { name: `${Fields.detail}p50`, type: FieldType.number, values: nodes.map((node) => node.p50Ms), config: { displayName: 'p50', unit: 'ms' } },
      // A service's own spans; a peer's callers' spans naming it.
      { name: SEARCH_SERVICE, type: FieldType.string, values: nodes.map((node) => (node.kind === 'service' ? node.id : '')) },
      { name: SEARCH_TAGS, type: FieldType.string, values: nodes.map((node) => node.tags ?? '') },
    ],
  });
  const edges = map.edges;
  const edgesFrame = createDataFrame({
    name: 'Edges',
    refId,
    meta,
    fields: [
      { name: Fields.id, type: FieldType.string, values: edges.map((edge) => `${edge.source}->${edge.target}`), config: { links: [searchLink(target, 'Search traces')] } },
      { name: Fields.source, type: FieldType.string, values: edges.map((edge) => edge.source) },
      { name: Fields.target, type: FieldType.string, values: edges.map((edge) => edge.target) },
      { name: Fields.mainStat, type: FieldType.number, values: edges.map((edge) => perSecond(edge.calls, map.rangeSeconds)), config: { displayName: 'Calls', unit: 'reqps' } },
      { name: Fields.secondaryStat, type: FieldType.number, values: edges.map((edge) => edge.p95Ms), config: { displayName: 'p95', unit: 'ms' } },
      { name: `${Fields.detail}calls`, type: FieldType.number, values: edges.map((edge) => edge.calls), config: { displayName: 'Calls in range' } },
      { name: `${Fields.detail}errors`, type: FieldType.number, values: edges.map((edge) => edge.errors), config: { displayName: 'Errors in range' } },
      { name: `${Fields.detail}p50`, type: FieldType.number, values: edges.map((edge) => edge.p50Ms), config: { displayName: 'p50', unit: 'ms' } },
      // Calls to a traced service: its spans; calls to a peer: the caller's spans naming it.
      { name: SEARCH_SERVICE, type: FieldType.string, values: edges.map((edge) => (virtual.has(edge.target) ? edge.source : edge.target)) },
      { name: SEARCH_TAGS, type: FieldType.string, values: edges.map((edge) => virtual.get(edge.target)?.tags ?? '') },
    ],
  });
  return [nodesFrame, edgesFrame];
}
