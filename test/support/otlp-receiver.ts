import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An OTLP attribute value as OTLP/HTTP JSON encodes it. */
interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
}
interface KeyValue {
  key: string;
  value: AnyValue;
}

/** A received span with its attributes flattened to plain values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 2 SERVER, 3 CLIENT. */
  kind: number;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
  resource: Record<string, unknown>;
}

/** A received histogram data point. */
export interface ReceivedPoint {
  metric: string;
  attributes: Record<string, unknown>;
  count: number;
  sum: number;
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  points: ReceivedPoint[];
  /** Every request body, raw (to check what must never be exported). */
  bodies: string[];
  /** Content types seen, per path. */
  contentTypes: string[];
  close(): Promise<void>;
}

function plain(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(plain);
  return undefined;
}

function attrs(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, plain(kv.value)]));
}

interface TracesBody {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<Omit<ReceivedSpan, 'attributes' | 'resource'> & { attributes?: KeyValue[] }>;
    }>;
  }>;
}
interface MetricsBody {
  resourceMetrics?: Array<{
    scopeMetrics?: Array<{
      metrics?: Array<{
        name: string;
        histogram?: {
          dataPoints?: Array<{ attributes?: KeyValue[]; count: number | string; sum?: number }>;
        };
      }>;
    }>;
  }>;
}

/**
 * A minimal OTLP/HTTP receiver for tests: accepts JSON on POST /v1/traces and /v1/metrics
 * (the encoding the gateway's exporters use) and keeps what it got.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const r: Omit<OtlpReceiver, 'url' | 'close'> = {
    spans: [],
    points: [],
    bodies: [],
    contentTypes: [],
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      r.bodies.push(text);
      r.contentTypes.push(`${req.url} ${req.headers['content-type']}`);
      if (req.method !== 'POST' || (req.url !== '/v1/traces' && req.url !== '/v1/metrics')) {
        res.writeHead(404).end();
        return;
      }
      if (req.url === '/v1/traces') {
        const body = JSON.parse(text) as TracesBody;
        for (const rs of body.resourceSpans ?? []) {
          const resource = attrs(rs.resource?.attributes);
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              r.spans.push({ ...s, attributes: attrs(s.attributes), resource });
            }
          }
        }
      } else {
        const body = JSON.parse(text) as MetricsBody;
        for (const rm of body.resourceMetrics ?? []) {
          for (const sm of rm.scopeMetrics ?? []) {
            for (const m of sm.metrics ?? []) {
              for (const p of m.histogram?.dataPoints ?? []) {
                r.points.push({
                  metric: m.name,
                  attributes: attrs(p.attributes),
                  count: Number(p.count),
                  sum: p.sum ?? 0,
                });
              }
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...r,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
