import { readFileSync } from 'node:fs';

import type { LogicalLogRecord, LogicalSpan } from '../proto/model';
import { isLogsRequest, isTraceRequest, logRecordsFromOtlp, spansFromOtlp } from '../proto/otlp';

export interface OtlpContent {
  spans: LogicalSpan[];
  logs: LogicalLogRecord[];
}

/**
 * Read OTLP/JSON export requests from files: one JSON document per file, or one request per line
 * (the Collector's file exporter writes that).
 */
export function readOtlpFiles(paths: string[]): OtlpContent {
  const content: OtlpContent = { spans: [], logs: [] };
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    for (const request of parseRequests(text, path)) {
      if (isTraceRequest(request)) {
        content.spans.push(...spansFromOtlp(request));
      } else if (isLogsRequest(request)) {
        content.logs.push(...logRecordsFromOtlp(request));
      } else {
        throw new Error(`${path} is not an OTLP/JSON export request: expected a top-level "resourceSpans" or "resourceLogs" array`);
      }
    }
  }
  return content;
}

function parseRequests(text: string, path: string): unknown[] {
  try {
    return [JSON.parse(text)];
  } catch {
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    return lines.map((line, i) => {
      try {
        return JSON.parse(line);
      } catch (error) {
        throw new Error(`${path} line ${i + 1} is not JSON: ${(error as Error).message}`);
      }
    });
  }
}
